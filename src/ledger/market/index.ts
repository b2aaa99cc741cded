/**
 * The energy market on chain (issue 6): transactions (tx/order.ts, cancelOrder.ts,
 * contractCreate.ts, contractAccept.ts, contractTerminate.ts, meterReading.ts, pccReading.ts,
 * repayDebt.ts), clearing and settlement in the end blocker, a leave guard. Protocol:
 * docs/settlement.md.
 *
 * The node turns it on when it builds the app:
 *   const app = createApp(marketAppOptions(genesis.params));      // or restoreApp(entries, ...)
 * Without it market transactions are refused (MARKET_DISABLED).
 */
import type { AppOptions } from '../app.ts';
import type { Params } from '../params.ts';
import { marketEndBlocker } from './endBlock.ts';
import { marketLeaveGuard } from './leaveGuard.ts';
import { marketParams } from './params.ts';

export { nextMarketDeadlineMs } from './deadlines.ts';
export { marketEndBlocker } from './endBlock.ts';
export { marketLeaveGuard } from './leaveGuard.ts';
export { capacityWh, DEFAULT_MAIN_GRID_ADDRESS, DEFAULT_TREASURY_ADDRESS, marketParams, marketParamsSchema } from './params.ts';
export type { MarketParams, MarketParamsInput } from './params.ts';
export { readMarketRecord } from './query.ts';
export type { KeyQuery } from './query.ts';
export { marketCodecForKey, marketCodecs, marketKeys } from './records.ts';
export type { ClearedTrade, ClearingRecord, Contract, MarketAlert, MarketOrder, MemberSettlementRecord, Position, SettlementRecord } from './records.ts';
export { firstOpenInterval, gateClosureMs, intervalEndMs, intervalStartMs, readingDeadlineMs } from './time.ts';

/**
 * App options with the market: its hooks added after `base`'s, the main grid as a system account
 * (it may go negative). Checks the market parameters (MARKET_PARAMS_INVALID).
 */
export function marketAppOptions(params: Params, base: AppOptions = {}): AppOptions {
  const mp = marketParams(params);
  return {
    ...base,
    hooks: {
      beginBlockers: base.hooks?.beginBlockers ?? [],
      endBlockers: [...(base.hooks?.endBlockers ?? []), marketEndBlocker],
      leaveGuards: [...(base.hooks?.leaveGuards ?? []), marketLeaveGuard],
    },
    systemAccounts: [...(base.systemAccounts ?? []), mp.mainGridAddress],
  };
}
