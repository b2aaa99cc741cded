/**
 * The end blocker's clock: clearing at the first block at or after gate closure, a missed
 * interval (no block between gate closure and start) settling entirely with the main grid,
 * settlement at the reading deadline, restarts, and the deadlines an on-demand chain is asked for.
 */
import { describe, expect, it } from 'vitest';
import { restoreApp } from '../app.ts';
import { utf8 } from '../bytes.ts';
import { nextMarketDeadlineMs } from './deadlines.ts';
import { marketAppOptions } from './index.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { workedPair } from './testkit.ts';

function placed() {
  const { m, A, B } = workedPair({ fees: { baseUc: 1_000, perByteUc: 0 } });
  m.blockAt(m.start(0) + 10_000, [
    m.net.tx(A.signer, 'order', { side: 'ask', bus: 2, energyWh: 3_000, priceUcPerKwh: 150_000, flexible: false, fromInterval: 1, intervals: 2 }),
    m.net.tx(B.signer, 'order', { side: 'bid', bus: 3, energyWh: 4_000, priceUcPerKwh: 250_000, flexible: false, fromInterval: 1, intervals: 2 }),
  ]);
  return { m, A, B };
}

describe('the market end blocker', () => {
  it('clears every interval whose gate closed, in order, in the first block after', () => {
    const { m } = placed();
    m.blockAt(m.gateClosure(1) - 1);
    expect(m.clearing(1)).toBeUndefined();
    // One block after both gate closures (and after interval 1 started): 1 is missed, 2 cleared.
    const r = m.blockAt(m.gateClosure(2));
    expect(r.events.filter((e) => e.type === 'market_clear').map((e) => [e.attributes['interval'], e.attributes['status']])).toEqual([
      ['1', 'missed'],
      ['2', 'cleared'],
    ]);
    expect(m.record(marketKeys.clock, marketCodecs.clock)).toEqual({ nextClear: 3, nextSettle: 1 });
    // Interval 2: A's ask meets B's bid at floor((150,000 + 250,000) / 2) = 200,000.
    expect(m.clearing(2)?.trades.map((t) => [t.kind, t.energyWh, t.priceUcPerKwh])).toEqual([['auction', 3_000, 200_000]]);
  });

  it('a missed interval settles entirely with the main grid', () => {
    // No block between interval 1's gate closure and its start: no trade. Readings as in the
    // worked example: A exports 3,000 Wh at feed-in (3 × 80,000 = 240,000 µc), B imports 4,000 Wh
    // at retail (4 × 300,000 = 1,200,000 µc); no grid fee, no tax, nothing minted.
    const { m, A, B } = placed();
    const a0 = m.balance(A.signer.address);
    const b0 = m.balance(B.signer.address);
    const grid0 = m.balance(m.mp.mainGridAddress);
    m.blockAt(m.start(1));
    expect(m.clearing(1)?.status).toBe('missed');
    expect(m.clearing(1)?.trades).toEqual([]);
    m.blockAt(m.end(1), [
      m.net.tx(A.meter, 'meter_reading', { interval: 1, producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 }),
      m.net.tx(B.meter, 'meter_reading', { interval: 1, producedWh: 0, consumedWh: 4_000, renewableWh: 0 }),
      m.net.tx(m.net.chain.operator, 'pcc_reading', { interval: 1, importWh: 1_010, exportWh: 0 }),
    ]);
    m.blockAt(m.deadline(1));
    const s = m.settlement(1);
    expect(s?.status).toBe('settled');
    expect(s?.grid).toEqual({ importWh: 4_000, exportWh: 3_000 });
    expect(s?.totals).toMatchObject({ tradedWh: 0, gridFeeUc: 0, taxUc: 0, mintedUc: 0, mainGridNetUc: 1_200_000 - 240_000 });
    expect(m.balance(A.signer.address) - a0).toBe(240_000);
    expect(m.balance(B.signer.address) - b0).toBe(-1_200_000);
    expect(m.balance(m.mp.mainGridAddress) - grid0).toBe(960_000);
  });

  it('state with market records survives a restart: same app hash, supply audited', () => {
    const { m } = placed();
    m.blockAt(m.gateClosure(2));
    const entries = m.net.app.entries().map(([k, v]) => [utf8(k), v] as const);
    expect(entries.some(([k]) => Buffer.from(k).toString().startsWith('mkt/clr/'))).toBe(true);
    const again = restoreApp(entries, marketAppOptions(m.params));
    expect(Buffer.from(again.info().appHash)).toEqual(Buffer.from(m.net.app.info().appHash));
  });

  it('asks an on-demand chain for a block at the next gate closure, interval end and reading deadline', () => {
    const { m } = placed();
    // The clock started at the first block: interval 1 is the next to clear.
    expect(nextMarketDeadlineMs(m.net.app)).toBe(m.gateClosure(1));
    m.blockAt(m.gateClosure(1));
    // Interval 1 cleared: 2's gate closure (1's start + 10 min) comes before 1's end (+ 15 min).
    expect(nextMarketDeadlineMs(m.net.app)).toBe(m.gateClosure(2));
    m.blockAt(m.gateClosure(2));
    expect(nextMarketDeadlineMs(m.net.app)).toBe(m.end(1));
    m.blockAt(m.end(1));
    expect(nextMarketDeadlineMs(m.net.app)).toBe(m.deadline(1));
    m.blockAt(m.deadline(1));
    // Interval 1 settled: 3's gate closure (1's end + 10 min) comes before 2's end (+ 15 min).
    expect(nextMarketDeadlineMs(m.net.app)).toBe(m.gateClosure(3));
  });
});
