import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { CENTRAL_EUROPE_CLOUDS, clearSkyIndexSeries } from './clouds.ts';
import { DEFAULT_PV, pvEnergySeries } from './pv.ts';
import { solarPosition } from './solar.ts';
import { CENTRAL_EUROPE_TEMPERATURE } from './temperature.ts';
import type { TimeGrid } from './time.ts';

const system = { ...DEFAULT_PV, kWp: 1 };
const total = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ?? 0;
  return s;
};

function year(latitudeDeg: number, seed: number): { grid: TimeGrid; wh: Int32Array } {
  const grid: TimeGrid = { startMs: Date.UTC(2023, 0, 1), intervalMinutes: 15, count: 365 * 96 };
  const clouds = clearSkyIndexSeries(grid, 10, CENTRAL_EUROPE_CLOUDS, createRng(seed), 2);
  return { grid, wh: pvEnergySeries(system, { latitudeDeg, longitudeDeg: 10 }, grid, clouds.actual, CENTRAL_EUROPE_TEMPERATURE) };
}

describe('PV output', () => {
  it('is zero whenever the sun is below the horizon for the whole interval', () => {
    const { grid, wh } = year(50, 1);
    let nightIntervals = 0;
    for (let k = 0; k < grid.count; k += 7) {
      const start = grid.startMs + k * 900_000;
      const up = [0, 5, 10, 15].some((m) => solarPosition(start + m * 60_000, 50, 10).cosZenith > 0);
      if (!up) {
        nightIntervals++;
        expect(wh[k]).toBe(0);
      }
    }
    expect(nightIntervals).toBeGreaterThan(1000);
  });

  it('peaks at solar noon under a clear sky (noon = 12:00 - 4 min/° longitude on days the equation of time is ~0)', () => {
    for (const [day, lon] of [
      [Date.UTC(2024, 3, 15), 10],
      [Date.UTC(2024, 5, 13), -3],
      [Date.UTC(2024, 11, 25), 20],
    ] as const) {
      const grid: TimeGrid = { startMs: day, intervalMinutes: 5, count: 288 };
      // 1 MWp so that integer Wh resolve the flat top of the curve.
      const wh = pvEnergySeries({ ...system, kWp: 1000 }, { latitudeDeg: 50, longitudeDeg: lon }, grid, new Float64Array(288).fill(1), CENTRAL_EUROPE_TEMPERATURE);
      let best = 0;
      for (let k = 1; k < 288; k++) if ((wh[k] ?? 0) > (wh[best] ?? 0)) best = k;
      const peakMinute = best * 5 + 2.5;
      // Within two 5-min steps: the daily air temperature cycle (warmest at 15:00) pulls the peak a little earlier.
      expect(Math.abs(peakMinute - (720 - 4 * lon))).toBeLessThanOrEqual(10);
    }
  });

  it(
    'yields a plausible 900-1200 kWh/kWp a year at 48-52°N, more in summer than in winter',
    () => {
      const yields: number[] = [];
      for (const [lat, seed] of [
        [48, 1],
        [50, 2],
        [50, 3],
        [52, 4],
      ] as const) {
        const { grid, wh } = year(lat, seed);
        const kwh = total(wh) / 1000;
        yields.push(kwh);
        expect(kwh).toBeGreaterThan(900);
        expect(kwh).toBeLessThan(1200);
        // June against December: the geometry makes the seasons.
        const month = (m: number): number => {
          const from = (Date.UTC(2023, m, 1) - grid.startMs) / 900_000;
          const to = (Date.UTC(2023, m + 1, 1) - grid.startMs) / 900_000;
          return total(wh.subarray(from, to));
        };
        expect(month(5)).toBeGreaterThan(3 * month(11));
      }
      // Further south yields more on average (same sky model): compare 48°N with 52°N.
      expect(yields[0]).toBeGreaterThan(yields[3]! * 0.97);
    },
  );

  it('scales with kWp and depends on the seed only through the clouds', () => {
    const grid: TimeGrid = { startMs: Date.UTC(2024, 4, 1), intervalMinutes: 15, count: 7 * 96 };
    const site = { latitudeDeg: 51, longitudeDeg: 9 };
    const k1 = clearSkyIndexSeries(grid, 9, CENTRAL_EUROPE_CLOUDS, createRng(11), 2);
    const k1again = clearSkyIndexSeries(grid, 9, CENTRAL_EUROPE_CLOUDS, createRng(11), 2);
    const k2 = clearSkyIndexSeries(grid, 9, CENTRAL_EUROPE_CLOUDS, createRng(12), 2);
    const one = pvEnergySeries(system, site, grid, k1.actual, CENTRAL_EUROPE_TEMPERATURE);
    expect(pvEnergySeries(system, site, grid, k1again.actual, CENTRAL_EUROPE_TEMPERATURE)).toEqual(one);
    expect(pvEnergySeries(system, site, grid, k2.actual, CENTRAL_EUROPE_TEMPERATURE)).not.toEqual(one);
    const eight = pvEnergySeries({ ...system, kWp: 8 }, site, grid, k1.actual, CENTRAL_EUROPE_TEMPERATURE);
    expect(Math.abs(total(eight) - 8 * total(one))).toBeLessThanOrEqual(grid.count * 8);
    expect(one.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });
});
