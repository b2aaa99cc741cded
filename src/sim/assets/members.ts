/**
 * From a microgrid's scenario entry to its households: who sits at which load bus with which
 * assets (`householdsFor`), and their series on the run's grid (`createMicrogridHouseholds`).
 *
 * Random streams are forked by name from the scenario seed: "weather" (shared by the whole city:
 * its microgrids lie a few kilometres apart), then per microgrid "members" and "household:<id>", so
 * adding a microgrid or a household leaves the others' series unchanged.
 */
import { GridLedgerError } from '../../errors.ts';
import { createRng, type Rng } from '../random.ts';
import { type CsvProfile, csvSeriesOnGrid, loadCsvProfile } from '../profiles/csv.ts';
import { DEFAULT_PV } from '../profiles/pv.ts';
import type { TimeGrid } from '../profiles/time.ts';
import { simulateWeather, forecastLagIntervals, type WeatherSeries } from '../profiles/weather.ts';
import { DEFAULT_TURBINE } from '../profiles/wind.ts';
import type { ExplicitHousehold, HouseholdMix, MicrogridSpec, Scenario } from '../scenario.ts';
import { scenarioCalendar, scenarioGrid, scenarioSite, scenarioWeather } from '../scenario.ts';
import { batterySpec, DEFAULT_BATTERY_SIZING } from './battery.ts';
import type { BatteryPolicy } from './batteryPolicy.ts';
import { createHousehold, type Household, type HouseholdConfig, type HouseholdEnv, type SeriesOverrides } from './household.ts';
import type { ShiftableSpec } from './shiftable.ts';

const round1 = (v: number): number => Math.round(v * 10) / 10;
/** Nearest multiple of 5 (never -0). */
const multipleOf5 = (v: number): number => {
  const m = Math.round(v / 5) * 5;
  return m === 0 ? 0 : m;
};

/** Fisher-Yates over 0..n-1. */
function shuffledIndices(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.intBelow(i + 1);
    [a[i], a[j]] = [a[j] ?? 0, a[i] ?? 0];
  }
  return a;
}

