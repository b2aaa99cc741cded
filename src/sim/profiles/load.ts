/**
 * Household consumption from the BDEW H25 standard load profile: the quarter-hour value for the
 * local month and day type (working day, Saturday, Sunday/holiday; 24 and 31 December count as
 * Saturday unless a Sunday), times BDEW's dynamisation polynomial of the day of the year, scaled
 * so that the profile's calendar year sums to the household's annual consumption.
 *
 * One household is not the average of many: each gets a fixed time shift of its habits and a
 * mean-one lognormal AR(1) factor per interval. The forecast is the shifted standard profile times
 * the factor's conditional mean given its value `lag` intervals earlier.
 */
import type { Rng } from '../random.ts';
import { BDEW_H25_CSV } from './bdewH25Data.ts';
import { ar1Series, lognormalForecastFactor, rescaleAutocorrelation } from './stats.ts';
import { type LocalTimeRule, type TimeGrid, germanHolidays, intervalStartMs, localTime, MS_PER_MINUTE } from './time.ts';

export type DayType = 'WT' | 'SA' | 'FT';
const DAY_TYPES: readonly DayType[] = ['SA', 'FT', 'WT'];

/** H25 as [month 0..11][day type][quarter 0..95], kWh per quarter hour per 1,000,000 kWh/year. */
function parseH25(csv: string): Record<DayType, Float64Array>[] {
  const rows = csv.trim().split('\n').slice(2);
  if (rows.length !== 96) throw new Error(`H25 table has ${rows.length} rows, expected 96`);
  const months = Array.from({ length: 12 }, () => ({ WT: new Float64Array(96), SA: new Float64Array(96), FT: new Float64Array(96) }));
  rows.forEach((row, q) => {
    const cells = row.split(',').slice(1).map(Number);
    if (cells.length !== 36) throw new Error(`H25 row ${q} has ${cells.length} values, expected 36`);
    cells.forEach((v, c) => {
      const month = months[Math.floor(c / 3)];
      const type = DAY_TYPES[c % 3];
      if (month !== undefined && type !== undefined) month[type][q] = v;
    });
  });
  return months;
}

const H25 = parseH25(BDEW_H25_CSV);

/** BDEW's dynamisation factor for a day of the year (1..366). */
export function dynamisationFactor(dayOfYear: number): number {
  const t = dayOfYear;
  return -3.92e-10 * t ** 4 + 3.2e-7 * t ** 3 - 7.02e-5 * t ** 2 + 2.1e-3 * t + 1.24;
}

export interface LoadCalendar {
  localTime: LocalTimeRule;
  /** 'de': Germany's nationwide public holidays use the Sunday profile. */
  holidays: 'de' | 'none';
}

const holidayCache = new Map<number, Set<string>>();
function isHoliday(year: number, month: number, day: number): boolean {
  let set = holidayCache.get(year);
  if (set === undefined) {
    set = germanHolidays(year);
    holidayCache.set(year, set);
  }
  return set.has(`${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

export function dayType(month: number, day: number, weekday: number, year: number, holidays: LoadCalendar['holidays']): DayType {
  if (weekday === 0 || (holidays === 'de' && isHoliday(year, month, day))) return 'FT';
  if (weekday === 6 || (month === 12 && (day === 24 || day === 31))) return 'SA';
  return 'WT';
}

/** Dynamised H25 value (kWh per quarter hour per 10^6 kWh/year) at local civil date and quarter. */
function dynamisedQuarter(year: number, month: number, day: number, weekday: number, dayOfYear: number, quarter: number, cal: LoadCalendar): number {
  const table = H25[month - 1];
  if (table === undefined) throw new RangeError(`month ${month}`);
  return (table[dayType(month, day, weekday, year, cal.holidays)][quarter] ?? 0) * dynamisationFactor(dayOfYear);
}

const yearSumCache = new Map<string, number>();
/** Sum of the dynamised profile over a local calendar year (close to, not exactly, 10^6). */
export function dynamisedYearSum(year: number, cal: LoadCalendar): number {
  const key = `${year}:${cal.holidays}`;
  const cached = yearSumCache.get(key);
  if (cached !== undefined) return cached;
  let sum = 0;
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    const doy = Math.round((t - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
    for (let q = 0; q < 96; q++) sum += dynamisedQuarter(year, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay(), doy, q, cal);
  }
  yearSumCache.set(key, sum);
  return sum;
}

/**
 * Mean power of the standard profile at an instant as a fraction of annual energy per hour
 * (multiply by annual Wh to get W).
 */
export function standardLoadShare(ms: number, cal: LoadCalendar): number {
  const lt = localTime(ms, cal.localTime);
  const quarter = Math.min(95, Math.floor(lt.minuteOfDay / 15));
  const v = dynamisedQuarter(lt.year, lt.month, lt.day, lt.weekday, lt.dayOfYear, quarter, cal);
  return (4 * v) / dynamisedYearSum(lt.year, cal);
}

export interface HouseholdLoadParams {
  annualConsumptionKwh: number;
  /** Habits shifted later (positive) or earlier, minutes. */
  timeShiftMinutes: number;
  /** Sigma of the log of the per-interval factor. */
  noiseSigma: number;
  /** AR(1) coefficient of the factor per 15 minutes. */
  noiseAutocorrelationPer15Min: number;
}

export const DEFAULT_LOAD_NOISE = { noiseSigma: 0.35, noiseAutocorrelationPer15Min: 0.6 } as const;

export interface LoadSeries {
  actual: Int32Array;
  forecast: Int32Array;
  /** The shifted standard profile without the household's noise, Wh per interval. */
  expected: Float64Array;
}

/** Standard profile energy per interval (Wh, unrounded), sampled every gcd(interval, 5) minutes. */
export function standardLoadEnergy(grid: TimeGrid, annualConsumptionKwh: number, timeShiftMinutes: number, cal: LoadCalendar): Float64Array {
  const out = new Float64Array(grid.count);
  const step = gcd(grid.intervalMinutes, 5);
  const subSteps = grid.intervalMinutes / step;
  const annualWh = annualConsumptionKwh * 1000;
  const stepHours = step / 60;
  for (let k = 0; k < grid.count; k++) {
    const start = intervalStartMs(grid, k) - timeShiftMinutes * MS_PER_MINUTE;
    let wh = 0;
    for (let s = 0; s < subSteps; s++) wh += standardLoadShare(start + s * step * MS_PER_MINUTE, cal) * annualWh * stepHours;
    out[k] = wh;
  }
  return out;
}

export function householdLoadSeries(grid: TimeGrid, params: HouseholdLoadParams, cal: LoadCalendar, rng: Rng, forecastLag: number): LoadSeries {
  const expected = standardLoadEnergy(grid, params.annualConsumptionKwh, params.timeShiftMinutes, cal);
  const rho = rescaleAutocorrelation(params.noiseAutocorrelationPer15Min, 15, grid.intervalMinutes);
  const noiseRng = rng.fork('load-noise');
  const x = ar1Series(grid.count, rho, () => noiseRng.normal());
  const sigma = params.noiseSigma;
  const actual = new Int32Array(grid.count);
  const forecast = new Int32Array(grid.count);
  for (let k = 0; k < grid.count; k++) {
    const e = expected[k] ?? 0;
    actual[k] = Math.round(e * Math.exp(sigma * (x[k] ?? 0) - (sigma * sigma) / 2));
    const past = k - forecastLag;
    forecast[k] = Math.round(past >= 0 ? e * lognormalForecastFactor(x[past] ?? 0, sigma, rho, forecastLag) : e);
  }
  return { actual, forecast, expected };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
