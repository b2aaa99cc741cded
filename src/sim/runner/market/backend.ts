/**
 * What the trading run needs from a microgrid's market, whoever runs it: the microgrid's chain
 * (chain.ts: every order, reading and settlement a transaction or an end-block step on its
 * validators, in this process or as node processes) or, as an explicitly labelled interim, the
 * market code called directly
 * (offchain.ts). In the order of time, per interval k: `submit` the orders of k before its gate
 * closure (together with the readings of k − 2, which ended just before), `clear(k)` at the gate
 * closure, `submit` the readings of k after k ends (with the orders of k + 2), `settle(k)` at
 * its reading deadline; `outcome()` reads back everything the report shows.
 */
import type { AgentOrder } from '../../agents/household.ts';
import type { ContractPlan } from '../../agents/contracts.ts';
import type { ChainRecord } from '../../report/types.ts';

export interface MemberOrder {
  memberId: string;
  order: AgentOrder;
}

export interface MeterReading {
  memberId: string;
  producedWh: number;
  consumedWh: number;
  /** Of producedWh, PV and wind (the battery's discharge is not). */
  renewableWh: number;
}

export interface IntervalOrders {
  interval: number;
  orders: readonly MemberOrder[];
}

export interface IntervalReadings {
  interval: number;
  members: readonly MeterReading[];
  /** The operator's PCC meter. */
  pcc: { importWh: number; exportWh: number };
}

export interface SubmitBatch {
  orders?: IntervalOrders;
  readings?: IntervalReadings;
}

/** What the clearing committed each member to (absent: 0). */
export interface ClearingOutcome {
  /** Sold − bought Wh over its trades and deliveries. */
  tradedNetWh: ReadonlyMap<string, number>;
  /** Wh bought through its flexible bids (after the grid check): what its shiftable load may draw. */
  flexibleBoughtWh: ReadonlyMap<string, number>;
}

/** One member's settlement of one interval. */
export interface MemberSettlementView {
  memberId: string;
  producedWh: number;
  consumedWh: number;
  renewableWh: number;
  soldWh: number;
  boughtWh: number;
  /** Energy payments: purchases + grid fee + tax + main-grid cost + penalty − sales − main-grid revenue, µc. */
  billUc: number;
  mintUc: number;
}

export interface IntervalSettlementView {
  interval: number;
  pcc: { importWh: number; exportWh: number };
  /** PCC net import − members' net consumption (the chain's loss figure). */
  lossesWh: number;
  tradedWh: number;
  mintedUc: number;
  treasuryUc: number;
  members: MemberSettlementView[];
}

export interface IntervalClearingView {
  interval: number;
  priceUcPerKwh: number | null;
  curtailedWh: number;
}

export interface MarketOutcome {
  settlements: IntervalSettlementView[];
  clearings: IntervalClearingView[];
  /** null off chain. */
  chain: ChainRecord | null;
  /** Coin minted over the run (from the supply on chain). */
  mintedUc: number;
  /** Change of the treasury's balance over the run. */
  treasuryUc: number;
}

export interface MarketBackend {
  /** chain: validators in this process; processes: validators as node processes; offchain: no chain. */
  readonly mode: 'chain' | 'processes' | 'offchain';
  /** Standing contracts, proposed and accepted before the first interval's gate closure. */
  openContracts(contracts: readonly ContractPlan[]): Promise<void>;
  /** One batch of transactions: orders for an interval whose gate is open, and/or the readings of an interval that has ended. */
  submit(batch: SubmitBatch): Promise<void>;
  clear(k: number): Promise<ClearingOutcome>;
  settle(k: number): Promise<void>;
  /** Settlements and clearings of intervals 0 .. intervals − 1. */
  outcome(intervals: number): Promise<MarketOutcome>;
  close(): Promise<void>;
}

/** The markets being started, all of them; if one fails, the others are closed and its error thrown. */
export async function startAllOrNone(starting: ReadonlyArray<Promise<MarketBackend>>): Promise<MarketBackend[]> {
  const started = await Promise.allSettled(starting);
  const markets = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(markets.map((m) => m.close()));
    throw failed.reason;
  }
  return markets;
}
