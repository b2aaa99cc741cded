/**
 * The market's end blocker: every block, clear each interval whose gate closure has come (in
 * order), then settle each cleared interval whose reading deadline has come. A cursor in state
 * (`mkt/clock`) remembers how far both have gone; it starts at the first block the market runs
 * in, at the first interval whose gate is still open.
 */
import type { BlockHook } from '../context.ts';
import { clearMarketInterval } from './clearing.ts';
import { marketParams } from './params.ts';
import { settleMarketInterval } from './settle.ts';
import { getClock, setClock } from './store.ts';
import { firstOpenInterval, gateClosureMs, readingDeadlineMs } from './time.ts';

export const marketEndBlocker: BlockHook = (view, ctx) => {
  const mp = marketParams(ctx.params);
  const start = getClock(view);
  let { nextClear, nextSettle } = start ?? { nextClear: firstOpenInterval(mp, ctx.timeMs), nextSettle: firstOpenInterval(mp, ctx.timeMs) };
  while (gateClosureMs(mp, nextClear) <= ctx.timeMs) {
    clearMarketInterval(view, ctx, mp, nextClear);
    nextClear++;
  }
  while (nextSettle < nextClear && readingDeadlineMs(mp, nextSettle) <= ctx.timeMs) {
    settleMarketInterval(view, ctx, mp, nextSettle);
    nextSettle++;
  }
  if (start === undefined || start.nextClear !== nextClear || start.nextSettle !== nextSettle) setClock(view, { nextClear, nextSettle });
};
