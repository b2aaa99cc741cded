/**
 * Uniform-price (pay-as-clear) double auction, DESIGN.md section 2: pair in merit order, the
 * highest bid with the lowest ask (ties by order id), while the bid's limit is at least the ask's;
 * every pair trades at one price, the midpoint of the marginal (last) pair floored to an integer.
 * The marginal pair has the highest traded ask limit and the lowest traded bid limit, so every
 * trade satisfies ask limit <= price <= bid limit.
 */
import { auctionMatch, type Match } from './match.ts';
import type { Order } from './order.ts';
import { compareIds } from './order.ts';

export interface AuctionResult {
  /** In pairing order. */
  trades: Match[];
  /** null when nothing trades. */
  clearingPriceUcPerKwh: number | null;
}

/** `remainingWh[i]` is what order i offers to the auction (its energy less contract deliveries). */
export function runDoubleAuction(orders: readonly Order[], remainingWh: readonly number[]): AuctionResult {
  const asks: number[] = [];
  const bids: number[] = [];
  orders.forEach((o, i) => {
    if ((remainingWh[i] as number) > 0) (o.side === 'ask' ? asks : bids).push(i);
  });
  const at = (i: number): Order => orders[i] as Order;
  const price = Float64Array.from(orders, (o) => o.priceUcPerKwh);
  const ids = orders.map((o) => o.id);
  asks.sort((a, b) => (price[a] as number) - (price[b] as number) || compareIds(ids[a] as string, ids[b] as string));
  bids.sort((a, b) => (price[b] as number) - (price[a] as number) || compareIds(ids[a] as string, ids[b] as string));

  const trades: Match[] = [];
  let ai = 0;
  let bi = 0;
  let askLeft = remainingWh[asks[0] ?? -1] ?? 0;
  let bidLeft = remainingWh[bids[0] ?? -1] ?? 0;
  let marginal: [Order, Order] | null = null;
  while (ai < asks.length && bi < bids.length) {
    const ask = at(asks[ai] as number);
    const bid = at(bids[bi] as number);
    if (ask.priceUcPerKwh > bid.priceUcPerKwh) break;
    const q = Math.min(askLeft, bidLeft);
    trades.push(auctionMatch(ask, bid, q));
    marginal = [ask, bid];
    askLeft -= q;
    bidLeft -= q;
    if (askLeft === 0) askLeft = remainingWh[asks[++ai] ?? -1] ?? 0;
    if (bidLeft === 0) bidLeft = remainingWh[bids[++bi] ?? -1] ?? 0;
  }
  const clearingPriceUcPerKwh = marginal === null ? null : Math.floor((marginal[0].priceUcPerKwh + marginal[1].priceUcPerKwh) / 2);
  return { trades, clearingPriceUcPerKwh };
}
