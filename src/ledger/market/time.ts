/**
 * Market intervals on the block clock: interval k starts at epochMs + k × intervalMs. Orders for
 * k close at its gate closure (start − lead); readings for k are taken from its end until its
 * reading deadline (end + readingDeadlineMs), when it settles.
 */
import type { MarketParams } from './params.ts';

export function intervalStartMs(mp: MarketParams, k: number): number {
  return mp.epochMs + k * mp.intervalMs;
}

export function intervalEndMs(mp: MarketParams, k: number): number {
  return intervalStartMs(mp, k + 1);
}

export function gateClosureMs(mp: MarketParams, k: number): number {
  return intervalStartMs(mp, k) - mp.gateClosureLeadMs;
}

export function readingDeadlineMs(mp: MarketParams, k: number): number {
  return intervalEndMs(mp, k) + mp.readingDeadlineMs;
}

/** The first interval whose gate is still open at `timeMs` (gate closure strictly later). */
export function firstOpenInterval(mp: MarketParams, timeMs: number): number {
  // gateClosure(k) > t  <=>  k > (t + lead − epoch) / length
  const k = Math.floor((timeMs + mp.gateClosureLeadMs - mp.epochMs) / mp.intervalMs) + 1;
  return Math.max(0, k);
}

export function isGateOpen(mp: MarketParams, k: number, timeMs: number): boolean {
  return gateClosureMs(mp, k) > timeMs;
}

/** Interval minutes for the grid check (intervalMs is whole minutes). */
export function intervalMinutes(mp: MarketParams): number {
  return mp.intervalMs / 60_000;
}
