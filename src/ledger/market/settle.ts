/**
 * Settlement of interval k inside the state machine, at the first block at or after its reading
 * deadline (DESIGN.md section 2, step 6): the clearing's trades, each member's reading (or its
 * schedule, see src/market/settlement.ts) and the PCC reading go to `settleInterval`; its
 * postings and mints are applied to accounts; the interval's working records are removed.
 *
 * Debt: member accounts cannot go negative. A member whose settlement costs more than it holds
 * pays what it holds; the main grid (a system account that may go negative) covers the rest and
 * the member owes it that amount (`debtUc`): later settlements and `repay_debt` pay it back, and
 * a member in debt cannot leave.
 */
import { GridLedgerError } from '../../errors.ts';
import type { MemberInput, SettlementResult } from '../../market/settlement.ts';
import { MAIN_GRID, settleInterval, TREASURY } from '../../market/settlement.ts';
import { creditUc, debitUc, getAccount, mintUc, setAccount } from '../accounts.ts';
import { addUc, subUc } from '../amounts.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { BlockContext } from '../context.ts';
import { getFeeder } from '../members.ts';
import { Overlay } from '../state.ts';
import type { StateView } from '../state.ts';
import { backgroundEnergyWh } from './feederCache.ts';
import type { MarketParams } from './params.ts';
import type { MarketAlert, MemberSettlementRecord, SettlementRecord } from './records.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { closeInterval, getMemberMarket, getOrder, getPosition, intervalMembers, setDebt, setOrder, setPosition } from './store.ts';

export function settleMarketInterval(view: StateView, ctx: BlockContext, mp: MarketParams, k: number): void {
  const clearing = view.get(marketKeys.clearing(k), marketCodecs.clearing);
  const indexed = intervalMembers(view, k);
  const pcc = view.get(marketKeys.pcc(k), marketCodecs.pcc);
  if (clearing === undefined && indexed.length === 0 && pcc === undefined) return;

  const scheduled = new Map<string, number>();
  for (const s of clearing?.schedule ?? []) scheduled.set(toHex(s.member), s.netWh);
  const participants = [...new Set([...scheduled.keys(), ...indexed.map((a) => toHex(a))])].sort();
  const members: MemberInput[] = participants.map((member) => ({
    member,
    scheduledNetWh: scheduled.get(member) ?? 0,
    reading: getPosition(view, k, fromHex(member))?.reading ?? null,
  }));
  const feeder = getFeeder(view);
  const background = feeder === undefined ? { loadWh: 0, generationWh: 0 } : backgroundEnergyWh(feeder.model, mp.intervalMs);
  const trades =
    clearing?.status === 'cleared'
      ? clearing.trades.map((t) => ({ seller: toHex(t.seller), buyer: toHex(t.buyer), energyWh: t.energyWh, priceUcPerKwh: t.priceUcPerKwh, linesCrossed: Math.max(0, t.linesCrossed) }))
      : [];

  let record: SettlementRecord;
  try {
    const result = settleInterval({ rates: mp, trades, members, pcc: pcc === undefined ? null : { importWh: pcc.importWh, exportWh: pcc.exportWh }, background });
    // Coin moves in a scope of its own: a failure half-way leaves nothing behind.
    const scope = new Overlay(view);
    record = applySettlement(scope, mp, k, result, background, ctx.height);
    scope.commitInto(view);
  } catch (e) {
    // A broken invariant is a bug: the node must stop. Anything else (amounts beyond exact
    // integers) leaves the interval unsettled, on record, instead of halting the chain.
    if (!(e instanceof GridLedgerError) || e.code === 'SETTLEMENT_INVARIANT') throw e;
    record = failedRecord(k, `${e.code}: ${e.message}`, background, ctx.height);
    const alert: MarketAlert = { kind: 'settlement_failed', element: 'market', value: 0, limit: 0, unit: '', message: record.flagReason ?? '' };
    const prior = view.get(marketKeys.alerts(k), marketCodecs.alerts)?.alerts ?? [];
    view.set(marketKeys.alerts(k), marketCodecs.alerts, { alerts: [...prior, alert] });
  }
  view.set(marketKeys.settlement(k), marketCodecs.settlement, record);
  cleanUp(view, k, participants.map((h) => fromHex(h)), indexed);
  ctx.events.push({
    type: 'market_settle',
    attributes: {
      interval: String(k),
      status: record.status,
      grid_import_wh: String(record.grid.importWh),
      grid_export_wh: String(record.grid.exportWh),
      minted_uc: String(record.totals.mintedUc),
      mint_held_uc: String(record.totals.mintHeldUc),
      treasury_uc: String(record.totals.treasuryUc),
    },
  });
  if (record.status !== 'settled') ctx.events.push({ type: 'interval_flagged', attributes: { interval: String(k), reason: record.flagReason ?? '' } });
}

