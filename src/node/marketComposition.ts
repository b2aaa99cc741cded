/**
 * What a node adds when its chain has a market: the market's hooks and system accounts in the
 * ledger app (marketAppOptions; without them every market transaction is refused), and the
 * market's next deadline as the on-demand block policy's `needsBlockAt`, so an on-demand chain
 * makes its blocks at gate closures and reading deadlines. `node start` (processMain.ts), the
 * in-process cluster of the simulation and its node processes all use it.
 *
 * A genesis has a market when `params.market` sets at least one field: `market: {}`, the default
 * of `node init` and `testnet`, is a chain without one.
 */
import type { AppOptions, LedgerApp, Params } from '../ledger/index.ts';
import { gateClosureMs, marketAppOptions, marketCodecs, marketKeys, marketParams, readingDeadlineMs, readMarketRecord } from '../ledger/market/index.ts';
import type { KeyQuery, MarketParams } from '../ledger/market/index.ts';

export interface MarketComposition {
  readonly app: AppOptions;
  readonly needsBlockAt: (app: LedgerApp) => number | undefined;
}

export function hasMarket(params: Params): boolean {
  return Object.keys(params.market).length > 0;
}

/** The market's app options and deadline for a chain with these parameters; undefined without a market. */
export function marketComposition(params: Params): MarketComposition | undefined {
  if (!hasMarket(params)) return undefined;
  const mp = marketParams(params);
  return { app: marketAppOptions(params), needsBlockAt: (app) => nextMarketDeadline(app, mp) };
}

/**
 * The next market moment that needs a block: the next gate closure, or the reading deadline of the
 * first cleared interval not yet settled if that comes first; undefined before the market's first
 * block. BFT time lags a commit behind, so a moment stays due until a block carries a time at or
 * after it. Readings of an interval are admitted once a block's time has passed its end; a gate
 * closure's block provides that for the intervals before the one it closes.
 */
export function nextMarketDeadline(state: KeyQuery, mp: MarketParams): number | undefined {
  const clock = readMarketRecord(state, marketKeys.clock, marketCodecs.clock);
  if (clock === undefined) return undefined;
  const gate = gateClosureMs(mp, clock.nextClear);
  return clock.nextSettle < clock.nextClear ? Math.min(gate, readingDeadlineMs(mp, clock.nextSettle)) : gate;
}
