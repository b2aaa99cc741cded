import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { dayType, dynamisationFactor, householdLoadSeries, type LoadCalendar, standardLoadEnergy } from './load.ts';
import { localTime, type TimeGrid } from './time.ts';

const cal: LoadCalendar = { localTime: { utcOffsetMinutes: 60, daylightSaving: 'eu' }, holidays: 'de' };
/** Calendar year 2025 in Berlin local time: starts at 2024-12-31T23:00Z. */
const year2025: TimeGrid = { startMs: Date.UTC(2024, 11, 31, 23), intervalMinutes: 15, count: 365 * 96 };
const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ?? 0;
  return s;
};

describe('standard profile', () => {
  it('sums to the annual consumption over a calendar year, for several interval lengths', () => {
    for (const intervalMinutes of [5, 15, 60]) {
      const grid = { ...year2025, intervalMinutes, count: (365 * 1440) / intervalMinutes };
      expect(sum(standardLoadEnergy(grid, 3500, 0, cal)) / 3_500_000).toBeCloseTo(1, 3);
    }
  });

  it('applies the dynamisation: winter days above summer days', () => {
    expect(dynamisationFactor(1)).toBeCloseTo(1.2421, 3);
    expect(dynamisationFactor(180)).toBeLessThan(0.85);
    const jan = sum(standardLoadEnergy({ startMs: Date.UTC(2025, 0, 12, 23), intervalMinutes: 15, count: 7 * 96 }, 4000, 0, cal));
    const jul = sum(standardLoadEnergy({ startMs: Date.UTC(2025, 6, 13, 22), intervalMinutes: 15, count: 7 * 96 }, 4000, 0, cal));
    expect(jan).toBeGreaterThan(1.2 * jul);
  });

  /** Average energy per local quarter hour of the day over the days of January 2025 of one day type. */
  function januaryShape(type: 'WT' | 'SA' | 'FT'): number[] {
    const grid: TimeGrid = { startMs: year2025.startMs, intervalMinutes: 15, count: 31 * 96 };
    const e = standardLoadEnergy(grid, 4000, 0, cal);
    const acc = new Array<number>(96).fill(0);
    const n = new Array<number>(96).fill(0);
    for (let k = 0; k < grid.count; k++) {
      const t = localTime(grid.startMs + k * 900_000, cal.localTime);
      if (dayType(t.month, t.day, t.weekday, t.year, cal.holidays) !== type) continue;
      const q = Math.floor(t.minuteOfDay / 15);
      acc[q] = (acc[q] ?? 0) + (e[k] ?? 0);
      n[q] = (n[q] ?? 0) + 1;
    }
    return acc.map((a, q) => a / (n[q] ?? 1));
  }

  it('has its daily maximum in the evening, well above the mean, and a night minimum', () => {
    const wt = januaryShape('WT');
    const peakQuarter = wt.indexOf(Math.max(...wt));
    expect(peakQuarter).toBeGreaterThanOrEqual(17 * 4);
    expect(peakQuarter).toBeLessThan(21 * 4);
    const mean = sum(wt) / 96;
    expect(Math.max(...wt)).toBeGreaterThan(1.3 * mean);
    const minQuarter = wt.indexOf(Math.min(...wt));
    expect(minQuarter).toBeGreaterThanOrEqual(1 * 4);
    expect(minQuarter).toBeLessThan(6 * 4);
  });

  it('differs at the weekend: later, higher mornings on Saturdays and Sundays', () => {
    const wt = januaryShape('WT');
    const morning = (shape: number[]): number => sum(shape.slice(8 * 4, 12 * 4));
    expect(morning(januaryShape('SA'))).toBeGreaterThan(1.2 * morning(wt));
    expect(morning(januaryShape('FT'))).toBeGreaterThan(1.2 * morning(wt));
    // Working days rise earlier: 06:00-07:00 above the Sunday's.
    expect(sum(wt.slice(24, 28))).toBeGreaterThan(sum(januaryShape('FT').slice(24, 28)));
  });

  it('treats public holidays as Sundays and 24/31 December as Saturdays', () => {
    expect(dayType(12, 25, 4, 2025, 'de')).toBe('FT');
    expect(dayType(12, 25, 4, 2025, 'none')).toBe('WT');
    expect(dayType(12, 24, 3, 2025, 'de')).toBe('SA');
    expect(dayType(12, 31, 0, 2023, 'de')).toBe('FT');
    expect(dayType(5, 20, 2, 2025, 'de')).toBe('WT');
  });
});

describe('household load', () => {
  const params = { annualConsumptionKwh: 4000, timeShiftMinutes: 0, noiseSigma: 0.35, noiseAutocorrelationPer15Min: 0.6 };

  it('meets its annual consumption within 2 % despite per-interval noise', () => {
    for (const seed of [1, 2]) {
      const s = householdLoadSeries(year2025, params, cal, createRng(seed), 2);
      expect(Math.abs(sum(s.actual) / 4_000_000 - 1)).toBeLessThan(0.02);
      expect(s.actual.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
  });

  it('shifts its habits by the time shift', () => {
    const grid: TimeGrid = { startMs: Date.UTC(2025, 0, 5, 23), intervalMinutes: 15, count: 96 };
    const base = standardLoadEnergy(grid, 4000, 0, cal);
    const late = standardLoadEnergy(grid, 4000, 60, cal);
    for (let k = 4; k < 96; k++) expect(late[k]).toBeCloseTo(base[k - 4] ?? 0, 9);
  });

  it('forecasts better than the standard profile alone, and is fixed by the seed', () => {
    const grid: TimeGrid = { ...year2025, count: 60 * 96 };
    const s = householdLoadSeries(grid, params, cal, createRng(3), 2);
    let errForecast = 0;
    let errProfile = 0;
    for (let k = 0; k < grid.count; k++) {
      errForecast += Math.abs((s.actual[k] ?? 0) - (s.forecast[k] ?? 0));
      errProfile += Math.abs((s.actual[k] ?? 0) - (s.expected[k] ?? 0));
    }
    expect(errForecast).toBeGreaterThan(0);
    expect(errForecast).toBeLessThan(errProfile);
    expect(householdLoadSeries(grid, params, cal, createRng(3), 2).actual).toEqual(s.actual);
    expect(householdLoadSeries(grid, params, cal, createRng(4), 2).actual).not.toEqual(s.actual);
  });
});
