import { compareIds } from './order.ts';
import type { Order } from './order.ts';

/**
 * A matched quantity between a seller side and a buyer side: an auction trade or one piece of a
 * contract delivery. The grid check works on matches alone, whatever made them.
 */
export interface MatchSide {
  bus: number;
  /** True when this side's flow follows the match's energy (cutting the match cuts the flow). */
  flexible: boolean;
}

/**
 * Cut order of the grid check: `spare` (deliveries that agreed to use only spare capacity) go
 * first, then `auction` trades, then other flexible `contract` deliveries (contracts are
 * scheduled before the auction, so they keep their capacity longest); `never` is not cut (firm).
 */
export type CutClass = 'spare' | 'auction' | 'contract' | 'never';

export const CUT_CLASS_ORDER: Readonly<Record<CutClass, number>> = { spare: 0, auction: 1, contract: 2, never: 3 };

export interface Match {
  kind: 'auction' | 'contract';
  /** The ask's order id; for a contract piece without a covering ask, the contract id. */
  ask: string;
  /** The bid's order id; for a contract piece without a covering bid, the contract id. */
  bid: string;
  contractId?: string;
  energyWh: number;
  /** Limit prices of the two sides (auction trades only; contracts carry their own price). */
  askLimitUcPerKwh: number;
  bidLimitUcPerKwh: number;
  seller: MatchSide;
  buyer: MatchSide;
  cutClass: CutClass;
}

/** An auction trade of `energyWh` between an ask and a bid (greedy and optimal clearing alike). */
export function auctionMatch(ask: Order, bid: Order, energyWh: number): Match {
  return {
    kind: 'auction',
    ask: ask.id,
    bid: bid.id,
    energyWh,
    askLimitUcPerKwh: ask.priceUcPerKwh,
    bidLimitUcPerKwh: bid.priceUcPerKwh,
    seller: { bus: ask.bus, flexible: ask.flexible },
    buyer: { bus: bid.bus, flexible: bid.flexible },
    cutClass: 'auction',
  };
}

/** Order of matches in every output and every tie: contract pieces first, then ask id, bid id. */
export function compareMatches(a: Match, b: Match): number {
  if (a.kind !== b.kind) return a.kind === 'contract' ? -1 : 1;
  return compareIds(a.contractId ?? '', b.contractId ?? '') || compareIds(a.ask, b.ask) || compareIds(a.bid, b.bid);
}
