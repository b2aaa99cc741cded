/**
 * The city a run simulates, built once from the scenario: per microgrid its feeder (without
 * background, see feeder.ts) and its members, each a household with its series, its battery
 * controller and the wind part of its production (the report splits production by kind).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GridLedgerError } from '../../errors.ts';
import type { BatteryController } from '../assets/battery-policy.ts';
import { batteryControllerFor, type Household } from '../assets/household.ts';
import { createMicrogridHouseholds } from '../assets/members.ts';
import { standardLoadEnergy } from '../profiles/load.ts';
import type { TimeGrid } from '../profiles/time.ts';
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
  microgrids: CityMicrogrid[];
}

export interface CityOptions {
  /** Where relative feeder and CSV paths start (the scenario file's folder). */
  baseDir: string;
}

export function buildCity(scenario: Scenario, opts: CityOptions): City {
  const grid = scenarioGrid(scenario);
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
      const habitualWh = standardLoadEnergy({ ...grid, count: grid.count + 1440 / grid.intervalMinutes }, c.annualConsumptionKwh, c.loadTimeShiftMinutes, env.calendar);
      return { id: c.id, bus: c.bus, household, battery: batteryControllerFor(c, grid.intervalMinutes), windWh, habitualWh };
    });
    return { spec, feeder, members };
  });
  return { scenario, grid, intervalMs: grid.intervalMinutes * 60_000, microgrids };
}
