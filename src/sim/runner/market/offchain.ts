/**
 * INTERIM, NOT ON CHAIN: one microgrid's market run by calling the market code directly
 * (clearAuction with the grid check on the feeder, then settleInterval), with no chain, no
 * transactions and no validators. Reports made with it say `mode: "offchain"`. It exists to
 * compare with the chain run and to test the runner; the demo runs on chains (chain.ts).
 */
import { clearAuction } from '../../../market/clear.ts';
import type { FeederModel } from '../../../grid/model.ts';
import { makeGridView } from '../../../market/gridViewAc.ts';
import type { GridView } from '../../../market/gridView.ts';
import type { ContractDelivery, Order } from '../../../market/order.ts';
import { settleInterval, type SettledTrade, type SettlementRates } from '../../../market/settlement.ts';
import type { ContractPlan } from '../../agents/contracts.ts';
import type {
  ClearingOutcome,
  IntervalClearingView,
  IntervalSettlementView,
  MarketBackend,
  MarketOutcome,
  IntervalReadings,
  MemberSettlementView,
  SubmitBatch,
} from './backend.ts';

export interface OffchainMarketOptions {
  feeder: FeederModel;
  intervalMinutes: number;
  rates: SettlementRates;
  /** Every member and its bus. */
  members: ReadonlyArray<{ id: string; bus: number }>;
}

interface Cleared {
  trades: SettledTrade[];
  scheduledNetWh: Map<string, number>;
}

export function createOffchainMarket(opts: OffchainMarketOptions): MarketBackend {
  const busOf = new Map(opts.members.map((m) => [m.id, m.bus]));
  let view: GridView | undefined;
  let nextOrderId = 0;
  let contracts: readonly ContractPlan[] = [];
  const books = new Map<number, Order[]>();
  const cleared = new Map<number, Cleared>();
  const readings = new Map<number, IntervalReadings>();
  const settlements: IntervalSettlementView[] = [];
  const clearings: IntervalClearingView[] = [];

  return {
    mode: 'offchain',
    openContracts(list) {
      contracts = [...list];
      return Promise.resolve();
    },
    submit(batch: SubmitBatch) {
      if (batch.orders !== undefined) {
        const k = batch.orders.interval;
        const book = books.get(k) ?? [];
        for (const { memberId, order } of batch.orders.orders) {
          book.push({ id: `o${String(nextOrderId++).padStart(12, '0')}`, owner: memberId, bus: busOf.get(memberId) ?? -1, interval: k, ...order });
        }
        books.set(k, book);
      }
      if (batch.readings !== undefined) readings.set(batch.readings.interval, batch.readings);
      return Promise.resolve();
    },
    clear(k): Promise<ClearingOutcome> {
      const orders = books.get(k) ?? [];
      books.delete(k);
      const deliveries: ContractDelivery[] = contracts.map((c, i) => ({
        contractId: `c${String(i).padStart(12, '0')}`,
        seller: c.seller,
        buyer: c.buyer,
        sellerBus: busOf.get(c.seller) ?? -1,
        buyerBus: busOf.get(c.buyer) ?? -1,
        energyWh: c.energyWhPerInterval,
        priceUcPerKwh: c.priceUcPerKwh,
        flexible: c.flexible,
        condition: c.condition,
      }));
      view ??= makeGridView(opts.feeder);
      const r = clearAuction({ orders, deliveries }, { feeder: opts.feeder, view, intervalMin: opts.intervalMinutes });
      const byId = new Map(orders.map((o) => [o.id, o]));
      const tradedNetWh = new Map<string, number>();
      const scheduledNetWh = new Map<string, number>();
      const flexibleBoughtWh = new Map<string, number>();
      const addTo = (m: Map<string, number>, id: string, wh: number): void => {
        m.set(id, (m.get(id) ?? 0) + wh);
      };
      for (const o of orders) if (!o.flexible) addTo(scheduledNetWh, o.owner, o.side === 'ask' ? o.energyWh : -o.energyWh);
      const trades: SettledTrade[] = [];
      for (const t of r.trades) {
        const ask = byId.get(t.ask);
        const bid = byId.get(t.bid);
        if (ask === undefined || bid === undefined) throw new Error(`trade of unknown orders ${t.ask}/${t.bid}`);
        trades.push({ seller: ask.owner, buyer: bid.owner, energyWh: t.energyWh, priceUcPerKwh: t.priceUcPerKwh, linesCrossed: 0 });
        if (ask.flexible) addTo(scheduledNetWh, ask.owner, t.energyWh);
        if (bid.flexible) {
          addTo(scheduledNetWh, bid.owner, -t.energyWh);
          addTo(flexibleBoughtWh, bid.owner, t.energyWh);
        }
      }
      for (const d of r.deliveries) {
        if (d.energyWh > 0) trades.push({ seller: d.seller, buyer: d.buyer, energyWh: d.energyWh, priceUcPerKwh: d.priceUcPerKwh, linesCrossed: 0 });
      }
      for (const t of trades) {
        addTo(tradedNetWh, t.seller, t.energyWh);
        addTo(tradedNetWh, t.buyer, -t.energyWh);
      }
      cleared.set(k, { trades, scheduledNetWh });
      clearings.push({ interval: k, priceUcPerKwh: r.clearingPriceUcPerKwh, curtailedWh: r.curtailed.reduce((s, c) => s + c.energyWh, 0) });
      return Promise.resolve({ tradedNetWh, flexibleBoughtWh });
    },
    settle(k) {
      const c = cleared.get(k);
      const rd = readings.get(k);
      if (c === undefined || rd === undefined) throw new Error(`interval ${k} settled before it was cleared and read`);
      const byMember = new Map(rd.members.map((m) => [m.memberId, m]));
      const r = settleInterval({
        rates: opts.rates,
        trades: c.trades,
        members: opts.members.map((m) => {
          const reading = byMember.get(m.id);
          return {
            member: m.id,
            scheduledNetWh: c.scheduledNetWh.get(m.id) ?? 0,
            reading: reading === undefined ? null : { producedWh: reading.producedWh, consumedWh: reading.consumedWh, renewableWh: reading.renewableWh },
          };
        }),
        pcc: rd.pcc,
        background: { loadWh: 0, generationWh: 0 },
      });
      cleared.delete(k);
      readings.delete(k);
      settlements.push({
        interval: k,
        pcc: rd.pcc,
        lossesWh: r.energy.lossesWh ?? 0,
        tradedWh: r.totals.tradedWh,
        mintedUc: r.totals.mintedUc,
        treasuryUc: r.totals.treasuryUc,
        members: r.members.map(
          (s): MemberSettlementView => ({
            memberId: s.member,
            producedWh: s.producedWh,
            consumedWh: s.consumedWh,
            renewableWh: s.renewableWh,
            soldWh: s.soldWh,
            boughtWh: s.boughtWh,
            billUc: s.purchasesUc + s.gridFeeUc + s.taxUc + s.gridCostUc + s.penaltyUc - s.salesUc - s.gridRevenueUc,
            mintUc: s.mintUc,
          }),
        ),
      });
      return Promise.resolve();
    },
    outcome(intervals): Promise<MarketOutcome> {
      const s = settlements.filter((x) => x.interval < intervals);
      return Promise.resolve({
        settlements: s,
        clearings: clearings.filter((x) => x.interval < intervals),
        chain: null,
        mintedUc: s.reduce((sum, x) => sum + x.mintedUc, 0),
        treasuryUc: s.reduce((sum, x) => sum + x.treasuryUc, 0),
      });
    },
    close() {
      return Promise.resolve();
    },
  };
}