/** Mints, then each account's net of the postings; shortfalls become debt; debt is repaid. */
function applySettlement(
  view: StateView,
  mp: MarketParams,
  k: number,
  r: SettlementResult,
  background: { loadWh: number; generationWh: number },
  height: number,
): SettlementRecord {
  const addressOf = (party: string): Uint8Array => (party === MAIN_GRID ? mp.mainGridAddress : party === TREASURY ? mp.treasuryAddress : fromHex(party));
  // The main grid may go negative: adjust it directly.
  const adjustMainGrid = (deltaUc: number): void => {
    const a = getAccount(view, mp.mainGridAddress);
    setAccount(view, mp.mainGridAddress, { ...a, balanceUc: addUc(a.balanceUc, deltaUc) });
  };
  const net = new Map<string, number>();
  for (const p of r.postings) {
    net.set(p.from, subUc(net.get(p.from) ?? 0, p.amountUc));
    net.set(p.to, addUc(net.get(p.to) ?? 0, p.amountUc));
  }
  for (const m of r.mints) mintUc(view, addressOf(m.to), m.amountUc);
  adjustMainGrid(net.get(MAIN_GRID) ?? 0);
  const treasuryNet = net.get(TREASURY) ?? 0;
  if (treasuryNet > 0) creditUc(view, mp.treasuryAddress, treasuryNet);

  const members: MemberSettlementRecord[] = [];
  for (const s of r.members) {
    const address = fromHex(s.member);
    const n = net.get(s.member) ?? 0;
    let shortfallUc = 0;
    if (n > 0) creditUc(view, address, n);
    else if (n < 0) {
      const pay = Math.min(getAccount(view, address).balanceUc, -n);
      if (pay > 0) debitUc(view, address, pay);
      shortfallUc = -n - pay;
    }
    const debtBefore = getMemberMarket(view, address).debtUc;
    let debt = addUc(debtBefore, shortfallUc);
    if (shortfallUc > 0) adjustMainGrid(-shortfallUc);
    let debtRepaidUc = 0;
    if (shortfallUc === 0 && debt > 0) {
      debtRepaidUc = Math.min(debt, getAccount(view, address).balanceUc);
      if (debtRepaidUc > 0) {
        debitUc(view, address, debtRepaidUc);
        adjustMainGrid(debtRepaidUc);
        debt -= debtRepaidUc;
      }
    }
    if (debt !== debtBefore) setDebt(view, address, debt);
    members.push({ ...s, member: address, shortfallUc, debtRepaidUc });
  }
  return {
    interval: k,
    status: r.flagged ? 'flagged' : 'settled',
    flagReason: r.flagReason,
    grid: r.grid,
    pcc: r.energy.pcc,
    lossesWh: r.energy.lossesWh,
    allowedLossMinWh: r.energy.allowedLossMinWh,
    allowedLossMaxWh: r.energy.allowedLossMaxWh,
    background,
    members,
    totals: r.totals,
    height,
  };
}

function failedRecord(k: number, reason: string, background: { loadWh: number; generationWh: number }, height: number): SettlementRecord {
  return {
    interval: k,
    status: 'failed',
    flagReason: reason,
    grid: { importWh: 0, exportWh: 0 },
    pcc: null,
    lossesWh: null,
    allowedLossMinWh: 0,
    allowedLossMaxWh: null,
    background,
    members: [],
    totals: { tradedWh: 0, tradeValueUc: 0, gridFeeUc: 0, taxUc: 0, penaltyUc: 0, mintedUc: 0, mintHeldUc: 0, mainGridNetUc: 0, treasuryUc: 0 },
    height,
  };
}

/** Positions, the interval index and the PCC reading go; orders whose last interval this was go. */
function cleanUp(view: StateView, k: number, participants: readonly Uint8Array[], indexed: readonly Uint8Array[]): void {
  for (const member of indexed) {
    for (const id of getPosition(view, k, member)?.orders ?? []) {
      const o = getOrder(view, id);
      if (o !== undefined && o.lastInterval <= k) setOrder(view, id, undefined);
    }
    setPosition(view, k, member, undefined);
  }
  view.set(marketKeys.pcc(k), marketCodecs.pcc, undefined);
  for (const member of participants) closeInterval(view, member, k);
}