/** A key drawn with probability proportional to its weight (keys in sorted order, for determinism). */
function weighted<K extends string>(weights: Partial<Record<K, number>>, rng: Rng): K {
  const entries = (Object.entries(weights) as [K, number | undefined][]).filter((e): e is [K, number] => e[1] !== undefined && e[1] > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = rng.next() * total;
  for (const [k, w] of entries) {
    if (u < w) return k;
    u -= w;
  }
  const last = entries[entries.length - 1];
  if (last === undefined) throw new GridLedgerError('SCENARIO_INVALID', 'a weight table is empty');
  return last[0];
}

const minutesOf = (hours: number): number => Math.round(hours * 60);

function shiftableOf(a: NonNullable<ExplicitHousehold['shiftable']>): ShiftableSpec {
  return {
    dailyWh: Math.round(a.kwhPerDay * 1000),
    powerW: Math.round(a.kw * 1000),
    earliestMinute: minutesOf(a.windowHours[0]),
    deadlineMinute: minutesOf(a.windowHours[1]),
    habitualStartMinute: minutesOf(a.startHour),
  };
}

/** A mix's appliance for one household, from its own stream (sizes to 0.1 kWh and 0.1 kW, start to 5 min). */
function mixShiftable(mix: HouseholdMix, rng: Rng): ShiftableSpec {
  const [from, to] = mix.shiftableStartHours;
  return shiftableOf({
    kwhPerDay: round1(rng.uniform(mix.shiftableKwhPerDay[0], mix.shiftableKwhPerDay[1])),
    kw: Math.max(mix.shiftableKw[0], round1(rng.uniform(mix.shiftableKw[0], mix.shiftableKw[1]))),
    windowHours: mix.shiftableWindowHours,
    // Kept before the deadline when rounding to 5 min would reach it.
    startHour: Math.min(multipleOf5(rng.uniform(from * 60, to * 60)), mix.shiftableWindowHours[1] * 60 - 5) / 60,
  });
}

function fromExplicit(h: ExplicitHousehold, id: string, defaultStrategy: string): HouseholdConfig {
  const config: HouseholdConfig = {
    id,
    bus: h.bus,
    annualConsumptionKwh: h.annualKwh,
    loadTimeShiftMinutes: h.loadShiftMinutes,
    batteryPolicy: h.batteryPolicy,
    strategy: h.strategy ?? defaultStrategy,
  };
  if (h.pv !== undefined) config.pv = { ...DEFAULT_PV, kWp: h.pv.kWp, tiltDeg: h.pv.tiltDeg, azimuthDeg: h.pv.azimuthDeg, performanceRatio: h.pv.performanceRatio };
  if (h.wind !== undefined) config.wind = { ...DEFAULT_TURBINE, ratedW: Math.round(h.wind.ratedKw * 1000), hubHeightM: h.wind.hubHeightM };
  if (h.battery !== undefined) {
    config.battery = batterySpec({
      ...DEFAULT_BATTERY_SIZING,
      capacityKwh: h.battery.capacityKwh,
      powerKw: h.battery.powerKw ?? h.battery.capacityKwh / 2,
      roundTripEfficiency: h.battery.roundTripEfficiency,
    });
  }
  if (h.csv !== undefined) {
    const csv: NonNullable<HouseholdConfig['csv']> = { file: h.csv.file };
    if (h.csv.productionColumn !== undefined) csv.productionColumn = h.csv.productionColumn;
    if (h.csv.consumptionColumn !== undefined) csv.consumptionColumn = h.csv.consumptionColumn;
    config.csv = csv;
  }
  if (h.shiftable !== undefined) config.shiftable = shiftableOf(h.shiftable);
  return config;
}

function fromMix(mix: HouseholdMix, id: string, bus: number, has: { pv: boolean; battery: boolean; wind: boolean; shiftable: boolean }, strategies: Record<string, number>, rng: Rng): HouseholdConfig {
  const draw = (r: readonly [number, number]): number => rng.uniform(r[0], r[1]);
  const config: HouseholdConfig = {
    id,
    bus,
    annualConsumptionKwh: Math.round(draw(mix.annualKwh) / 10) * 10,
    loadTimeShiftMinutes: multipleOf5(rng.uniform(-mix.loadShiftMinutes, mix.loadShiftMinutes)),
    batteryPolicy: weighted<BatteryPolicy>(mix.batteryPolicies, rng),
    strategy: weighted(strategies, rng),
  };
  if (has.pv) config.pv = { ...DEFAULT_PV, kWp: Math.max(0.1, round1(draw(mix.pvKwp))), tiltDeg: Math.round(draw(mix.pvTiltDeg)), azimuthDeg: Math.round(draw(mix.pvAzimuthDeg)) };
  if (has.battery) {
    const capacityKwh = Math.max(0.1, round1(draw(mix.batteryKwh)));
    config.battery = batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh, powerKw: Math.max(0.1, round1(capacityKwh * mix.batteryKwPerKwh)) });
  }
  if (has.wind) config.wind = { ...DEFAULT_TURBINE, ratedW: Math.round(Math.max(0.1, round1(draw(mix.windKw))) * 1000) };
  // Its own stream, so households without one draw as before.
  if (has.shiftable) config.shiftable = mixShiftable(mix, rng.fork('shiftable'));
  return config;
}

/**
 * The households of a microgrid on a feeder with the given load buses. An explicit list keeps its
 * buses (each must be a load bus). A mix makes `count` households (default: one per load bus),
 * spread evenly over the load buses in ascending order (household i at bus floor(i * B / count):
 * several to a bus when there are more households than buses, every other bus or so when fewer);
 * exact shares (rounded) of them get PV, batteries (PV households first), wind and a shiftable
 * appliance, chosen by seeded shuffles.
 */
