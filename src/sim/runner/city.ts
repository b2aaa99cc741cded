/**
 * The city a run simulates, built once from the scenario: per microgrid its feeder (without
 * background, see feeder.ts) and its members, each a household with its series, its battery
 * controller and the wind part of its production (the report splits production by kind).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GridLedgerError } from '../../errors.ts';
import type { BatteryController } from '../assets/batteryPolicy.ts';
import { batteryControllerFor, type Household } from '../assets/household.ts';
import { createMicrogridHouseholds } from '../assets/members.ts';
import { baseAnnualKwh, habitualRunWh, type ShiftableSpec } from '../assets/shiftable.ts';
import { standardLoadEnergy } from '../profiles/load.ts';
import { localTime, type TimeGrid } from '../profiles/time.ts';
import { windEnergySeries } from '../profiles/wind.ts';
import { type MicrogridSpec, type Scenario, scenarioGrid } from '../scenario.ts';
import { loadMicrogridFeeder, type MicrogridFeeder } from './feeder.ts';

export interface CityMember {
  id: string;
  bus: number;
  household: Household;
  battery: BatteryController | undefined;
  /** Metered wind energy per interval (the rest of the production is PV). */
  windWh: Int32Array;
  /** The household's standard load profile (no noise) over the run and one day beyond, Wh per interval. */
  habitualWh: Float64Array;
  /** Its shiftable appliance and the appliance's habitual runs per interval (the baseline's), Wh. */
  shiftable: { spec: ShiftableSpec; habitualRunWh: Int32Array } | undefined;
}

export interface CityMicrogrid {
  spec: MicrogridSpec;
  feeder: MicrogridFeeder;
  /** In the order the scenario makes them (ids ascending for a mix). */
  members: CityMember[];
}

export interface City {
  scenario: Scenario;
  grid: TimeGrid;
  intervalMs: number;
  /** Local minutes since midnight at the start of each interval ... */
  localMinuteOfDay: Int32Array;
  /** ... and its local day (year × 1000 + day of the year). */
  localDay: Int32Array;
  microgrids: CityMicrogrid[];
}

export interface CityOptions {
  /** Where relative feeder and CSV paths start (the scenario file's folder). */
  baseDir: string;
}

export function buildCity(scenario: Scenario, opts: CityOptions): City {
  const grid = scenarioGrid(scenario);
  const rule = { utcOffsetMinutes: scenario.location.utcOffsetMinutes, daylightSaving: scenario.location.daylightSaving };
  const local = Array.from({ length: grid.count }, (_, k) => localTime(grid.startMs + k * grid.intervalMinutes * 60_000, rule));
  const localMinuteOfDay = Int32Array.from(local, (t) => Math.round(t.minuteOfDay));
  const localDay = Int32Array.from(local, (t) => t.year * 1000 + t.dayOfYear);
  const readText = (file: string): string => {
    const full = path.resolve(opts.baseDir, file);
    try {
      return readFileSync(full, 'utf8');
    } catch (e) {
      throw new GridLedgerError('SIM_CSV_UNREADABLE', `cannot read ${full}`, { cause: e });
    }
  };
  const microgrids = scenario.microgrids.map((spec): CityMicrogrid => {
    const feeder = loadMicrogridFeeder(spec.feeder, opts.baseDir);
    const { env, households } = createMicrogridHouseholds(scenario, spec, feeder.loadBusIds, readText);
    const members = households.map((household): CityMember => {
      const c = household.config;
      // Measured production (csv) counts as PV: the file does not say what made it.
      const windWh =
        c.wind !== undefined && c.csv?.productionColumn === undefined
          ? windEnergySeries(c.wind, env.weather.wind.referenceHeightM, grid, env.weather.windSpeedMps.actual)
          : new Int32Array(grid.count);
      const habitualWh = standardLoadEnergy({ ...grid, count: grid.count + 1440 / grid.intervalMinutes }, baseAnnualKwh(c.annualConsumptionKwh, c.shiftable), c.loadTimeShiftMinutes, env.calendar);
      const spec = c.shiftable;
      const shiftable = spec === undefined ? undefined : { spec, habitualRunWh: Int32Array.from(localMinuteOfDay, (m) => habitualRunWh(spec, m, grid.intervalMinutes)) };
      return { id: c.id, bus: c.bus, household, battery: batteryControllerFor(c, grid.intervalMinutes), windWh, habitualWh, shiftable };
    });
    return { spec, feeder, members };
  });
  return { scenario, grid, intervalMs: grid.intervalMinutes * 60_000, localMinuteOfDay, localDay, microgrids };
}
