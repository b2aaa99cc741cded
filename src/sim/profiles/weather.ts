/**
 * The weather one microgrid shares: its households lie within a few hundred metres, so they see
 * the same clouds and the same wind. Drawn once per microgrid from its own random stream.
 */
import type { Rng } from '../random.ts';
import { type CloudParams, clearSkyIndexSeries } from './clouds.ts';
import type { TemperatureParams } from './temperature.ts';
import type { TimeGrid } from './time.ts';
import { type WindClimate, windSpeedSeries } from './wind.ts';

export interface WeatherSpec {
  clouds: CloudParams;
  wind: WindClimate;
  temperature: TemperatureParams;
}

export interface WeatherSeries {
  grid: TimeGrid;
  /** Per interval: clear-sky index (actual and as forecast at gate closure). */
  clearSkyIndex: { actual: Float64Array; forecast: Float64Array };
  /** Per interval: wind speed at the reference height, m/s. */
  windSpeedMps: { actual: Float64Array; forecast: Float64Array };
  wind: WindClimate;
  temperature: TemperatureParams;
}

export function simulateWeather(spec: WeatherSpec, longitudeDeg: number, grid: TimeGrid, rng: Rng, forecastLag: number): WeatherSeries {
  return {
    grid,
    clearSkyIndex: clearSkyIndexSeries(grid, longitudeDeg, spec.clouds, rng.fork('clouds'), forecastLag),
    windSpeedMps: windSpeedSeries(grid, spec.wind, rng.fork('wind'), forecastLag),
    wind: spec.wind,
    temperature: spec.temperature,
  };
}

/** Intervals between the last one an agent has measured at gate closure and the one it forecasts. */
export function forecastLagIntervals(gateClosureLeadMinutes: number, intervalMinutes: number): number {
  return 1 + Math.ceil(gateClosureLeadMinutes / intervalMinutes);
}