export function householdsFor(mg: MicrogridSpec, loadBusIds: readonly number[], rng: Rng, strategyNames: readonly string[]): HouseholdConfig[] {
  const buses = [...new Set(loadBusIds)].sort((a, b) => a - b);
  if (buses.length === 0) throw new GridLedgerError('SCENARIO_FEEDER', `microgrid "${mg.name}": the feeder "${mg.feeder}" has no load bus to place households on`);
  const defaultStrategy = [...strategyNames].sort()[0];
  if (defaultStrategy === undefined) throw new GridLedgerError('SCENARIO_INVALID', 'the scenario defines no strategy');
  const pad = (i: number, n: number): string => String(i).padStart(String(n - 1).length, '0');

  if (Array.isArray(mg.households)) {
    const list = mg.households;
    const ids = new Set<string>();
    return list.map((h, i) => {
      if (!buses.includes(h.bus)) {
        throw new GridLedgerError('SCENARIO_BUS', `microgrid "${mg.name}": households[${i}].bus ${h.bus} is not a load bus of "${mg.feeder}" (load buses: ${buses.join(', ')})`);
      }
      const id = h.id ?? `${mg.name}-h${pad(i, list.length)}`;
      if (ids.has(id)) throw new GridLedgerError('SCENARIO_INVALID', `microgrid "${mg.name}": household id "${id}" is used twice`);
      ids.add(id);
      return fromExplicit(h, id, defaultStrategy);
    });
  }

  const { mix } = mg.households;
  const n = mg.households.count ?? buses.length;
  const strategies = mix.strategies ?? Object.fromEntries(strategyNames.map((s) => [s, 1]));
  const pvOrder = shuffledIndices(n, rng.fork('pv'));
  const nPv = Math.round(mix.pvShare * n);
  const hasPv = new Set(pvOrder.slice(0, nPv));
  // Batteries: PV households first (in their shuffled order), then the others.
  const batteryOrder = [...pvOrder.slice(0, nPv), ...pvOrder.slice(nPv)];
  const hasBattery = new Set(batteryOrder.slice(0, Math.round(mix.batteryShare * n)));
  const hasWind = new Set(shuffledIndices(n, rng.fork('wind')).slice(0, Math.round(mix.windShare * n)));
  const hasShiftable = new Set(shuffledIndices(n, rng.fork('shiftable')).slice(0, Math.round(mix.shiftableShare * n)));
  return Array.from({ length: n }, (_, i) =>
    fromMix(
      mix,
      `${mg.name}-h${pad(i, n)}`,
      buses[Math.floor((i * buses.length) / n)] ?? 0,
      { pv: hasPv.has(i), battery: hasBattery.has(i), wind: hasWind.has(i), shiftable: hasShiftable.has(i) },
      strategies,
      rng.fork(`member:${i}`),
    ),
  );
}

export interface MicrogridHouseholds {
  weather: WeatherSeries;
  env: HouseholdEnv;
  households: Household[];
}

/** The measured series a household's `csv` entry names, on the run's grid. */
export function csvOverrides(config: HouseholdConfig, csvText: string, grid: TimeGrid): SeriesOverrides {
  const csv = config.csv;
  if (csv === undefined) return {};
  let profile: CsvProfile;
  try {
    profile = loadCsvProfile(csvText);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new GridLedgerError('SIM_CSV_INVALID', `household "${config.id}", ${csv.file}: ${message}`, { cause: e });
  }
  const out: SeriesOverrides = {};
  if (csv.productionColumn !== undefined) out.productionWh = csvSeriesOnGrid(profile, csv.productionColumn, grid);
  if (csv.consumptionColumn !== undefined) out.consumptionWh = csvSeriesOnGrid(profile, csv.consumptionColumn, grid);
  return out;
}

/**
 * Everything one microgrid's households will forecast and meter over the run. `readText` returns
 * a file's text (the runner does the IO, resolving paths as it sees fit); it is called only for
 * households with a `csv` entry.
 */
export function createMicrogridHouseholds(scenario: Scenario, mg: MicrogridSpec, loadBusIds: readonly number[], readText?: (file: string) => string): MicrogridHouseholds {
  const root = createRng(scenario.seed);
  const rng = root.fork(`microgrid:${mg.name}`);
  const grid = scenarioGrid(scenario);
  const forecastLag = forecastLagIntervals(scenario.gateClosureLeadMinutes, scenario.intervalMinutes);
  // One city, one sky: every microgrid sees the same weather.
  const weather = simulateWeather(scenarioWeather(scenario), scenario.location.longitudeDeg, grid, root.fork('weather'), forecastLag);
  const env: HouseholdEnv = { grid, site: scenarioSite(scenario), calendar: scenarioCalendar(scenario), weather, forecastLag };
  const configs = householdsFor(mg, loadBusIds, rng.fork('members'), Object.keys(scenario.strategies));
  const households = configs.map((c) => {
    let overrides: SeriesOverrides = {};
    if (c.csv !== undefined) {
      if (readText === undefined) throw new GridLedgerError('SIM_CSV_UNREADABLE', `household "${c.id}" names ${c.csv.file}, but no file reader was given`);
      overrides = csvOverrides(c, readText(c.csv.file), grid);
    }
    return createHousehold(c, env, rng.fork(`household:${c.id}`), overrides);
  });
  return { weather, env, households };
}
