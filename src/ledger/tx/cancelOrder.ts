/**
 * cancel_order (the order's owner): withdraws an order from every interval whose gate is still
 * open. Intervals already closed keep it (they are cleared or about to be); if none is open the
 * cancellation is refused (ORDER_GATE_CLOSED).
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { orderId } from '../market/records.ts';
import { closeInterval, getOrder, getPosition, setOrder, setPosition } from '../market/store.ts';
import { firstOpenInterval } from '../market/time.ts';
import { requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';

export const cancelOrderBody = z.strictObject({ orderId });
export type CancelOrderBody = z.infer<typeof cancelOrderBody>;

export const cancelOrder = defineTxType<CancelOrderBody>({
  type: 'cancel_order',
  body: cancelOrderBody,
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    const o = getOrder(view, body.orderId);
    if (o === undefined) reject('ORDER_NOT_FOUND', `no order ${body.orderId}`);
    if (!bytesEqual(o.owner, ctx.senderAddress)) reject('ORDER_NOT_OWNER', `order ${body.orderId} belongs to ${formatAddress(o.owner)}`);
    const open = firstOpenInterval(mp, ctx.block.timeMs);
    if (o.lastInterval < open) reject('ORDER_GATE_CLOSED', `every interval of order ${body.orderId} is past its gate closure`);
  },
  apply(view, body, ctx) {
    const mp = requireMarket(ctx);
    const o = getOrder(view, body.orderId);
    if (o === undefined) return;
    const first = Math.max(o.fromInterval, firstOpenInterval(mp, ctx.block.timeMs));
    for (let k = first; k <= o.lastInterval; k++) {
      const p = getPosition(view, k, o.owner);
      if (p === undefined) continue;
      const next = {
        ...p,
        askWh: p.askWh - (o.side === 'ask' ? o.energyWh : 0),
        bidWh: p.bidWh - (o.side === 'bid' ? o.energyWh : 0),
        orders: p.orders.filter((id) => id !== o.id),
      };
      setPosition(view, k, o.owner, next);
      if (next.orders.length === 0 && next.reading === null) closeInterval(view, o.owner, k);
    }
    // Intervals before `first` keep the order until they settle; none: it is gone now.
    setOrder(view, o.id, first > o.fromInterval ? { ...o, lastInterval: first - 1 } : undefined);
    ctx.emit('cancel_order', { id: o.id, owner: formatAddress(o.owner), from_interval: String(first) });
  },
});
