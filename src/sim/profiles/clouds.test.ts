import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { CENTRAL_EUROPE_CLOUDS, clearSkyIndexSeries, dailyIndexFromUniform, meanDailyIndex } from './clouds.ts';
import type { TimeGrid } from './time.ts';

describe('cloud model', () => {
  it('maps uniforms monotonically onto daily indices within the class ranges', () => {
    let prev = -1;
    for (let u = 0; u < 1; u += 0.01) {
      const { index } = dailyIndexFromUniform(u, 180, CENTRAL_EUROPE_CLOUDS);
      expect(index).toBeGreaterThanOrEqual(prev);
      expect(index).toBeGreaterThanOrEqual(0.1);
      expect(index).toBeLessThanOrEqual(1);
      prev = index;
    }
    expect(meanDailyIndex(196, CENTRAL_EUROPE_CLOUDS)).toBeGreaterThan(meanDailyIndex(15, CENTRAL_EUROPE_CLOUDS) + 0.1);
  });

  const grid: TimeGrid = { startMs: Date.UTC(2023, 0, 1), intervalMinutes: 15, count: 365 * 96 };
  const series = clearSkyIndexSeries(grid, 10, CENTRAL_EUROPE_CLOUDS, createRng(5), 2);

  it('is clearer in summer than in winter, within its bounds', () => {
    const mean = (from: number, days: number): number => {
      let s = 0;
      for (let k = from * 96; k < (from + days) * 96; k++) s += series.actual[k] ?? 0;
      return s / (days * 96);
    };
    expect(mean(166, 61)).toBeGreaterThan(mean(0, 59) + 0.08);
    expect(series.actual.every((v) => v >= CENTRAL_EUROPE_CLOUDS.minIndex && v <= CENTRAL_EUROPE_CLOUDS.maxIndex)).toBe(true);
  });

  it('forecasts better than the daily index alone, but not perfectly', () => {
    // With a lag longer than the run, the forecast knows only each day's index.
    const dailyOnly = clearSkyIndexSeries(grid, 10, CENTRAL_EUROPE_CLOUDS, createRng(5), grid.count);
    expect(dailyOnly.actual).toEqual(series.actual);
    let errForecast = 0;
    let errDaily = 0;
    for (let k = 0; k < grid.count; k++) {
      const a = series.actual[k] ?? 0;
      errForecast += Math.abs(a - (series.forecast[k] ?? 0));
      errDaily += Math.abs(a - (dailyOnly.forecast[k] ?? 0));
    }
    expect(errForecast).toBeGreaterThan(0);
    expect(errForecast).toBeLessThan(0.8 * errDaily);
  });

  it('is fixed by the seed', () => {
    const again = clearSkyIndexSeries(grid, 10, CENTRAL_EUROPE_CLOUDS, createRng(5), 2);
    expect(again.actual).toEqual(series.actual);
    expect(clearSkyIndexSeries(grid, 10, CENTRAL_EUROPE_CLOUDS, createRng(6), 2).actual).not.toEqual(series.actual);
  });
});
