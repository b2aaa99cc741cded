import { describe, expect, it } from 'vitest';
import { createPrng, xoshiro128ss } from './prng.ts';

describe('xoshiro128** PRNG', () => {
  it('follows the reference algorithm (state 1, 2, 3, 4, outputs worked by hand)', () => {
    // out = rotl(s1 * 5, 7) * 9: 2*5 = 10 -> 1280 -> 11520; then s1 = 0 -> 0; then s1 = 1029 -> 5927040
    const p = xoshiro128ss(1, 2, 3, 4);
    expect([p.nextU32(), p.nextU32(), p.nextU32()]).toEqual([11520, 0, 5927040]);
  });

  it('repeats a sequence for a seed and differs between seeds', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const xs = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('draws integers in range, roughly uniformly', () => {
    const p = createPrng(7);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) {
      const k = p.int(5);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const x = p.between(3, 6);
      expect(x >= 3 && x <= 6 && Number.isInteger(x)).toBe(true);
    }
  });
});
