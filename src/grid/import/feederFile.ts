import { readFileSync } from 'node:fs';
import { GridLedgerError } from '../../errors.ts';
import { parseMatpower } from './matpower.ts';
import { parsePandapower } from './pandapower.ts';
import type { FeederModel } from '../model.ts';

/**
 * Feeder files to models: the importer is chosen by extension (`.m` MATPOWER, `.json`
 * pandapower). `parseFeeder` is pure; `loadFeeder` is the one function in grid/ that touches the
 * file system, for the shell (CLI, simulation setup, benchmarks) to call: the core itself only
 * ever receives parsed models.
 */
export function parseFeeder(text: string, source: string): FeederModel {
  const lower = source.toLowerCase();
  if (lower.endsWith('.m')) return parseMatpower(text, source);
  if (lower.endsWith('.json')) return parsePandapower(text, source);
  throw new GridLedgerError('GRID_IMPORT', `${source}: unknown feeder format; expected a MATPOWER .m or a pandapower .json file`);
}

export function loadFeeder(path: string): FeederModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'unknown';
    throw new GridLedgerError('GRID_IMPORT', `${path}: cannot read the feeder file (${code})`, { cause: e });
  }
  return parseFeeder(text, path);
}
