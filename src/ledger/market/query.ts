/**
 * Reading market records from outside the state machine: the app's (or a node's) `key/<key>`
 * query answers the raw value as hex; this decodes it with the record's codec.
 */
import type { z } from 'zod';
import { fromHex } from '../bytes.ts';
import { decodeWith } from '../encoding.ts';

export interface KeyQuery {
  query(path: string): { code: number; value?: unknown; error?: string };
}

/** The market record under `key` (e.g. marketKeys.settlement(k)), or undefined if absent. */
export function readMarketRecord<T>(source: KeyQuery, key: string, codec: { readonly schema: z.ZodType<T> }): T | undefined {
  const r = source.query(`key/${key}`);
  if (r.code !== 0 || typeof r.value !== 'string') return undefined;
  return decodeWith(codec.schema, fromHex(r.value), 'STATE_CORRUPT', `market record ${key}`);
}
