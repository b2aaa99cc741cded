/**
 * Settlement of one market interval (DESIGN.md section 2, step 6): pure integer formulas, the same
 * on every validator. Parties are strings: members by id, plus the main grid and the treasury.
 *
 * Per trade (a contract delivery or an auction trade, volumes after the grid check):
 *   value  = floor(price × Wh / 1000)                       buyer → seller
 *   fee    = floor((gridFee + perLine × lines) × Wh / 1000) buyer → treasury
 *   tax    = floor(value × taxPpm / 1e6)                    buyer → treasury
 * Per member, with actual net = produced − consumed (+ exports) and traded net = sold − bought:
 *   grid   = actual net − traded net: the untraded part of its schedule plus its deviation, in one
 *            figure, so an under-delivering seller buys the replacement once and its buyer nothing
 *   grid < 0: buys −grid Wh at retail (member → main grid); grid > 0: sells at feed-in.
 *   mint   = floor(mintRate × min(sold to others, max(0, actual net), renewable) / 1000), held
 *            (not minted) when the interval is flagged.
 * A member without a reading: its schedule counts as actual (no deviation, nothing to mint) and
 * it pays `missingReadingPenaltyUc` to the treasury.
 * The PCC check: losses = import − export − (Σ consumed − Σ produced) − background net import
 * must lie in [−toleranceWh, toleranceWh + floor((import + Σ produced + background generation) ×
 * lossMaxPpm / 1e6)], else the interval is flagged and its minting held.
 */
import { GridLedgerError } from '../errors.ts';
import { energyValueUc, sumSafe } from './money.ts';
import { compareIds } from './order.ts';

/** Party names of the system accounts (member ids never start with '@'). */
export const MAIN_GRID = '@main-grid';
export const TREASURY = '@treasury';

export interface SettlementRates {
  retailUcPerKwh: number;
  feedInUcPerKwh: number;
  gridFeeUcPerKwh: number;
  /** Added to the grid fee for each line between the seller's and the buyer's bus. */
  gridFeePerLineUcPerKwh: number;
  taxPpm: number;
  mintUcPerKwh: number;
  missingReadingPenaltyUc: number;
  lossToleranceWh: number;
  lossMaxPpm: number;
}

export interface MeterValues {
  producedWh: number;
  consumedWh: number;
  /** Of producedWh, what came from renewable sources (PV, wind): the only energy minted for. */
  renewableWh: number;
}

export interface SettledTrade {
  seller: string;
  buyer: string;
  energyWh: number;
  priceUcPerKwh: number;
  linesCrossed: number;
}

export interface MemberInput {
  member: string;
  /** Net injection the clearing scheduled (+ exports): firm orders in full, flexible as traded. */
  scheduledNetWh: number;
  reading: MeterValues | null;
}

export interface PccValues {
  importWh: number;
  exportWh: number;
}

export interface SettlementInput {
  rates: SettlementRates;
  trades: readonly SettledTrade[];
  members: readonly MemberInput[];
  /** null: the operator's PCC meter sent nothing; the interval is flagged. */
  pcc: PccValues | null;
  /** The feeder model's own loads and generation over the interval (non-members), Wh. */
  background: { loadWh: number; generationWh: number };
}

export type PostingReason = 'energy' | 'grid_fee' | 'tax' | 'grid_import' | 'grid_export' | 'penalty';

export interface Posting {
  from: string;
  to: string;
  amountUc: number;
  reason: PostingReason;
}

export interface MemberSettlement {
  member: string;
  metered: boolean;
  producedWh: number;
  consumedWh: number;
  renewableWh: number;
  scheduledNetWh: number;
  actualNetWh: number;
  /** actual − scheduled net. */
  deviationWh: number;
  /** Traded with other members (contracts and auction), after the grid check. */
  soldWh: number;
  boughtWh: number;
  gridImportWh: number;
  gridExportWh: number;
  salesUc: number;
  purchasesUc: number;
  gridFeeUc: number;
  taxUc: number;
  gridCostUc: number;
  gridRevenueUc: number;
  penaltyUc: number;
  mintUc: number;
  mintHeldUc: number;
  /** Coin in − coin out of this settlement, mint included. */
  netUc: number;
}

export interface EnergyCheck {
  producedWh: number;
  consumedWh: number;
  pcc: PccValues | null;
  lossesWh: number | null;
  allowedLossMinWh: number;
  allowedLossMaxWh: number | null;
}

