/**
 * When the market needs the chain to make a block: an on-demand chain (the simulation, the
 * worked example) makes blocks only when transactions wait or the application asks, so the
 * market asks for the next gate closure, the end of the next interval to settle (readings are
 * admitted against the last block's time) and its reading deadline.
 *
 * Block time is BFT time: a block carries the time of the previous block's commit. The first
 * block made after a deadline may so still be stamped before it; the deadline stays the answer
 * (due at once) until a block's time has passed it, so the chain makes a second block.
 */
import type { LedgerApp } from '../app.ts';
import { marketParams } from './params.ts';
import { readMarketRecord } from './query.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { firstOpenInterval, gateClosureMs, intervalEndMs, readingDeadlineMs } from './time.ts';

/** The next market moment (ms) a block's time must reach; for ConsensusHost's `needsBlockAt`. */
export function nextMarketDeadlineMs(app: LedgerApp): number {
  const mp = marketParams(app.params());
  const t = app.info().timeMs;
  const clock = readMarketRecord(app, marketKeys.clock, marketCodecs.clock);
  const nextClear = clock?.nextClear ?? firstOpenInterval(mp, t);
  const nextSettle = clock?.nextSettle ?? nextClear;
  let due = gateClosureMs(mp, nextClear);
  // Cleared, unsettled intervals (a few: as many as fit in a reading deadline, plus one).
  for (let k = nextSettle; k < nextClear; k++) {
    const end = intervalEndMs(mp, k);
    due = Math.min(due, t < end ? end : readingDeadlineMs(mp, k));
  }
  return due;
}
