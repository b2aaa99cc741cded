import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { loadFeeder, parseFeeder } from './feederFile.ts';

const dir = fileURLToPath(new URL('../../../data/feeders/', import.meta.url));

describe('loadFeeder', () => {
  it('loads every bundled feeder with exactly one slack bus and every element on a bus', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.m') || f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const m = loadFeeder(`${dir}${f}`);
      const ids = new Set(m.buses.map((b) => b.id));
      expect(ids.has(m.slack.bus), f).toBe(true);
      expect(m.branches.every((b) => ids.has(b.from) && ids.has(b.to)), f).toBe(true);
      expect(m.loads.length, f).toBeGreaterThan(0);
    }
  });

  it('picks the importer by extension and refuses others', () => {
    expect(() => parseFeeder('x', 'feeder.csv')).toThrow(/feeder\.csv: unknown feeder format/);
    expect(() => parseFeeder('{}', 'feeder.JSON')).toThrow(/feeder\.JSON: expected a pandapower network/);
  });

  it('names the file it cannot read', () => {
    try {
      loadFeeder(`${dir}missing.m`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GridLedgerError);
      expect((e as GridLedgerError).code).toBe('GRID_IMPORT');
      expect((e as GridLedgerError).message).toMatch(/missing\.m: cannot read the feeder file \(ENOENT\)/);
    }
  });
});
