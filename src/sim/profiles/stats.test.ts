import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { ar1Series, gammaFn, lognormalForecastFactor, normalCdf, rescaleAutocorrelation } from './stats.ts';

describe('normalCdf', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.841344746, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalCdf(3)).toBeCloseTo(0.998650102, 6);
    expect(normalCdf(-8)).toBeGreaterThan(0);
  });
});

describe('gammaFn', () => {
  it('matches factorials and Gamma(1/2) = sqrt(pi)', () => {
    expect(gammaFn(5)).toBeCloseTo(24, 9);
    expect(gammaFn(1)).toBeCloseTo(1, 12);
    expect(gammaFn(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(gammaFn(1.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 12);
  });
});

describe('ar1Series', () => {
  it('has unit variance and the requested lag-1 correlation', () => {
    const r = createRng(9);
    const x = ar1Series(200_000, 0.8, () => r.normal());
    let s2 = 0;
    let lag = 0;
    for (let i = 0; i < x.length; i++) {
      s2 += x[i]! ** 2;
      if (i > 0) lag += x[i]! * x[i - 1]!;
    }
    expect(s2 / x.length).toBeCloseTo(1, 1);
    expect(lag / (x.length - 1)).toBeCloseTo(0.8, 1);
    expect(() => ar1Series(3, 1, () => 0)).toThrow(RangeError);
  });

  it('rescales a correlation to another step length', () => {
    expect(rescaleAutocorrelation(0.9, 60, 15) ** 4).toBeCloseTo(0.9, 12);
  });

  it('forecasts a mean-one lognormal factor without bias', () => {
    // Average the forecast factor over the stationary distribution of the past state: E = 1.
    const r = createRng(10);
    let s = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) s += lognormalForecastFactor(r.normal(), 0.4, 0.7, 2);
    expect(s / n).toBeCloseTo(1, 2);
  });
});
