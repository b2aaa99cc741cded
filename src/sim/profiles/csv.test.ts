import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { csvSeriesOnGrid, loadCsvProfile } from './csv.ts';

const good = `# metered at the farm
time,pv_wh,load_wh
2025-05-20T00:00:00+02:00,0,120
2025-05-20T00:15:00+02:00,0,110.6

2025-05-20T00:30:00+02:00,3,95
2025-05-20T00:45:00+02:00,10,90
`;

function errorOf(text: string): GridLedgerError {
  try {
    loadCsvProfile(text);
  } catch (e) {
    if (e instanceof GridLedgerError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('loadCsvProfile', () => {
  it('reads evenly spaced series, skipping comments and blank lines, rounding to integer Wh', () => {
    const p = loadCsvProfile(good);
    expect(p.startMs).toBe(Date.UTC(2025, 4, 19, 22, 0));
    expect(p.intervalMinutes).toBe(15);
    expect(p.count).toBe(4);
    expect(Array.from(p.columns.pv_wh ?? [])).toEqual([0, 0, 3, 10]);
    expect(Array.from(p.columns.load_wh ?? [])).toEqual([120, 111, 95, 90]);
  });

  it('names the line of each mistake', () => {
    const cases: [string, RegExp][] = [
      ['when,pv\n2025-01-01T00:00:00Z,1\n', /^line 1: .*"time"/],
      ['time,pv,pv\n', /^line 1: column "pv" appears twice/],
      ['time,1pv\n', /^line 1: column 2 "1pv"/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n2025-01-01 00:15,2\n', /^line 3: time "2025-01-01 00:15"/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n2025-01-01T00:15:00Z,-2\n', /^line 3: column "pv": "-2"/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n2025-01-01T00:15:00Z,abc\n', /^line 3: column "pv"/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n2025-01-01T00:15:00Z,\n', /^line 3: column "pv"/],
      ['time,pv,load\n2025-01-01T00:00:00Z,1\n', /^line 2: expected 3 fields/],
      ['time,pv\n2025-01-01T00:15:00Z,1\n2025-01-01T00:00:00Z,1\n', /^line 3: .*not after/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n2025-01-01T00:15:00Z,1\n2025-01-01T00:45:00Z,1\n', /^line 4: uneven spacing: 30 min .* 15 min/],
      ['time,pv\n2025-01-01T00:00:00Z,1\n', /need at least two data lines/],
      ['# nothing\n', /no header/],
    ];
    for (const [text, pattern] of cases) {
      const e = errorOf(text);
      expect(e.code).toBe('SIM_CSV_INVALID');
      expect(e.message).toMatch(pattern);
    }
  });

  it('cuts a column to the simulation grid, and refuses grids it does not cover', () => {
    const p = loadCsvProfile(good);
    const start = Date.UTC(2025, 4, 19, 22, 15);
    expect(Array.from(csvSeriesOnGrid(p, 'pv_wh', { startMs: start, intervalMinutes: 15, count: 2 }))).toEqual([0, 3]);
    expect(() => csvSeriesOnGrid(p, 'wind', { startMs: start, intervalMinutes: 15, count: 2 })).toThrow(/no column "wind"/);
    expect(() => csvSeriesOnGrid(p, 'pv_wh', { startMs: start, intervalMinutes: 5, count: 2 })).toThrow(/15-min intervals/);
    expect(() => csvSeriesOnGrid(p, 'pv_wh', { startMs: start, intervalMinutes: 15, count: 4 })).toThrow(/covers/);
    expect(() => csvSeriesOnGrid(p, 'pv_wh', { startMs: start + 60_000, intervalMinutes: 15, count: 1 })).toThrow(/covers/);
  });
});
