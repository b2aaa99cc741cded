/**
 * When the trading run sends meter readings. Orders for interval k + 1 go in just before its gate
 * closure; the same batch carries the readings of the latest interval the chain then accepts
 * readings for: the chain admits a reading against its last block's time, which is then k's gate
 * closure, so the interval must have ended by it. That is interval k − r with
 * r = 1 + ceil(gate closure lead / interval length) (15-minute intervals, 5-minute lead: r = 2).
 * Its reading deadline is k + 1's gate closure, so one pair of blocks there settles k − r and
 * clears k + 1: three blocks per interval (the batch, and the pair BFT time needs).
 */
export function readingLagIntervals(intervalMinutes: number, gateClosureLeadMinutes: number): number {
  return 1 + Math.ceil(gateClosureLeadMinutes / intervalMinutes);
}

/** From an interval's end to its reading deadline, minutes: r × interval − lead. */
export function readingWindowMinutes(intervalMinutes: number, gateClosureLeadMinutes: number): number {
  return readingLagIntervals(intervalMinutes, gateClosureLeadMinutes) * intervalMinutes - gateClosureLeadMinutes;
}
