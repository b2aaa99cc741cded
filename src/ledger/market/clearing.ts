/**
 * Clearing of interval k inside the state machine, at the first block at or after its gate
 * closure (DESIGN.md section 2, steps 1-3): the interval's orders and the deliveries due under
 * active contracts go to src/market's clearAuction with the on-chain feeder; the trades, cuts,
 * each member's schedule and any alert are written to state. Every validator computes the same.
 *
 * If that block comes at or after k's start (no block between gate closure and start), nothing
 * is traded: the interval is `missed` and settles entirely with the main grid.
 */
import { GridLedgerError } from '../../errors.ts';
import { clearAuction } from '../../market/clear.ts';
import type { ContractDelivery, Order } from '../../market/order.ts';
import type { ClearingResult } from '../../market/result.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { AppEvent, BlockContext } from '../context.ts';
import { getFeeder } from '../members.ts';
import type { FeederRecord } from '../records.ts';
import type { StateView } from '../state.ts';
import { gridViewOf, linesBetween } from './feederCache.ts';
import type { MarketParams } from './params.ts';
import type { ClearedTrade, ClearingRecord, Contract, MarketAlert } from './records.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { scheduledNetByOwner } from './schedule.ts';
import { contractIds, getContract, getOrder, getPosition, intervalMembers, openIntervals, setContract } from './store.ts';
import { intervalMinutes, intervalStartMs } from './time.ts';

/** Orders of interval k, from its members' positions (sorted members, orders by id). */
export function intervalOrders(view: StateView, k: number): Order[] {
  const orders: Order[] = [];
  for (const member of intervalMembers(view, k)) {
    for (const id of getPosition(view, k, member)?.orders ?? []) {
      const o = getOrder(view, id);
      if (o === undefined) continue;
      orders.push({ id, side: o.side, owner: toHex(o.owner), bus: o.bus, energyWh: o.energyWh, priceUcPerKwh: o.priceUcPerKwh, flexible: o.flexible, interval: k });
    }
  }
  return orders;
}

function delivers(c: Contract, k: number): boolean {
  return c.status !== 'proposed' && c.activeFrom !== null && c.activeFrom <= k && k <= c.endInterval;
}

/** Deliveries due in k under accepted contracts, in contract-id order. */
export function intervalDeliveries(view: StateView, k: number): ContractDelivery[] {
  const out: ContractDelivery[] = [];
  for (const id of contractIds(view)) {
    const c = getContract(view, id);
    if (c === undefined || !delivers(c, k)) continue;
    const d: ContractDelivery = {
      contractId: c.id,
      seller: toHex(c.seller),
      buyer: toHex(c.buyer),
      sellerBus: c.sellerBus,
      buyerBus: c.buyerBus,
      energyWh: c.energyWh,
      priceUcPerKwh: c.priceUcPerKwh,
      flexible: c.flexible,
    };
    if (c.condition !== 'none') d.condition = c.condition;
    out.push(d);
  }
  return out;
}

