/**
 * Rooftop PV output per interval in integer Wh: clear-sky irradiance from the sun's position
 * (seasons and day length come from the geometry), times the clear-sky index of the cloud process,
 * transposed onto the module plane, times kWp, performance ratio and a cell-temperature derating.
 * Geometry is sampled at sub-steps of at most 5 minutes inside each interval.
 */
import { clearSkyGhi, planeOfArrayIrradiance, solarPosition } from './solar.ts';
import { type TimeGrid, intervalStartMs, MS_PER_MINUTE } from './time.ts';
import { ambientTemperatureC, type TemperatureParams } from './temperature.ts';

export interface PvSystem {
  /** Peak power at standard test conditions, kWp. */
  kWp: number;
  tiltDeg: number;
  /** Module azimuth from north, clockwise (south = 180). */
  azimuthDeg: number;
  /** Losses other than temperature (inverter, wiring, soiling, mismatch, reflection). */
  performanceRatio: number;
  /** Power temperature coefficient per kelvin (crystalline silicon: about -0.004). */
  temperatureCoefficientPerK: number;
  /** Nominal operating cell temperature, °C. */
  noctC: number;
  albedo: number;
}

export const DEFAULT_PV: Omit<PvSystem, 'kWp'> = {
  tiltDeg: 35,
  azimuthDeg: 180,
  performanceRatio: 0.86,
  temperatureCoefficientPerK: -0.004,
  noctC: 45,
  albedo: 0.2,
};

export interface Site {
  latitudeDeg: number;
  longitudeDeg: number;
}

/** AC power (W) of a PV system for a given global horizontal irradiance and ambient temperature. */
export function pvPowerW(system: PvSystem, ms: number, site: Site, ghi: number, ambientC: number): number {
  const sun = solarPosition(ms, site.latitudeDeg, site.longitudeDeg);
  const poa = planeOfArrayIrradiance(ghi, sun, system);
  if (poa <= 0) return 0;
  const cellC = ambientC + ((system.noctC - 20) / 800) * poa;
  const derate = Math.max(0, 1 + system.temperatureCoefficientPerK * (cellC - 25));
  return system.kWp * poa * system.performanceRatio * derate;
}

/**
 * Energy per interval (integer Wh) for a clear-sky index per interval (1 = clear sky throughout).
 */
export function pvEnergySeries(
  system: PvSystem,
  site: Site,
  grid: TimeGrid,
  clearSkyIndex: ArrayLike<number>,
  temperature: TemperatureParams,
): Int32Array {
  const out = new Int32Array(grid.count);
  const subSteps = Math.max(1, Math.ceil(grid.intervalMinutes / 5));
  const subMs = (grid.intervalMinutes * MS_PER_MINUTE) / subSteps;
  const subHours = grid.intervalMinutes / 60 / subSteps;
  for (let k = 0; k < grid.count; k++) {
    const index = clearSkyIndex[k] ?? 0;
    const start = intervalStartMs(grid, k);
    let wh = 0;
    for (let s = 0; s < subSteps; s++) {
      const ms = start + (s + 0.5) * subMs;
      const cosZ = solarPosition(ms, site.latitudeDeg, site.longitudeDeg).cosZenith;
      if (cosZ <= 0) continue;
      const ghi = clearSkyGhi(cosZ) * index;
      wh += pvPowerW(system, ms, site, ghi, ambientTemperatureC(ms, site.longitudeDeg, temperature)) * subHours;
    }
    out[k] = Math.round(wh);
  }
  return out;
}
