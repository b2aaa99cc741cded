/**
 * `clearAuction`: one interval's clearing as every validator computes it (DESIGN.md section 2):
 * contract deliveries first, then the pay-as-clear double auction, then, given a feeder, the grid
 * check that cuts traded flexible volume until the schedule fits. Pure and deterministic.
 */
import { GridLedgerError } from '../errors.ts';
import type { FeederModel } from '../grid/model.ts';
import { runDoubleAuction } from './auction.ts';
import { scheduleDeliveries } from './contracts.ts';
import { curtailToFit } from './gridCheck.ts';
import type { GridView } from './gridView.ts';
import type { Match } from './match.ts';
import { compareMatches } from './match.ts';
import { energyValueUc, sumSafe } from './money.ts';
import type { OrderBook } from './order.ts';
import { compareIds } from './order.ts';
import type { ClearingResult, Curtailment, Delivery, GridAlert, Trade } from './result.ts';
import { firmEnergy } from './schedule.ts';

export const DEFAULT_INTERVAL_MIN = 15;

export interface ClearOptions {
  /** Interval length: energy over it becomes average power for the grid check. */
  intervalMin?: number;
  /** The feeder the schedule must fit (its loads and generation are the background). */
  feeder?: FeederModel;
  /** A view of `feeder` prepared once with makeGridView, to reuse across intervals. */
  view?: GridView;
}

export function clearAuction(book: OrderBook, opts: ClearOptions = {}): ClearingResult {
  const intervalMin = opts.intervalMin ?? DEFAULT_INTERVAL_MIN;
  assertOneInterval(book);
  const delivery = scheduleDeliveries(book.orders, book.deliveries);
  const auction = runDoubleAuction(book.orders, delivery.remainingWh);
  let matches: Match[] = [...delivery.pieces, ...auction.trades];
  let curtailed: Curtailment[] = [];
  let alerts: GridAlert[] = [];
  if (opts.feeder !== undefined) {
    const firm = firmEnergy(book.orders, delivery.firmExtra);
    const fitted = curtailToFit({ feeder: opts.feeder, firm, matches, intervalMin, ...(opts.view === undefined ? {} : { view: opts.view }) });
    matches = fitted.matches;
    curtailed = fitted.curtailed;
    alerts = fitted.alerts;
  }
  const price = auction.clearingPriceUcPerKwh;
  const trades: Trade[] = matches
    .filter((m) => m.kind === 'auction' && m.energyWh > 0)
    .sort(compareMatches)
    .map((m) => ({ ask: m.ask, bid: m.bid, energyWh: m.energyWh, priceUcPerKwh: price ?? 0 }));
  return {
    clearingPriceUcPerKwh: price,
    ...auctionTotals(matches),
    trades,
    deliveries: deliveriesOf(book, matches),
    curtailed,
    alerts,
  };
}

/** A clearing is for one interval: orders of another interval must not meet here. */
export function assertOneInterval(book: OrderBook): void {
  const first = book.orders[0]?.interval;
  const other = book.orders.find((o) => o.interval !== first);
  if (other !== undefined) {
    throw new GridLedgerError('MARKET_MIXED_INTERVALS', `order ${other.id} is for interval ${other.interval}, the book for interval ${String(first)}`);
  }
}

/** Matched volume and welfare of the auction trades (contract deliveries are not in them). */
export function auctionTotals(matches: readonly Match[]): { matchedWh: number; welfareUc: number } {
  const auction = matches.filter((m) => m.kind === 'auction');
  return {
    matchedWh: sumSafe(auction.map((m) => m.energyWh)),
    welfareUc: sumSafe(auction.map((m) => energyValueUc(m.bidLimitUcPerKwh - m.askLimitUcPerKwh, m.energyWh))),
  };
}

/** Each contract's delivered energy after the grid check (0 when `surplus` or a cut left none). */
export function deliveriesOf(book: OrderBook, matches: readonly Match[]): Delivery[] {
  const delivered = new Map<string, number>();
  for (const m of matches) if (m.contractId !== undefined) delivered.set(m.contractId, (delivered.get(m.contractId) ?? 0) + m.energyWh);
  return [...book.deliveries]
    .sort((a, b) => compareIds(a.contractId, b.contractId))
    .map((d) => ({
      contractId: d.contractId,
      seller: d.seller,
      buyer: d.buyer,
      energyWh: delivered.get(d.contractId) ?? 0,
      priceUcPerKwh: d.priceUcPerKwh,
    }));
}
