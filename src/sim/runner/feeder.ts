/**
 * A microgrid's feeder as the simulation uses it. The feeder files carry one operating point of
 * loads and PV (for `grid pf`); the city simulation drives the buses with its own households
 * instead, so the physical model here has no background: every load and generator of the file is
 * dropped, and the members' metered net energies are the only injections. Houses of the feeder
 * that are not members draw nothing (the PCC figures are the members' exchange plus the losses),
 * which keeps the energy balance exactly the members' and the on-chain grid check on the same
 * picture as the physics.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GridLedgerError } from '../../errors.ts';
import { loadFeeder } from '../../grid/import/feederFile.ts';
import type { FeederModel } from '../../grid/model.ts';

const bundledDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../data/feeders');

export interface MicrogridFeeder {
  /** The feeder without the file's loads and generators. */
  model: FeederModel;
  /** Buses that carry an in-service load in the file: where households are placed. */
  loadBusIds: number[];
  /** The file it was read from. */
  file: string;
}

/** A bundled feeder's name ("kerber-dorfnetz") or a path, relative paths from `baseDir`. */
export function resolveFeederFile(feeder: string, baseDir: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(feeder)) {
    for (const ext of ['.json', '.m']) {
      const file = path.join(bundledDir, feeder + ext);
      if (existsSync(file)) return file;
    }
  }
  const file = path.resolve(baseDir, feeder);
  if (!existsSync(file)) {
    throw new GridLedgerError('SIM_FEEDER_NOT_FOUND', `feeder "${feeder}" is neither a bundled feeder nor a file (looked for ${file})`);
  }
  return file;
}

export function withoutBackground(model: FeederModel): FeederModel {
  return { ...model, loads: [], sgens: [] };
}

export function loadMicrogridFeeder(feeder: string, baseDir: string): MicrogridFeeder {
  const file = resolveFeederFile(feeder, baseDir);
  const full = loadFeeder(file);
  const energized = new Set(full.buses.filter((b) => b.inService).map((b) => b.id));
  const loadBusIds = [...new Set(full.loads.filter((l) => l.inService && energized.has(l.bus)).map((l) => l.bus))].sort((a, b) => a - b);
  return { model: withoutBackground(full), loadBusIds, file };
}
