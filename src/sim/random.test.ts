import { describe, expect, it } from 'vitest';
import { createRng, xoshiro128StarStar } from './random.ts';

const draws = (seed: number | string, n: number): number[] => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r.uint32());
};

describe('xoshiro128**', () => {
  it('matches the reference generator from state {1, 2, 3, 4}', () => {
    // Worked by hand from Blackman and Vigna's reference C code: result = rotl(s[1] * 5, 7) * 9.
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    expect([next(), next(), next(), next()]).toEqual([11520, 0, 5927040, 70819200]);
  });
});

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    expect(draws(42, 50)).toEqual(draws(42, 50));
    expect(draws(42, 50)).not.toEqual(draws(43, 50));
    expect(draws('city', 50)).toEqual(draws('city', 50));
    expect(draws('city', 50)).not.toEqual(draws('town', 50));
    // Seeds above 2^32 are not truncated into collisions.
    expect(draws(1, 10)).not.toEqual(draws(2 ** 32 + 1, 10));
  });

  it('forks by label, independent of what the parent has drawn', () => {
    const a = createRng(7);
    const fresh = a.fork('household:1');
    for (let i = 0; i < 1000; i++) a.next();
    const later = a.fork('household:1');
    const seq = (r: ReturnType<typeof createRng>): number[] => Array.from({ length: 20 }, () => r.uint32());
    expect(seq(later)).toEqual(seq(fresh));
    expect(seq(createRng(7).fork('household:1'))).not.toEqual(seq(createRng(7).fork('household:2')));
    expect(seq(createRng(7).fork('x'))).not.toEqual(seq(createRng(8).fork('x')));
    expect(seq(createRng(7).fork('x').fork('y'))).not.toEqual(seq(createRng(7).fork('y')));
  });

  it('draws uniforms in [0, 1) with the right mean and a flat histogram', () => {
    const r = createRng(1);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      bins[Math.floor(u * 10)]! += 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile.
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const r = createRng(2);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(createRng(3).normal(10, 0)).toBe(10);
  });

  it('draws Weibull values with mean c * Gamma(1 + 1/k)', () => {
    const r = createRng(4);
    const n = 100_000;
    let s = 0;
    for (let i = 0; i < n; i++) s += r.weibull(2, 6);
    // Gamma(1.5) = sqrt(pi) / 2.
    expect(s / n / (6 * (Math.sqrt(Math.PI) / 2))).toBeCloseTo(1, 2);
  });

  it('draws integers below n, and refuses a bad n', () => {
    const r = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const k = r.intBelow(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      seen.add(k);
    }
    expect(seen.size).toBe(7);
    expect(() => r.intBelow(0)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(RangeError);
  });
});
