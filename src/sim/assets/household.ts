/**
 * A household at one bus of the feeder: its load, PV, small wind turbine and battery. For each
 * interval it gives what it forecasts at gate closure and what its meter will read, both in
 * integer Wh. Series are computed once for the whole run from the microgrid's shared weather and
 * the household's own random stream. The battery is not in these figures: its state lives with the
 * runner (see battery.ts and batteryPolicy.ts). Nor is a shiftable appliance: `consumption` is
 * the rest of the household's use (the standard profile scaled to the annual consumption less
 * the appliance's), the runs are added by the runner (shiftable.ts).
 */
import type { Rng } from '../random.ts';
import type { LoadCalendar } from '../profiles/load.ts';
import { DEFAULT_LOAD_NOISE, householdLoadSeries } from '../profiles/load.ts';
import { type PvSystem, type Site, pvEnergySeries } from '../profiles/pv.ts';
import { ar1Series, rescaleAutocorrelation } from '../profiles/stats.ts';
import type { TimeGrid } from '../profiles/time.ts';
import type { WeatherSeries } from '../profiles/weather.ts';
import { type WindTurbine, windEnergySeries } from '../profiles/wind.ts';
import type { BatterySpec } from './battery.ts';
import type { BatteryController, BatteryPolicy } from './batteryPolicy.ts';
import { baseAnnualKwh, type ShiftableSpec } from './shiftable.ts';

export interface HouseholdConfig {
  id: string;
  bus: number;
  /** Everything the household uses in a year, its shiftable appliance included. */
  annualConsumptionKwh: number;
  /** Habits shifted later (positive) or earlier than the standard profile, minutes. */
  loadTimeShiftMinutes: number;
  pv?: PvSystem;
  wind?: WindTurbine;
  battery?: BatterySpec;
  /** Its runs are not in `consumption` (they depend on the market): see shiftable.ts. */
  shiftable?: ShiftableSpec;
  batteryPolicy: BatteryPolicy;
  /** Name of the pricing strategy (a key of the scenario's `strategies`). */
  strategy: string;
  /** Measured series that replace the models (read by the runner, see csv.ts). */
  csv?: { file: string; productionColumn?: string; consumptionColumn?: string };
}

export interface HouseholdEnv {
  grid: TimeGrid;
  site: Site;
  calendar: LoadCalendar;
  weather: WeatherSeries;
  /** See forecastLagIntervals in weather.ts. */
  forecastLag: number;
}

export interface IntervalEnergy {
  productionWh: number;
  consumptionWh: number;
}

export interface EnergySeries {
  actual: Int32Array;
  forecast: Int32Array;
}

export interface Household {
  config: HouseholdConfig;
  production: EnergySeries;
  consumption: EnergySeries;
  /** Forecast and metered energy of interval k (0-based on the env's grid). */
  interval(k: number): { forecast: IntervalEnergy; actual: IntervalEnergy };
}

/** Measured series given in place of the models (already on the grid, e.g. from csvSeriesOnGrid). */
export interface SeriesOverrides {
  productionWh?: Int32Array;
  consumptionWh?: Int32Array;
}

/** Forecast error applied to measured series: sigma of the log, AR(1) per 15 minutes. */
const CSV_FORECAST_ERROR = { production: 0.15, consumption: 0.25, autocorrelationPer15Min: 0.6 } as const;

function forecastOfMeasured(actual: Int32Array, sigma: number, grid: TimeGrid, rng: Rng): Int32Array {
  const rho = rescaleAutocorrelation(CSV_FORECAST_ERROR.autocorrelationPer15Min, 15, grid.intervalMinutes);
  const x = ar1Series(actual.length, rho, () => rng.normal());
  return Int32Array.from(actual, (v, k) => Math.round(v * Math.exp(sigma * (x[k] ?? 0) - (sigma * sigma) / 2)));
}

function sum(a: Int32Array, b: Int32Array): Int32Array {
  return Int32Array.from(a, (v, k) => v + (b[k] ?? 0));
}

export function createHousehold(config: HouseholdConfig, env: HouseholdEnv, rng: Rng, overrides: SeriesOverrides = {}): Household {
  const { grid, weather } = env;
  const zeros = (): EnergySeries => ({ actual: new Int32Array(grid.count), forecast: new Int32Array(grid.count) });
  for (const [name, s] of Object.entries(overrides)) {
    if (s !== undefined && s.length !== grid.count) throw new RangeError(`${name} has ${s.length} values, the grid ${grid.count}`);
  }

  let production = zeros();
  if (overrides.productionWh !== undefined) {
    production = { actual: overrides.productionWh, forecast: forecastOfMeasured(overrides.productionWh, CSV_FORECAST_ERROR.production, grid, rng.fork('production-forecast')) };
  } else {
    if (config.pv !== undefined) {
      production = {
        actual: pvEnergySeries(config.pv, env.site, grid, weather.clearSkyIndex.actual, weather.temperature),
        forecast: pvEnergySeries(config.pv, env.site, grid, weather.clearSkyIndex.forecast, weather.temperature),
      };
    }
    if (config.wind !== undefined) {
      const ref = weather.wind.referenceHeightM;
      production = {
        actual: sum(production.actual, windEnergySeries(config.wind, ref, grid, weather.windSpeedMps.actual)),
        forecast: sum(production.forecast, windEnergySeries(config.wind, ref, grid, weather.windSpeedMps.forecast)),
      };
    }
  }

  let consumption: EnergySeries;
  if (overrides.consumptionWh !== undefined) {
    consumption = { actual: overrides.consumptionWh, forecast: forecastOfMeasured(overrides.consumptionWh, CSV_FORECAST_ERROR.consumption, grid, rng.fork('consumption-forecast')) };
  } else {
    const load = householdLoadSeries(
      grid,
      { annualConsumptionKwh: baseAnnualKwh(config.annualConsumptionKwh, config.shiftable), timeShiftMinutes: config.loadTimeShiftMinutes, ...DEFAULT_LOAD_NOISE },
      env.calendar,
      rng.fork('load'),
      env.forecastLag,
    );
    consumption = { actual: load.actual, forecast: load.forecast };
  }

  return {
    config,
    production,
    consumption,
    interval(k) {
      if (!Number.isInteger(k) || k < 0 || k >= grid.count) throw new RangeError(`interval ${k} is outside the grid (0..${grid.count - 1})`);
      return {
        forecast: { productionWh: production.forecast[k] ?? 0, consumptionWh: consumption.forecast[k] ?? 0 },
        actual: { productionWh: production.actual[k] ?? 0, consumptionWh: consumption.actual[k] ?? 0 },
      };
    },
  };
}

/** The controller for a household's battery on a grid, or undefined without one. */
export function batteryControllerFor(config: HouseholdConfig, intervalMinutes: number): BatteryController | undefined {
  if (config.battery === undefined) return undefined;
  return { spec: config.battery, policy: config.batteryPolicy, intervalMinutes };
}
