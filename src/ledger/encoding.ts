/**
 * Canonical encoding: deterministic CBOR by the dag-cbor rules (shortest integers, map keys
 * sorted by length then bytes, 64-bit floats only, no undefined, NaN, Infinity or indefinite
 * lengths). A byte string is accepted only if it is the one encoding of what it decodes to, so
 * every value has exactly one encoding and every hash one preimage form.
 */
import * as dagCbor from '@ipld/dag-cbor';
import type { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { bytesEqual } from './bytes.ts';
import type { ErrorCode } from './codes.ts';

export function encodeCanonical(value: unknown): Uint8Array {
  try {
    return dagCbor.encode(value);
  } catch (e) {
    throw new GridLedgerError('ENCODING_UNSUPPORTED', `value cannot be encoded: ${(e as Error).message}`, { cause: e });
  }
}

/** Decodes bytes from outside; throws GridLedgerError only (never a library error). */
export function decodeCanonical(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (e) {
    // A library error, a RangeError from deep nesting or a huge declared length: all one answer.
    throw new GridLedgerError('ENCODING_INVALID', `not valid dag-cbor: ${(e as Error).message}`, { cause: e });
  }
  let again: Uint8Array;
  try {
    again = dagCbor.encode(value);
  } catch (e) {
    throw new GridLedgerError('ENCODING_NOT_CANONICAL', 'decoded value has no canonical encoding', { cause: e });
  }
  if (!bytesEqual(again, bytes)) {
    throw new GridLedgerError('ENCODING_NOT_CANONICAL', 'bytes are not the canonical encoding of their value');
  }
  return value;
}

/** First issues of a zod error as one line: `path: message; ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Parses `value` with `schema`, turning a failure into GridLedgerError(code). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: ErrorCode, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new GridLedgerError(code, `${what}: ${describeIssues(r.error)}`);
  return r.data;
}

/** Canonical decode then schema validation: the one path for bytes from outside. */
export function decodeWith<T>(schema: z.ZodType<T>, bytes: Uint8Array, code: ErrorCode, what: string): T {
  return parseWith(schema, decodeCanonical(bytes), code, what);
}
