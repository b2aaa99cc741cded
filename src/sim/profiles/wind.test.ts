import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import type { TimeGrid } from './time.ts';
import { DEFAULT_TURBINE, shearFactor, turbinePowerW, weibullMean, weibullScaleFromMean, windEnergySeries, windSpeedSeries, type WindClimate } from './wind.ts';

const turbine = { ...DEFAULT_TURBINE, ratedW: 5000 };

describe('power curve', () => {
  it('is zero below cut-in and from cut-out, rated in between rated speed and cut-out, rising in between', () => {
    expect(turbinePowerW(turbine, 2.9)).toBe(0);
    expect(turbinePowerW(turbine, 3)).toBe(0);
    expect(turbinePowerW(turbine, 11)).toBe(5000);
    expect(turbinePowerW(turbine, 24.9)).toBe(5000);
    expect(turbinePowerW(turbine, 25)).toBe(0);
    let prev = 0;
    for (let v = 3; v <= 11; v += 0.25) {
      const p = turbinePowerW(turbine, v);
      expect(p).toBeGreaterThanOrEqual(prev);
      prev = p;
    }
  });

  it('scales speed to hub height by the power law or the log law', () => {
    expect(shearFactor({ kind: 'power', alpha: 1 / 7 }, 10, 20)).toBeCloseTo(2 ** (1 / 7), 12);
    expect(shearFactor({ kind: 'log', roughnessM: 0.03 }, 10, 20)).toBeCloseTo(Math.log(20 / 0.03) / Math.log(10 / 0.03), 12);
    expect(shearFactor({ kind: 'power', alpha: 0.2 }, 10, 10)).toBe(1);
  });

  it('converts a mean speed into the Weibull scale and back', () => {
    expect(weibullScaleFromMean(5, 2)).toBeCloseTo(5 / (Math.sqrt(Math.PI) / 2), 9);
    expect(weibullMean(2.3, weibullScaleFromMean(6.1, 2.3))).toBeCloseTo(6.1, 9);
  });
});

describe('wind series', () => {
  const climate: WindClimate = { weibullK: 2, weibullScaleMps: weibullScaleFromMean(5, 2), referenceHeightM: 10, hourlyAutocorrelation: 0.9 };
  const grid: TimeGrid = { startMs: Date.UTC(2023, 0, 1), intervalMinutes: 60, count: 4 * 8760 };
  const speeds = windSpeedSeries(grid, climate, createRng(21), 1);

  it('has the Weibull mean and hourly persistence', () => {
    const n = speeds.actual.length;
    let s = 0;
    for (const v of speeds.actual) s += v;
    const mean = s / n;
    expect(mean / weibullMean(climate.weibullK, climate.weibullScaleMps)).toBeCloseTo(1, 1);
    let cov = 0;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      variance += ((speeds.actual[i] ?? 0) - mean) ** 2;
      if (i > 0) cov += ((speeds.actual[i] ?? 0) - mean) * ((speeds.actual[i - 1] ?? 0) - mean);
    }
    expect(cov / variance).toBeGreaterThan(0.8);
  });

  it('gives the capacity factor of the power curve integrated over the hub-height Weibull distribution', () => {
    const wh = windEnergySeries(turbine, climate.referenceHeightM, grid, speeds.actual);
    let energy = 0;
    for (const v of wh) energy += v;
    const cfSim = energy / (turbine.ratedW * grid.count);
    // Numerical expectation: the Weibull shape is unchanged by a constant shear factor, the scale is multiplied by it.
    const c = climate.weibullScaleMps * shearFactor(turbine.shear, climate.referenceHeightM, turbine.hubHeightM);
    const k = climate.weibullK;
    let expected = 0;
    const dv = 0.001;
    for (let v = dv / 2; v < 40; v += dv) expected += (turbinePowerW(turbine, v) / turbine.ratedW) * (k / c) * (v / c) ** (k - 1) * Math.exp(-((v / c) ** k)) * dv;
    expect(expected).toBeGreaterThan(0.05);
    // Four years of hourly values with hourly correlation 0.9: about 1,900 independent samples,
    // a standard error near 0.005; allow 0.02.
    expect(Math.abs(cfSim - expected)).toBeLessThan(0.02);
  });

  it('forecasts from the state `lag` hours back, and is fixed by the seed', () => {
    let errForecast = 0;
    let errClimatology = 0;
    const median = climate.weibullScaleMps * Math.log(2) ** (1 / climate.weibullK);
    for (let i = 0; i < grid.count; i++) {
      errForecast += Math.abs((speeds.actual[i] ?? 0) - (speeds.forecast[i] ?? 0));
      errClimatology += Math.abs((speeds.actual[i] ?? 0) - median);
    }
    expect(errForecast).toBeLessThan(0.6 * errClimatology);
    expect(windSpeedSeries(grid, climate, createRng(21), 1).actual).toEqual(speeds.actual);
    expect(windSpeedSeries(grid, climate, createRng(22), 1).actual).not.toEqual(speeds.actual);
  });
});
