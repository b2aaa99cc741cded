/**
 * Users' own time series as CSV: a header line whose first column is `time` and whose other
 * columns are series names, then one line per interval with an ISO 8601 instant (with `Z` or an
 * offset) and non-negative energies in Wh for the interval that starts then. Blank lines and lines
 * starting with `#` are skipped. Intervals must be evenly spaced and whole minutes. Every error
 * names the line it is on.
 */
import { z } from 'zod';
import { GridLedgerError } from '../../errors.ts';
import { type TimeGrid, intervalStartMs, MS_PER_MINUTE } from './time.ts';

export interface CsvProfile {
  startMs: number;
  intervalMinutes: number;
  count: number;
  /** Series by column name, integer Wh per interval (decimals in the file are rounded). */
  columns: Record<string, Int32Array>;
}

const nameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'column names are letters, digits, _ . - (not starting with a digit)');
const timeSchema = z.iso.datetime({ offset: true });
const valueSchema = z.coerce.number().finite().nonnegative().max(1e12);

function fail(line: number, message: string): never {
  throw new GridLedgerError('SIM_CSV_INVALID', `line ${line}: ${message}`, { details: { line } });
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}

export function loadCsvProfile(text: string): CsvProfile {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  let headerLine = 0;
  const times: number[] = [];
  const values: number[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(',').map((c) => c.trim());
    if (header === undefined) {
      if (cells[0]?.toLowerCase() !== 'time') fail(lineNo, `the header's first column must be "time", found "${cells[0] ?? ''}"`);
      if (cells.length < 2) fail(lineNo, 'the header names no series after "time"');
      const names = cells.slice(1);
      names.forEach((n, c) => {
        const r = nameSchema.safeParse(n);
        if (!r.success) fail(lineNo, `column ${c + 2} "${n}": ${firstIssue(r.error)}`);
      });
      const dup = names.find((n, c) => names.indexOf(n) !== c);
      if (dup !== undefined) fail(lineNo, `column "${dup}" appears twice`);
      header = names;
      headerLine = lineNo;
      values.push(...names.map(() => []));
      continue;
    }
    if (cells.length !== header.length + 1) fail(lineNo, `expected ${header.length + 1} fields like the header (line ${headerLine}), found ${cells.length}`);
    const t = timeSchema.safeParse(cells[0]);
    if (!t.success) fail(lineNo, `time "${cells[0] ?? ''}" is not an ISO 8601 date-time with Z or an offset`);
    const ms = Date.parse(t.data);
    const prev = times[times.length - 1];
    if (prev !== undefined && ms <= prev) fail(lineNo, `time ${cells[0] ?? ''} is not after the previous line's`);
    const prevPrev = times[times.length - 2];
    if (prev !== undefined && prevPrev !== undefined && ms - prev !== prev - prevPrev) fail(lineNo, `uneven spacing: ${(ms - prev) / MS_PER_MINUTE} min after the previous line, ${(prev - prevPrev) / MS_PER_MINUTE} min before`);
    if (prev !== undefined && (ms - prev) % MS_PER_MINUTE !== 0) fail(lineNo, 'intervals must be whole minutes');
    times.push(ms);
    for (let c = 0; c < header.length; c++) {
      const v = valueSchema.safeParse(cells[c + 1]);
      if (!v.success || cells[c + 1] === '') fail(lineNo, `column "${header[c] ?? ''}": "${cells[c + 1] ?? ''}" is not a non-negative number of Wh`);
      values[c]?.push(Math.round(v.data));
    }
  }
  if (header === undefined) fail(lines.length, 'no header line ("time,<series>,...")');
  const [t0, t1] = times;
  if (t0 === undefined || t1 === undefined) fail(lines.length, 'need at least two data lines to know the interval');
  const columns: Record<string, Int32Array> = {};
  header.forEach((name, c) => {
    columns[name] = Int32Array.from(values[c] ?? []);
  });
  return { startMs: t0, intervalMinutes: (t1 - t0) / MS_PER_MINUTE, count: times.length, columns };
}

/** A column of a CSV profile on the simulation's grid; the grid must use the same interval and lie inside the file. */
export function csvSeriesOnGrid(profile: CsvProfile, column: string, grid: TimeGrid): Int32Array {
  const series = profile.columns[column];
  if (series === undefined) throw new GridLedgerError('SIM_CSV_COLUMN', `no column "${column}" (have: ${Object.keys(profile.columns).join(', ')})`);
  if (profile.intervalMinutes !== grid.intervalMinutes) {
    throw new GridLedgerError('SIM_CSV_INTERVAL', `the CSV has ${profile.intervalMinutes}-min intervals, the scenario ${grid.intervalMinutes}-min`);
  }
  const offsetMs = grid.startMs - profile.startMs;
  const first = offsetMs / (grid.intervalMinutes * MS_PER_MINUTE);
  if (!Number.isInteger(first) || first < 0 || first + grid.count > profile.count) {
    const endMs = intervalStartMs(profile, profile.count);
    throw new GridLedgerError(
      'SIM_CSV_RANGE',
      `the CSV covers ${new Date(profile.startMs).toISOString()} to ${new Date(endMs).toISOString()} (aligned to its intervals); the scenario needs ${new Date(grid.startMs).toISOString()} to ${new Date(intervalStartMs(grid, grid.count)).toISOString()}`,
    );
  }
  return series.slice(first, first + grid.count);
}
