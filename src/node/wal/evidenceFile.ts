/**
 * Persistence of a node's pending evidence: items (two conflicting votes of one validator) it
 * found or received and has not yet seen committed. Without it a restart lost them, and a
 * double signer seen by one node only went unpunished.
 *
 * The items are opaque bytes here (the node's evidence encoding, messages.ts). The whole list is
 * saved on every change, which is rare: write `FILE.tmp`, fsync it, rename over FILE, fsync the
 * directory, as the sign-state file does. A crash at any point leaves the old or the new list.
 * An item committed just before a crash may still be in the file: the node drops it again on
 * start (its validator is tombstoned by then), so it is never proposed twice.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type FileIo, nodeFileIo, replaceFileAtomically } from './fileIo.ts';
import { GridLedgerError } from '../../errors.ts';

export interface PendingEvidenceStore {
  /** The items saved last (empty if none). */
  load(): Uint8Array[];
  /** Replaces the saved items; returns once they are durable. */
  save(items: readonly Uint8Array[]): void;
}

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'lowercase hex');
const fileSchema = z.strictObject({
  version: z.literal(1),
  items: z.array(hex).max(10_000),
  /** SHA-256 over the items' bytes, each prefixed by its 4-byte length: catches a hand-edited or damaged file. */
  sha256: hex.length(64),
});

const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function digest(items: readonly Uint8Array[]): string {
  const h = createHash('sha256');
  const len = Buffer.alloc(4);
  for (const item of items) {
    len.writeUInt32BE(item.length);
    h.update(len).update(item);
  }
  return h.digest('hex');
}

/** The items in `file`, or none if it does not exist. A damaged file is EVIDENCE_FILE_CORRUPT. */
export function loadEvidenceFile(file: string, io: FileIo = nodeFileIo): Uint8Array[] {
  const bytes = io.readFile(file);
  if (bytes === undefined) return [];
  const fail = (why: string, cause?: unknown): never => {
    throw new GridLedgerError('EVIDENCE_FILE_CORRUPT', `${file} ${why}; remove it to start without the pending evidence it held`, cause === undefined ? {} : { cause });
  };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return fail('is not JSON', e);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return fail(`is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const items = parsed.data.items.map(fromHex);
  if (digest(items) !== parsed.data.sha256) return fail('does not match its checksum');
  return items;
}

/** Atomically replaces `file` with `items`. */
export function saveEvidenceFile(file: string, items: readonly Uint8Array[], io: FileIo = nodeFileIo): void {
  const body = { version: 1, items: items.map(toHex), sha256: digest(items) };
  replaceFileAtomically(file, new TextEncoder().encode(`${JSON.stringify(body)}\n`), io);
}

/** The pending evidence of a node with a WAL directory: `WALDIR/evidence.json`. */
export function openEvidenceFile(file: string, io: FileIo = nodeFileIo): PendingEvidenceStore {
  return {
    load: () => loadEvidenceFile(file, io),
    save: (items) => saveEvidenceFile(file, items, io),
  };
}

/** Pending evidence kept in memory by its owner (a simulated node's disk survives its restart). */
export function memoryEvidenceStore(): PendingEvidenceStore {
  let saved: Uint8Array[] = [];
  return {
    load: () => saved.map((b) => b.slice()),
    save(items) {
      saved = items.map((b) => b.slice());
    },
  };
}
