/**
 * Cloud cover as a clear-sky index K (actual over clear-sky global irradiance), in two layers:
 *
 * - Each day draws a class (clear, mixed, overcast) and a daily index uniform within the class's
 *   range, with class probabilities that move with the season (a cosine between a winter and a
 *   summer set). Consecutive days are correlated: the day's uniform is the normal CDF of a
 *   day-to-day AR(1) Gaussian, mapped through the mixture's quantile function.
 * - Within the day, K varies by a mean-one lognormal factor driven by an AR(1) Gaussian per
 *   interval; its spread depends on the day's class (broken clouds vary most).
 *
 * The forecast of K for an interval is the conditional mean given the AR(1) state `lag` intervals
 * earlier (what an agent could know at gate closure), with the day's index known (a day-ahead
 * weather forecast).
 */
import type { Rng } from '../random.ts';
import { ar1Series, lognormalForecastFactor, normalCdf, rescaleAutocorrelation } from './stats.ts';
import { type TimeGrid, intervalStartMs, dayOfYearUtc, MS_PER_DAY } from './time.ts';

export interface DayClass {
  /** Range of the daily clear-sky index, [lo, hi]. */
  range: [number, number];
  /** Probability in mid-winter (mid-January) and mid-summer (mid-July). */
  winterProbability: number;
  summerProbability: number;
  /** Spread (sigma of the log) of the intra-day variation. */
  intradaySigma: number;
}

export interface CloudParams {
  classes: DayClass[];
  /** Day-to-day correlation of the latent Gaussian. */
  dayAutocorrelation: number;
  /** Intra-day AR(1) coefficient per 15 minutes. */
  intradayAutocorrelationPer15Min: number;
  /** Bounds of the per-interval index (above 1: cloud-edge enhancement). */
  minIndex: number;
  maxIndex: number;
}

/**
 * Defaults for central Europe (48-54°N). Class probabilities were set so that the mean daily index
 * is ~0.47 in mid-winter and ~0.67 in mid-summer, which with the Haurwitz clear sky gives ~1,050-1,100
 * kWh/m²/year global horizontal irradiance at 50°N, in line with German climatology.
 */
export const CENTRAL_EUROPE_CLOUDS: CloudParams = {
  classes: [
    { range: [0.1, 0.4], winterProbability: 0.5, summerProbability: 0.15, intradaySigma: 0.15 },
    { range: [0.4, 0.8], winterProbability: 0.36, summerProbability: 0.45, intradaySigma: 0.35 },
    { range: [0.8, 1.0], winterProbability: 0.14, summerProbability: 0.4, intradaySigma: 0.05 },
  ],
  dayAutocorrelation: 0.5,
  intradayAutocorrelationPer15Min: 0.85,
  minIndex: 0.03,
  maxIndex: 1.15,
};

export interface ClearSkyIndexSeries {
  actual: Float64Array;
  forecast: Float64Array;
}

/** Weight of the summer set on a day of the year: 0 in mid-January, 1 in mid-July. */
function summerWeight(dayOfYear: number): number {
  return (1 - Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365)) / 2;
}

/** Class index and daily clear-sky index for a uniform u on a given day (the mixture's quantile). */
export function dailyIndexFromUniform(u: number, dayOfYear: number, params: CloudParams): { classIndex: number; index: number } {
  const w = summerWeight(dayOfYear);
  const probs = params.classes.map((c) => (1 - w) * c.winterProbability + w * c.summerProbability);
  const total = probs.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < params.classes.length; i++) {
    const p = (probs[i] ?? 0) / total;
    const cls = params.classes[i];
    if (cls === undefined) break;
    if (u < acc + p || i === params.classes.length - 1) {
      const f = p > 0 ? Math.min(1, Math.max(0, (u - acc) / p)) : 0.5;
      return { classIndex: i, index: cls.range[0] + f * (cls.range[1] - cls.range[0]) };
    }
    acc += p;
  }
  throw new RangeError('cloud classes are empty');
}

/** The expected daily clear-sky index on a day of the year (mean of the class mixture). */
export function meanDailyIndex(dayOfYear: number, params: CloudParams): number {
  const w = summerWeight(dayOfYear);
  let num = 0;
  let den = 0;
  for (const c of params.classes) {
    const p = (1 - w) * c.winterProbability + w * c.summerProbability;
    num += p * (c.range[0] + c.range[1]) / 2;
    den += p;
  }
  return num / den;
}

/**
 * Clear-sky index per interval of the grid. Days are solar days at the given longitude, so a
 * day's class changes around local midnight.
 */
export function clearSkyIndexSeries(
  grid: TimeGrid,
  longitudeDeg: number,
  params: CloudParams,
  rng: Rng,
  forecastLag: number,
): ClearSkyIndexSeries {
  const dayOf = (ms: number): number => Math.floor(ms / MS_PER_DAY + longitudeDeg / 360);
  const firstDay = dayOf(grid.startMs);
  const lastDay = dayOf(intervalStartMs(grid, Math.max(0, grid.count - 1)));
  const dayRng = rng.fork('cloud-days');
  const dayLatent = ar1Series(lastDay - firstDay + 1, params.dayAutocorrelation, () => dayRng.normal());
  const rho = rescaleAutocorrelation(params.intradayAutocorrelationPer15Min, 15, grid.intervalMinutes);
  const intraRng = rng.fork('cloud-intraday');
  const x = ar1Series(grid.count, rho, () => intraRng.normal());

  const actual = new Float64Array(grid.count);
  const forecast = new Float64Array(grid.count);
  const clamp = (v: number): number => Math.min(params.maxIndex, Math.max(params.minIndex, v));
  for (let k = 0; k < grid.count; k++) {
    const ms = intervalStartMs(grid, k);
    const day = dayOf(ms);
    const { classIndex, index } = dailyIndexFromUniform(normalCdf(dayLatent[day - firstDay] ?? 0), dayOfYearUtc(ms), params);
    const sigma = params.classes[classIndex]?.intradaySigma ?? 0;
    actual[k] = clamp(index * Math.exp(sigma * (x[k] ?? 0) - (sigma * sigma) / 2));
    // Before the lag reaches into the series, the forecast knows only the daily index.
    const past = k - forecastLag;
    forecast[k] = clamp(past >= 0 ? index * lognormalForecastFactor(x[past] ?? 0, sigma, rho, forecastLag) : index);
  }
  return { actual, forecast };
}
