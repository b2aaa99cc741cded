import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { loadFeeder } from '../../grid/import/feederFile.ts';
import { loadMicrogridFeeder, resolveFeederFile } from './feeder.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('microgrid feeders', () => {
  it('finds a bundled feeder by name and drops the file\'s loads and generators', () => {
    const f = loadMicrogridFeeder('kerber-landnetz-pv', '/nonexistent');
    const full = loadFeeder(path.join(repo, 'data/feeders/kerber-landnetz-pv.json'));
    expect(f.file).toBe(path.join(repo, 'data/feeders/kerber-landnetz-pv.json'));
    expect(full.loads.length).toBeGreaterThan(0);
    expect(f.model.loads).toEqual([]);
    expect(f.model.sgens).toEqual([]);
    expect(f.model.branches).toEqual(full.branches);
    // the 14 house connections of the rural feeder, where households go
    expect(f.loadBusIds).toEqual([...new Set(full.loads.map((l) => l.bus))].sort((a, b) => a - b));
    expect(f.loadBusIds).toHaveLength(14);
  });

  it('reads other feeders by path, relative to the scenario folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gl-feeder-'));
    copyFileSync(path.join(repo, 'data/feeders/ieee33.m'), path.join(dir, 'mine.m'));
    expect(resolveFeederFile('mine.m', dir)).toBe(path.join(dir, 'mine.m'));
    expect(loadMicrogridFeeder('mine.m', dir).loadBusIds).toHaveLength(32);
  });

  it('names what it looked for when a feeder is missing', () => {
    let err: unknown;
    try {
      resolveFeederFile('no-such-feeder', '/tmp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GridLedgerError);
    expect((err as GridLedgerError).code).toBe('SIM_FEEDER_NOT_FOUND');
  });
});
