import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { CENTRAL_EUROPE_CLOUDS } from '../profiles/clouds.ts';
import { DEFAULT_PV } from '../profiles/pv.ts';
import { solarPosition } from '../profiles/solar.ts';
import { CENTRAL_EUROPE_TEMPERATURE } from '../profiles/temperature.ts';
import type { TimeGrid } from '../profiles/time.ts';
import { simulateWeather } from '../profiles/weather.ts';
import { DEFAULT_TURBINE, weibullScaleFromMean } from '../profiles/wind.ts';
import { batterySpec, DEFAULT_BATTERY_SIZING } from './battery.ts';
import { batteryControllerFor, createHousehold, type HouseholdConfig, type HouseholdEnv } from './household.ts';

const grid: TimeGrid = { startMs: Date.UTC(2025, 4, 19, 22), intervalMinutes: 15, count: 3 * 96 };
const site = { latitudeDeg: 52.4, longitudeDeg: 13.1 };
const weather = simulateWeather(
  {
    clouds: CENTRAL_EUROPE_CLOUDS,
    wind: { weibullK: 2, weibullScaleMps: weibullScaleFromMean(4.5, 2), referenceHeightM: 10, hourlyAutocorrelation: 0.9 },
    temperature: CENTRAL_EUROPE_TEMPERATURE,
  },
  site.longitudeDeg,
  grid,
  createRng(1).fork('weather'),
  2,
);
const env: HouseholdEnv = { grid, site, calendar: { localTime: { utcOffsetMinutes: 60, daylightSaving: 'eu' }, holidays: 'de' }, weather, forecastLag: 2 };

const prosumer: HouseholdConfig = {
  id: 'h1',
  bus: 3,
  annualConsumptionKwh: 4000,
  loadTimeShiftMinutes: 0,
  pv: { ...DEFAULT_PV, kWp: 8 },
  battery: batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 5 }),
  batteryPolicy: 'peak-shaving',
  strategy: 'truthful',
};

describe('household', () => {
  const h = createHousehold(prosumer, env, createRng(1).fork('household:h1'));

  it('forecasts and meters each interval in integer Wh, produces only in daylight, and forecasts are not the readings', () => {
    let differ = 0;
    let produced = 0;
    for (let k = 0; k < grid.count; k++) {
      const { forecast, actual } = h.interval(k);
      for (const v of [forecast.productionWh, forecast.consumptionWh, actual.productionWh, actual.consumptionWh]) expect(Number.isInteger(v) && v >= 0).toBe(true);
      expect(actual.consumptionWh).toBeGreaterThan(0);
      const mid = grid.startMs + k * 900_000 + 450_000;
      if (solarPosition(mid, site.latitudeDeg, site.longitudeDeg).elevationDeg < -2) expect(actual.productionWh).toBe(0);
      if (forecast.consumptionWh !== actual.consumptionWh || forecast.productionWh !== actual.productionWh) differ++;
      produced += actual.productionWh;
    }
    expect(differ).toBeGreaterThan(grid.count / 2);
    // Three May days, 8 kWp: between overcast (~1 kWh/kWp/day) and clear (~7).
    expect(produced / 1000 / 8 / 3).toBeGreaterThan(0.5);
    expect(produced / 1000 / 8 / 3).toBeLessThan(8);
    expect(() => h.interval(grid.count)).toThrow(RangeError);
  });

  it('is fixed by its random stream', () => {
    const again = createHousehold(prosumer, env, createRng(1).fork('household:h1'));
    expect(again.consumption.actual).toEqual(h.consumption.actual);
    expect(again.production.forecast).toEqual(h.production.forecast);
    expect(createHousehold(prosumer, env, createRng(1).fork('household:h2')).consumption.actual).not.toEqual(h.consumption.actual);
  });

  it('adds a wind turbine to the production, and has none without assets', () => {
    const withWind = createHousehold({ ...prosumer, wind: { ...DEFAULT_TURBINE, ratedW: 3000 } }, env, createRng(1).fork('household:h1'));
    let extra = 0;
    for (let k = 0; k < grid.count; k++) {
      const d = (withWind.production.actual[k] ?? 0) - (h.production.actual[k] ?? 0);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(3000 / 4);
      extra += d;
    }
    expect(extra).toBeGreaterThan(0);
    const { pv: _pv, battery: _battery, ...consumerOnly } = prosumer;
    const consumer = createHousehold(consumerOnly, env, createRng(1).fork('household:h1'));
    expect(consumer.production.actual.every((v) => v === 0)).toBe(true);
    expect(batteryControllerFor(consumerOnly, 15)).toBeUndefined();
    expect(batteryControllerFor(prosumer, 15)).toMatchObject({ policy: 'peak-shaving', intervalMinutes: 15 });
  });

  it('uses measured series in place of the models, with a forecast error around them', () => {
    const measured = Int32Array.from({ length: grid.count }, (_, k) => 100 + (k % 7) * 10);
    const m = createHousehold(prosumer, env, createRng(2), { consumptionWh: measured });
    expect(m.consumption.actual).toEqual(measured);
    expect(m.consumption.forecast).not.toEqual(measured);
    let ratio = 0;
    for (let k = 0; k < grid.count; k++) ratio += (m.consumption.forecast[k] ?? 0) / (measured[k] ?? 1) / grid.count;
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
    expect(() => createHousehold(prosumer, env, createRng(2), { consumptionWh: new Int32Array(5) })).toThrow(RangeError);
  });
});
