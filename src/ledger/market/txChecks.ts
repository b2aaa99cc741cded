/** Checks every market transaction shares: the market runs on this app, the sender is a member. */
import { formatAddress } from '../address.ts';
import { reject } from '../codes.ts';
import type { TxContext } from '../context.ts';
import { getMember } from '../members.ts';
import type { Member } from '../records.ts';
import type { StateReader } from '../state.ts';
import { marketEndBlocker } from './endBlock.ts';
import { marketParams } from './params.ts';
import type { MarketParams } from './params.ts';

/**
 * The market's parameters, if this app clears and settles (its end blocker is installed):
 * without it an order would be accepted and never cleared.
 */
export function requireMarket(ctx: TxContext): MarketParams {
  if (!ctx.block.hooks.endBlockers.includes(marketEndBlocker)) reject('MARKET_DISABLED', 'this chain runs without the market (no market end blocker)');
  return marketParams(ctx.block.params);
}

export function requireActiveMember(view: StateReader, address: Uint8Array): Member {
  const m = getMember(view, address);
  if (m === undefined || m.status !== 'active') reject('MARKET_NOT_MEMBER', `${formatAddress(address)} is not an active member`);
  return m;
}