export interface SettlementResult {
  members: MemberSettlement[];
  postings: Posting[];
  mints: { to: string; amountUc: number }[];
  /** Energy settled with the main grid (members' imports and exports, not the PCC reading). */
  grid: { importWh: number; exportWh: number };
  energy: EnergyCheck;
  flagged: boolean;
  flagReason: string | null;
  totals: {
    tradedWh: number;
    tradeValueUc: number;
    gridFeeUc: number;
    taxUc: number;
    penaltyUc: number;
    mintedUc: number;
    mintHeldUc: number;
    /** Coin the main grid receives (retail sales) minus what it pays (feed-in). */
    mainGridNetUc: number;
    treasuryUc: number;
  };
}

/** floor(amount × ppm / 1e6), exact. */
export function ppmOf(amountUc: number, ppm: number): number {
  return Number((BigInt(amountUc) * BigInt(ppm)) / 1_000_000n);
}

function invariant(ok: boolean, message: string): void {
  if (!ok) throw new GridLedgerError('SETTLEMENT_INVARIANT', message);
}

export function settleInterval(input: SettlementInput): SettlementResult {
  const { rates } = input;
  const members = [...input.members].sort((a, b) => compareIds(a.member, b.member));
  const byId = new Map<string, MemberSettlement>();
  for (const m of members) {
    if (m.member.startsWith('@')) throw new GridLedgerError('SETTLEMENT_BAD_INPUT', `member id ${m.member} is reserved`);
    if (byId.has(m.member)) throw new GridLedgerError('SETTLEMENT_BAD_INPUT', `member ${m.member} appears twice`);
    const r = m.reading ?? defaultReading(m.scheduledNetWh);
    if (r.renewableWh > r.producedWh) throw new GridLedgerError('SETTLEMENT_BAD_INPUT', `member ${m.member}: renewable energy beyond production`);
    byId.set(m.member, {
      member: m.member,
      metered: m.reading !== null,
      producedWh: r.producedWh,
      consumedWh: r.consumedWh,
      renewableWh: r.renewableWh,
      scheduledNetWh: m.scheduledNetWh,
      actualNetWh: r.producedWh - r.consumedWh,
      deviationWh: r.producedWh - r.consumedWh - m.scheduledNetWh,
      soldWh: 0,
      boughtWh: 0,
      gridImportWh: 0,
      gridExportWh: 0,
      salesUc: 0,
      purchasesUc: 0,
      gridFeeUc: 0,
      taxUc: 0,
      gridCostUc: 0,
      gridRevenueUc: 0,
      penaltyUc: 0,
      mintUc: 0,
      mintHeldUc: 0,
      netUc: 0,
    });
  }
  const party = (id: string): MemberSettlement => {
    const s = byId.get(id);
    if (s === undefined) throw new GridLedgerError('SETTLEMENT_BAD_INPUT', `trade party ${id} is not among the interval's members`);
    return s;
  };

  const postings: Posting[] = [];
  const post = (from: string, to: string, amountUc: number, reason: PostingReason): void => {
    if (amountUc > 0) postings.push({ from, to, amountUc, reason });
  };
  // Energy sold to other members: what minting may reward (a self-trade delivers to no one).
  const soldToOthers = new Map<string, number>();
  for (const t of input.trades) {
    if (t.energyWh <= 0) continue;
    const seller = party(t.seller);
    const buyer = party(t.buyer);
    const value = energyValueUc(t.priceUcPerKwh, t.energyWh);
    const fee = energyValueUc(rates.gridFeeUcPerKwh + rates.gridFeePerLineUcPerKwh * t.linesCrossed, t.energyWh);
    const tax = ppmOf(value, rates.taxPpm);
    seller.soldWh += t.energyWh;
    seller.salesUc += value;
    buyer.boughtWh += t.energyWh;
    buyer.purchasesUc += value;
    buyer.gridFeeUc += fee;
    buyer.taxUc += tax;
    if (t.seller !== t.buyer) soldToOthers.set(t.seller, (soldToOthers.get(t.seller) ?? 0) + t.energyWh);
    post(t.buyer, t.seller, value, 'energy');
    post(t.buyer, TREASURY, fee, 'grid_fee');
    post(t.buyer, TREASURY, tax, 'tax');
  }

  for (const s of byId.values()) {
    const grid = s.actualNetWh - (s.soldWh - s.boughtWh);
    if (grid < 0) {
      s.gridImportWh = -grid;
      s.gridCostUc = energyValueUc(rates.retailUcPerKwh, -grid);
      post(s.member, MAIN_GRID, s.gridCostUc, 'grid_import');
    } else if (grid > 0) {
      s.gridExportWh = grid;
      s.gridRevenueUc = energyValueUc(rates.feedInUcPerKwh, grid);
      post(MAIN_GRID, s.member, s.gridRevenueUc, 'grid_export');
    }
    if (!s.metered) {
      s.penaltyUc = rates.missingReadingPenaltyUc;
      post(s.member, TREASURY, s.penaltyUc, 'penalty');
    }
  }

  const energy = checkEnergy(input, [...byId.values()]);
  const flagReason = energy.flagReason;
  const mints: { to: string; amountUc: number }[] = [];
  for (const s of byId.values()) {
    if (!s.metered) continue;
    const baseWh = Math.max(0, Math.min(soldToOthers.get(s.member) ?? 0, s.actualNetWh, s.renewableWh));
    const amount = energyValueUc(rates.mintUcPerKwh, baseWh);
    if (amount === 0) continue;
    if (flagReason === null) {
      s.mintUc = amount;
      mints.push({ to: s.member, amountUc: amount });
    } else {
      s.mintHeldUc = amount;
    }
  }

  // Each member's net from the postings (the same integers debited and credited), plus its mint.
  const net = new Map<string, number>();
  for (const p of postings) {
    net.set(p.from, (net.get(p.from) ?? 0) - p.amountUc);
    net.set(p.to, (net.get(p.to) ?? 0) + p.amountUc);
  }
  for (const s of byId.values()) s.netUc = (net.get(s.member) ?? 0) + s.mintUc;

  const list = [...byId.values()];
  const totals = {
    tradedWh: sumSafe(input.trades.map((t) => Math.max(0, t.energyWh))),
    tradeValueUc: sumSafe(list.map((s) => s.salesUc)),
    gridFeeUc: sumSafe(list.map((s) => s.gridFeeUc)),
    taxUc: sumSafe(list.map((s) => s.taxUc)),
    penaltyUc: sumSafe(list.map((s) => s.penaltyUc)),
    mintedUc: sumSafe(mints.map((m) => m.amountUc)),
    mintHeldUc: sumSafe(list.map((s) => s.mintHeldUc)),
    mainGridNetUc: net.get(MAIN_GRID) ?? 0,
    treasuryUc: net.get(TREASURY) ?? 0,
  };
  const grid = { importWh: sumSafe(list.map((s) => s.gridImportWh)), exportWh: sumSafe(list.map((s) => s.gridExportWh)) };

  // Energy: what members settled with the main grid is exactly their metered net (trades between
  // members cancel out). Coin: postings move coin between parties, only the mint adds any.
  invariant(grid.importWh - grid.exportWh === energy.check.consumedWh - energy.check.producedWh, 'energy settled with the main grid differs from the members\' net');
  invariant(sumSafe(net.values()) === 0, 'postings do not balance');
  invariant(sumSafe(list.map((s) => s.netUc)) + totals.mainGridNetUc + totals.treasuryUc === totals.mintedUc, 'coin is not conserved');
  invariant(totals.treasuryUc === totals.gridFeeUc + totals.taxUc + totals.penaltyUc, 'treasury receives other than fees, tax and penalties');

  return {
    members: list,
    postings,
    mints,
    grid,
    energy: energy.check,
    flagged: flagReason !== null,
    flagReason,
    totals,
  };
}

