/**
 * Small wind turbines: a wind-speed series whose marginal is exactly Weibull(k, c) and whose time
 * structure is an AR(1) Gaussian mapped through the Weibull quantile (v = c (-ln(1 - Phi(z)))^(1/k)),
 * scaled from the reference height to the hub by a power or log law, through a power curve
 * (cubic between cut-in and rated speed, flat to cut-out) -> integer Wh per interval.
 */
import type { Rng } from '../random.ts';
import { ar1Series, gammaFn, normalCdf, rescaleAutocorrelation } from './stats.ts';
import type { TimeGrid } from './time.ts';

export interface WindClimate {
  /** Weibull shape k (about 2 inland). */
  weibullK: number;
  /** Weibull scale c at the reference height, m/s. */
  weibullScaleMps: number;
  referenceHeightM: number;
  /** Correlation of the latent Gaussian from one hour to the next. */
  hourlyAutocorrelation: number;
}

export type ShearLaw = { kind: 'power'; alpha: number } | { kind: 'log'; roughnessM: number };

export interface WindTurbine {
  ratedW: number;
  hubHeightM: number;
  cutInMps: number;
  ratedMps: number;
  cutOutMps: number;
  shear: ShearLaw;
}

/** A typical small (1-20 kW) horizontal-axis turbine on a mast in open farmland. */
export const DEFAULT_TURBINE: Omit<WindTurbine, 'ratedW'> = {
  hubHeightM: 20,
  cutInMps: 3,
  ratedMps: 11,
  cutOutMps: 25,
  shear: { kind: 'power', alpha: 1 / 7 },
};

/** Weibull scale from a mean speed: c = mean / Gamma(1 + 1/k). */
export function weibullScaleFromMean(meanMps: number, k: number): number {
  return meanMps / gammaFn(1 + 1 / k);
}

export function weibullMean(k: number, scale: number): number {
  return scale * gammaFn(1 + 1 / k);
}

/** Factor from the reference height to the hub height. */
export function shearFactor(shear: ShearLaw, referenceHeightM: number, hubHeightM: number): number {
  if (shear.kind === 'power') return Math.pow(hubHeightM / referenceHeightM, shear.alpha);
  return Math.log(hubHeightM / shear.roughnessM) / Math.log(referenceHeightM / shear.roughnessM);
}

/** Electrical output (W) at a hub-height wind speed. */
export function turbinePowerW(t: WindTurbine, speedMps: number): number {
  if (speedMps < t.cutInMps || speedMps >= t.cutOutMps) return 0;
  if (speedMps >= t.ratedMps) return t.ratedW;
  const ci3 = t.cutInMps ** 3;
  return (t.ratedW * (speedMps ** 3 - ci3)) / (t.ratedMps ** 3 - ci3);
}

export interface WindSpeedSeries {
  /** Speed at the reference height per interval, m/s. */
  actual: Float64Array;
  /** Median forecast given the state `lag` intervals earlier. */
  forecast: Float64Array;
}

/** Weibull quantile of a standard-normal latent value. */
function weibullFromLatent(z: number, k: number, c: number): number {
  // 1 - Phi(z) = Phi(-z) keeps precision in the upper tail.
  const tail = Math.max(Number.MIN_VALUE, normalCdf(-z));
  return c * Math.pow(-Math.log(tail), 1 / k);
}

export function windSpeedSeries(grid: TimeGrid, climate: WindClimate, rng: Rng, forecastLag: number): WindSpeedSeries {
  const rho = rescaleAutocorrelation(climate.hourlyAutocorrelation, 60, grid.intervalMinutes);
  const latentRng = rng.fork('wind');
  const z = ar1Series(grid.count, rho, () => latentRng.normal());
  const actual = new Float64Array(grid.count);
  const forecast = new Float64Array(grid.count);
  const r = Math.pow(rho, forecastLag);
  for (let k = 0; k < grid.count; k++) {
    actual[k] = weibullFromLatent(z[k] ?? 0, climate.weibullK, climate.weibullScaleMps);
    const past = k - forecastLag;
    forecast[k] = weibullFromLatent(past >= 0 ? r * (z[past] ?? 0) : 0, climate.weibullK, climate.weibullScaleMps);
  }
  return { actual, forecast };
}

/** Energy per interval (integer Wh) of a turbine for reference-height speeds. */
export function windEnergySeries(t: WindTurbine, referenceHeightM: number, grid: TimeGrid, speedsMps: ArrayLike<number>): Int32Array {
  const factor = shearFactor(t.shear, referenceHeightM, t.hubHeightM);
  const hours = grid.intervalMinutes / 60;
  const out = new Int32Array(grid.count);
  for (let k = 0; k < grid.count; k++) out[k] = Math.round(turbinePowerW(t, (speedsMps[k] ?? 0) * factor) * hours);
  return out;
}
