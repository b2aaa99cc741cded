/**
 * Persistence of the double-sign guard (CometBFT spec/consensus/signing.md): the last height,
 * round and step this validator signed, with the sign bytes and the signature. It is saved
 * BEFORE a signature leaves the node, so a restarted validator knows what it already signed.
 *
 * Steps are named here; the consensus engine's guard (src/consensus/signGuard.ts) numbers them
 * 1 to 3 in the same order, and the node maps between the two.
 *
 * The file is replaced atomically: write `FILE.tmp`, fsync it, rename over FILE, fsync the
 * directory. A crash at any point leaves either the old or the new state, never a mix. Full sign
 * bytes are kept (not only their hash) because after a restart the guard may re-sign at the same
 * height, round and step only bytes identical but for the timestamp, which needs the bytes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type FileIo, nodeFileIo, replaceFileAtomically } from './fileIo.ts';
import { GridLedgerError } from '../../errors.ts';

export const SIGN_STEPS = ['propose', 'prevote', 'precommit'] as const;
export type SignStep = (typeof SIGN_STEPS)[number];

export interface SignState {
  readonly height: number;
  readonly round: number;
  readonly step: SignStep;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** The timestamp inside the sign bytes, handed back when the guard re-uses the signature. */
  readonly timestampMs: number;
}

const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lowercase hex');
const fileSchema = z.object({
  version: z.literal(1),
  height: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  round: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  step: z.enum(SIGN_STEPS),
  signBytes: hex,
  signBytesSha256: hex.length(64),
  signature: hex,
  timestampMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Orders (height, round, step): negative if a signed before b. */
export function compareSignPosition(a: Pick<SignState, 'height' | 'round' | 'step'>, b: Pick<SignState, 'height' | 'round' | 'step'>): number {
  return a.height - b.height || a.round - b.round || SIGN_STEPS.indexOf(a.step) - SIGN_STEPS.indexOf(b.step);
}

/** The saved state, or undefined if the validator never signed. A damaged file is an error: never sign blind. */
export function loadSignState(file: string, io: FileIo = nodeFileIo): SignState | undefined {
  const bytes = io.readFile(file);
  if (bytes === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new GridLedgerError('SIGN_STATE_CORRUPT', `${file} is not JSON`, { cause: e });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new GridLedgerError('SIGN_STATE_CORRUPT', `${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const v = parsed.data;
  const signBytes = fromHex(v.signBytes);
  if (sha256Hex(signBytes) !== v.signBytesSha256) throw new GridLedgerError('SIGN_STATE_CORRUPT', `${file}: sign bytes do not match their hash`);
  return { height: v.height, round: v.round, step: v.step, signBytes, signature: fromHex(v.signature), timestampMs: v.timestampMs };
}

/** Atomically replaces the file with `state`; returns once the new state is durable. */
export function saveSignState(file: string, state: SignState, io: FileIo = nodeFileIo): void {
  const body = {
    version: 1,
    height: state.height,
    round: state.round,
    step: state.step,
    signBytes: toHex(state.signBytes),
    signBytesSha256: sha256Hex(state.signBytes),
    signature: toHex(state.signature),
    timestampMs: state.timestampMs,
  };
  const checked = fileSchema.safeParse(body);
  if (!checked.success) throw new GridLedgerError('SIGN_STATE_INVALID', `refusing to save an invalid sign state: ${checked.error.issues[0]?.message ?? ''}`);
  replaceFileAtomically(file, new TextEncoder().encode(`${JSON.stringify(body)}\n`), io);
}

export interface SignStateFile {
  last(): SignState | undefined;
  /** Saves `next` durably; refuses to go back in (height, round, step). */
  record(next: SignState): void;
}

export function openSignStateFile(file: string, io: FileIo = nodeFileIo): SignStateFile {
  let last = loadSignState(file, io);
  return {
    last: () => last,
    record(next: SignState): void {
      if (last !== undefined && compareSignPosition(next, last) < 0) {
        throw new GridLedgerError('SIGN_STATE_REGRESSION', `already signed at ${last.height}/${last.round}/${last.step}, refusing ${next.height}/${next.round}/${next.step}`);
      }
      saveSignState(file, next, io);
      last = { ...next, signBytes: next.signBytes.slice(), signature: next.signature.slice() };
    },
  };
}