/** A member without a reading: its schedule counts as what happened (no renewable claim). */
export function defaultReading(scheduledNetWh: number): MeterValues {
  return { producedWh: Math.max(0, scheduledNetWh), consumedWh: Math.max(0, -scheduledNetWh), renewableWh: 0 };
}

function checkEnergy(input: SettlementInput, members: readonly MemberSettlement[]): { check: EnergyCheck; flagReason: string | null } {
  const producedWh = sumSafe(members.map((s) => s.producedWh));
  const consumedWh = sumSafe(members.map((s) => s.consumedWh));
  const minWh = -input.rates.lossToleranceWh;
  const { pcc, background } = input;
  if (pcc === null) {
    return {
      check: { producedWh, consumedWh, pcc: null, lossesWh: null, allowedLossMinWh: minWh, allowedLossMaxWh: null },
      flagReason: 'no PCC reading',
    };
  }
  const lossesWh = pcc.importWh - pcc.exportWh - (consumedWh - producedWh) - (background.loadWh - background.generationWh);
  const enteringWh = pcc.importWh + producedWh + background.generationWh;
  const maxWh = input.rates.lossToleranceWh + ppmOf(enteringWh, input.rates.lossMaxPpm);
  const check = { producedWh, consumedWh, pcc, lossesWh, allowedLossMinWh: minWh, allowedLossMaxWh: maxWh };
  if (lossesWh < minWh || lossesWh > maxWh) {
    return { check, flagReason: `PCC mismatch: readings imply losses of ${lossesWh} Wh, the loss model allows ${minWh} to ${maxWh} Wh` };
  }
  return { check, flagReason: null };
}
