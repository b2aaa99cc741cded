/**
 * meter_reading (a registered meter): what the member's meter measured in one interval, produced
 * and consumed Wh and, of the production, the renewable part (PV, wind: the only energy minted
 * for). The transaction's sender IS the meter key the operator registered at join (`meter/<key>`),
 * so the envelope signature is the meter's signature: verified once like any transaction,
 * protected from replay by the meter account's nonce and the chain id. The meter's account pays
 * the fee (the member or the operator funds it). A member cannot sign for its meter.
 * One reading per meter and interval, from the interval's end until its reading deadline.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { reject } from '../codes.ts';
import { getMember, meterOwner } from '../members.ts';
import { EMPTY_POSITION, getClock, getPosition, openIntervals, setPosition } from '../market/store.ts';
import { firstOpenInterval, intervalEndMs, readingDeadlineMs } from '../market/time.ts';
import type { MarketParams } from '../market/params.ts';
import { requireMarket } from '../market/txChecks.ts';
import type { StateReader } from '../state.ts';
import { defineTxType } from './types.ts';

const wh = z.int().min(0).max(1_000_000_000);

export const meterReadingBody = z.strictObject({ interval: z.int().min(0), producedWh: wh, consumedWh: wh, renewableWh: wh });
export type MeterReadingBody = z.infer<typeof meterReadingBody>;

/** A reading for k is taken after k ends and before its deadline, while k is not settled. */
export function checkReadingWindow(view: StateReader, mp: MarketParams, k: number, timeMs: number): void {
  if (timeMs < intervalEndMs(mp, k)) reject('READING_WRONG_INTERVAL', `interval ${k} has not ended (it ends at ${intervalEndMs(mp, k)} ms, block time ${timeMs} ms)`);
  // Before the market's first end block, nothing earlier than the first open interval will settle.
  const settledUpTo = getClock(view)?.nextSettle ?? firstOpenInterval(mp, timeMs);
  if (timeMs >= readingDeadlineMs(mp, k) || k < settledUpTo) {
    reject('READING_LATE', `readings for interval ${k} closed at ${readingDeadlineMs(mp, k)} ms (block time ${timeMs} ms)`);
  }
}

export const meterReading = defineTxType<MeterReadingBody>({
  type: 'meter_reading',
  body: meterReadingBody,
  checkStateless(body) {
    if (body.renewableWh > body.producedWh) reject('READING_INVALID', 'renewable energy cannot exceed production');
  },
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    const member = meterOwner(view, ctx.sender);
    if (member === undefined) reject('METER_NOT_REGISTERED', 'the sender is not a registered meter key');
    if (getMember(view, member)?.status !== 'active') reject('MARKET_NOT_MEMBER', `meter's member ${formatAddress(member)} is not active`);
    checkReadingWindow(view, mp, body.interval, ctx.block.timeMs);
    if ((getPosition(view, body.interval, member)?.reading ?? null) !== null) reject('READING_DUPLICATE', `interval ${body.interval} already has this meter's reading`);
  },
  apply(view, body, ctx) {
    const member = meterOwner(view, ctx.sender);
    if (member === undefined) return;
    const p = getPosition(view, body.interval, member) ?? EMPTY_POSITION;
    const reading = { producedWh: body.producedWh, consumedWh: body.consumedWh, renewableWh: body.renewableWh };
    setPosition(view, body.interval, member, { ...p, reading });
    openIntervals(view, member, [body.interval]);
    ctx.emit('meter_reading', {
      member: formatAddress(member),
      interval: String(body.interval),
      produced_wh: String(body.producedWh),
      consumed_wh: String(body.consumedWh),
      renewable_wh: String(body.renewableWh),
    });
  },
});
