/**
 * order (member): an ask (sell up to energyWh at ≥ price) or a bid (buy up to energyWh at ≤ price)
 * for each of `intervals` intervals from `fromInterval`, firm or flexible (DESIGN.md section 2).
 * Only at the member's own bus, only before the first interval's gate closure, and never beyond
 * what the connection carries: a member's asks (bids) in one interval sum to at most its export
 * (import) limit × interval length, so the same kWh is never offered twice.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { reject } from '../codes.ts';
import { capacityWh } from '../market/params.ts';
import { EMPTY_POSITION, getPosition, openIntervals, setOrder, setPosition, takeId } from '../market/store.ts';
import { firstOpenInterval, gateClosureMs, isGateOpen } from '../market/time.ts';
import { requireActiveMember, requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';

export const MAX_ORDER_ENERGY_WH = 1_000_000_000;
export const MAX_PRICE_UC_PER_KWH = 1_000_000_000;

export const orderBody = z.strictObject({
  side: z.enum(['ask', 'bid']),
  bus: z.int(),
  energyWh: z.int().min(1).max(MAX_ORDER_ENERGY_WH),
  priceUcPerKwh: z.int().min(0).max(MAX_PRICE_UC_PER_KWH),
  flexible: z.boolean(),
  fromInterval: z.int().min(0),
  intervals: z.int().min(1).max(10_000),
});
export type OrderBody = z.infer<typeof orderBody>;

export const order = defineTxType<OrderBody>({
  type: 'order',
  body: orderBody,
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    const member = requireActiveMember(view, ctx.senderAddress);
    if (body.bus !== member.bus) reject('ORDER_WRONG_BUS', `${formatAddress(ctx.senderAddress)} is connected at bus ${member.bus}, not bus ${body.bus}`);
    if (body.intervals > mp.maxOrderIntervals) reject('ORDER_RUN_TOO_LONG', `an order covers at most ${mp.maxOrderIntervals} intervals`);
    const open = firstOpenInterval(mp, ctx.block.timeMs);
    if (body.fromInterval > open + mp.maxAheadIntervals) reject('ORDER_TOO_FAR_AHEAD', `interval ${body.fromInterval} is more than ${mp.maxAheadIntervals} intervals ahead`);
    if (!isGateOpen(mp, body.fromInterval, ctx.block.timeMs)) {
      reject('ORDER_GATE_CLOSED', `interval ${body.fromInterval} closed at ${gateClosureMs(mp, body.fromInterval)} ms (block time ${ctx.block.timeMs} ms)`);
    }
    const limitW = body.side === 'ask' ? member.exportLimitW : member.importLimitW;
    const capWh = capacityWh(limitW, mp);
    for (let k = body.fromInterval; k < body.fromInterval + body.intervals; k++) {
      const p = getPosition(view, k, ctx.senderAddress) ?? EMPTY_POSITION;
      const used = body.side === 'ask' ? p.askWh : p.bidWh;
      if (used + body.energyWh > capWh) {
        reject('ORDER_EXCEEDS_CAPACITY', `interval ${k}: ${used + body.energyWh} Wh of ${body.side}s exceed the connection's ${capWh} Wh (${limitW} W)`, {
          interval: k,
          capacityWh: capWh,
        });
      }
    }
  },
  apply(view, body, ctx) {
    const id = takeId(view, 'order');
    const last = body.fromInterval + body.intervals - 1;
    setOrder(view, id, {
      id,
      owner: ctx.senderAddress,
      side: body.side,
      bus: body.bus,
      energyWh: body.energyWh,
      priceUcPerKwh: body.priceUcPerKwh,
      flexible: body.flexible,
      fromInterval: body.fromInterval,
      lastInterval: last,
      placedHeight: ctx.block.height,
    });
    const ks: number[] = [];
    for (let k = body.fromInterval; k <= last; k++) {
      const p = getPosition(view, k, ctx.senderAddress) ?? EMPTY_POSITION;
      setPosition(view, k, ctx.senderAddress, {
        ...p,
        askWh: p.askWh + (body.side === 'ask' ? body.energyWh : 0),
        bidWh: p.bidWh + (body.side === 'bid' ? body.energyWh : 0),
        orders: [...p.orders, id],
      });
      ks.push(k);
    }
    openIntervals(view, ctx.senderAddress, ks);
    ctx.emit('order', {
      id,
      owner: formatAddress(ctx.senderAddress),
      side: body.side,
      energy_wh: String(body.energyWh),
      price_uc_per_kwh: String(body.priceUcPerKwh),
      flexible: String(body.flexible),
      from_interval: String(body.fromInterval),
      last_interval: String(last),
    });
  },
});