export function clearMarketInterval(view: StateView, ctx: BlockContext, mp: MarketParams, k: number): void {
  const orders = intervalOrders(view, k);
  const deliveries = intervalDeliveries(view, k);
  dropEndedContracts(view, k);
  if (orders.length === 0 && deliveries.length === 0) return;

  const feeder = getFeeder(view);
  let status: ClearingRecord['status'] = 'cleared';
  let result: ClearingResult | null = null;
  const alerts: MarketAlert[] = [];
  if (ctx.timeMs >= intervalStartMs(mp, k)) {
    status = 'missed';
  } else {
    try {
      const opts = { intervalMin: intervalMinutes(mp), ...(feeder === undefined ? {} : { feeder: feeder.model, view: gridViewOf(feeder) }) };
      result = clearAuction({ orders, deliveries }, opts);
    } catch (e) {
      // A clearing that cannot run (e.g. amounts beyond exact integers) must not halt the chain:
      // the interval settles with the main grid and the operator is told why.
      if (!(e instanceof GridLedgerError)) throw e;
      status = 'failed';
      alerts.push({ kind: 'clearing_failed', element: 'market', value: 0, limit: 0, unit: '', message: `${e.code}: ${e.message}` });
    }
  }
  if (result !== null) for (const a of result.alerts) alerts.push({ ...a });

  const net = scheduledNetByOwner(orders, deliveries, result);
  const schedule = [...net.keys()].sort().map((member) => ({ member: fromHex(member), netWh: net.get(member) as number }));
  for (const s of schedule) openIntervals(view, s.member, [k]);

  const record: ClearingRecord = {
    interval: k,
    status,
    clearingPriceUcPerKwh: result?.clearingPriceUcPerKwh ?? null,
    trades: result === null ? [] : tradesOf(orders, deliveries, result, feeder),
    curtailed: (result?.curtailed ?? []).map((c) => ({ ask: c.ask, bid: c.bid, contractId: c.contractId ?? null, energyWh: c.energyWh, reason: c.reason })),
    schedule,
    alerts,
    feederVersion: feeder?.version ?? null,
    height: ctx.height,
  };
  view.set(marketKeys.clearing(k), marketCodecs.clearing, record);
  if (alerts.length > 0) view.set(marketKeys.alerts(k), marketCodecs.alerts, { alerts });
  ctx.events.push(clearEvent(record));
  for (const a of alerts) ctx.events.push({ type: 'grid_alert', attributes: { interval: String(k), kind: a.kind, element: a.element, message: a.message } });
}

/** Contract deliveries and auction trades with their parties, after the grid check. */
function tradesOf(orders: readonly Order[], deliveries: readonly ContractDelivery[], r: ClearingResult, feeder: FeederRecord | undefined): ClearedTrade[] {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const busOf = new Map(deliveries.map((d) => [d.contractId, d]));
  const lines = (a: number, b: number): number => (feeder === undefined ? 0 : linesBetween(feeder, a, b));
  const out: ClearedTrade[] = [];
  for (const d of r.deliveries) {
    const c = busOf.get(d.contractId);
    if (c === undefined || d.energyWh <= 0) continue;
    out.push({
      kind: 'contract',
      contractId: d.contractId,
      ask: null,
      bid: null,
      seller: fromHex(d.seller),
      buyer: fromHex(d.buyer),
      sellerBus: c.sellerBus,
      buyerBus: c.buyerBus,
      energyWh: d.energyWh,
      priceUcPerKwh: d.priceUcPerKwh,
      linesCrossed: lines(c.sellerBus, c.buyerBus),
    });
  }
  for (const t of r.trades) {
    const ask = byId.get(t.ask);
    const bid = byId.get(t.bid);
    if (ask === undefined || bid === undefined || t.energyWh <= 0) continue;
    out.push({
      kind: 'auction',
      contractId: null,
      ask: ask.id,
      bid: bid.id,
      seller: fromHex(ask.owner),
      buyer: fromHex(bid.owner),
      sellerBus: ask.bus,
      buyerBus: bid.bus,
      energyWh: t.energyWh,
      priceUcPerKwh: t.priceUcPerKwh,
      linesCrossed: lines(ask.bus, bid.bus),
    });
  }
  return out;
}

/** Contracts whose last interval is now cleared (or that were never accepted in time) are done. */
function dropEndedContracts(view: StateView, k: number): void {
  for (const id of contractIds(view)) {
    const c = getContract(view, id);
    if (c !== undefined && c.endInterval <= k) setContract(view, id, undefined);
  }
}

function clearEvent(r: ClearingRecord): AppEvent {
  return {
    type: 'market_clear',
    attributes: {
      interval: String(r.interval),
      status: r.status,
      clearing_price_uc_per_kwh: r.clearingPriceUcPerKwh === null ? '' : String(r.clearingPriceUcPerKwh),
      trades: String(r.trades.length),
      traded_wh: String(r.trades.reduce((s, t) => s + t.energyWh, 0)),
      curtailed_wh: String(r.curtailed.reduce((s, c) => s + c.energyWh, 0)),
      alerts: String(r.alerts.length),
    },
  };
}
