import { z } from 'zod';
import { importError } from './importError.ts';

/**
 * pandas DataFrames as `pandapower.to_json` stores them: an envelope `{_module, _class:
 * "DataFrame", _object, orient: "split", dtype}` whose `_object` is a JSON string (or, in some
 * writers, an object) `{columns, index, data}`. NaN is written as null.
 */
export interface Frame {
  table: string;
  columns: string[];
  index: number[];
  data: unknown[][];
}

const SplitSchema = z.object({
  columns: z.array(z.string()),
  index: z.array(z.number()),
  data: z.array(z.array(z.unknown())),
});

const EnvelopeSchema = z.looseObject({
  _class: z.literal('DataFrame'),
  _object: z.union([z.string(), z.record(z.string(), z.unknown())]),
  orient: z.string().optional(),
  is_multiindex: z.boolean().optional(),
  is_multicolumn: z.boolean().optional(),
});

/** Parses JSON text; a syntax error becomes a GRID_IMPORT error with the line it is on. */
export function parseJsonText(text: string, source: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const line = pos === null ? null : text.slice(0, Number(pos[1])).split('\n').length;
    const truncated = /end of (JSON )?input|Unterminated/i.test(message) ? ' (file truncated?)' : '';
    throw importError(source, line, `${what} is not valid JSON: ${message}${truncated}`);
  }
}

export function isFrameEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['_class'] === 'DataFrame';
}

export function readFrame(value: unknown, table: string, source: string): Frame {
  const env = EnvelopeSchema.safeParse(value);
  if (!env.success) throw importError(source, `table ${table}`, `expected a pandas DataFrame envelope: ${z.prettifyError(env.error)}`);
  if (env.data.orient !== undefined && env.data.orient !== 'split') {
    throw importError(source, `table ${table}`, `DataFrame orient '${env.data.orient}', expected 'split'`);
  }
  if (env.data.is_multiindex === true || env.data.is_multicolumn === true) {
    throw importError(source, `table ${table}`, 'multi-index DataFrames are not supported');
  }
  const inner = typeof env.data._object === 'string' ? parseJsonText(env.data._object, source, `table ${table}`) : env.data._object;
  const split = SplitSchema.safeParse(inner);
  if (!split.success) throw importError(source, `table ${table}`, `expected {columns, index, data} (orient 'split'): ${z.prettifyError(split.error)}`);
  const { columns, index, data } = split.data;
  if (data.length !== index.length) throw importError(source, `table ${table}`, `${index.length} index entries but ${data.length} data rows (file truncated?)`);
  for (const [k, row] of data.entries()) {
    if (row.length !== columns.length) {
      throw importError(source, `${table}[${index[k]}]`, `row has ${row.length} values, expected ${columns.length} (one per column: ${columns.join(', ')})`);
    }
  }
  for (const id of index) {
    if (!Number.isInteger(id)) throw importError(source, `table ${table}`, `index ${id} is not an integer`);
  }
  return { table, columns, index, data };
}

/** Typed access to one table's cells, with errors that name table, row index and column. */
export interface FrameReader {
  frame: Frame;
  has(col: string): boolean;
  /** A finite number; null (NaN) gives `fallback` when one is given, else an error. */
  num(k: number, col: string, fallback?: number): number;
  /** A number or null: for optional fields such as tap positions. */
  numOrNull(k: number, col: string): number | null;
  bool(k: number, col: string, fallback?: boolean): boolean;
  strOrNull(k: number, col: string): string | null;
  /** Where row k is, for messages: `line[7]`. */
  at(k: number, col?: string): string;
}

export function frameReader(frame: Frame, source: string): FrameReader {
  const colIndex = new Map(frame.columns.map((c, i) => [c, i]));
  const at = (k: number, col?: string): string => `${frame.table}[${frame.index[k]}]${col === undefined ? '' : `.${col}`}`;
  const raw = (k: number, col: string, optional: boolean): unknown => {
    const i = colIndex.get(col);
    if (i === undefined) {
      if (optional) return null;
      throw importError(source, `table ${frame.table}`, `column ${col} is missing (columns: ${frame.columns.join(', ')})`);
    }
    return frame.data[k]?.[i] ?? null;
  };
  const fail = (k: number, col: string, expected: string, v: unknown): never => {
    throw importError(source, at(k, col), `expected ${expected}, found ${JSON.stringify(v)}`);
  };
  return {
    frame,
    at,
    has: (col) => colIndex.has(col),
    num(k, col, fallback) {
      const v = raw(k, col, fallback !== undefined);
      if (v === null && fallback !== undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(k, col, 'a finite number', v);
      return v;
    },
    numOrNull(k, col) {
      const v = raw(k, col, true);
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(k, col, 'a number or null', v);
      return v;
    },
    bool(k, col, fallback) {
      const v = raw(k, col, fallback !== undefined);
      if (v === null && fallback !== undefined) return fallback;
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      return fail(k, col, 'true or false', v);
    },
    strOrNull(k, col) {
      const v = raw(k, col, true);
      if (v === null || typeof v === 'string') return v;
      if (typeof v === 'number') return String(v);
      return fail(k, col, 'a string or null', v);
    },
  };
}
