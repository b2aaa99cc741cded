/**
 * The committed state: key/value bytes, the sparse Merkle tree over them, and a cache of decoded
 * records. It remembers what changed since the node last took the changes, so the node can write
 * exactly those to disk in the same transaction as the block.
 */
import { GridLedgerError } from '../errors.ts';
import { utf8 } from './bytes.ts';
import { decodeWith, describeIssues, encodeCanonical } from './encoding.ts';
import { sha256 } from './hash.ts';
import type { Codec } from './records.ts';
import { codecForKey } from './records.ts';
import { SparseMerkleTree, statePath } from './smt.ts';
import type { StateProof } from './smt.ts';
import type { StateReader, Write } from './state.ts';

/** One state change as the node stores it: key bytes and value bytes, null to delete. */
export type StateChange = readonly [key: Uint8Array, value: Uint8Array | null];

const decoder = new TextDecoder('utf-8', { fatal: true });

export class StateStore implements StateReader {
  private readonly values = new Map<string, Uint8Array>();
  private readonly decoded = new Map<string, unknown>();
  private readonly tree = new SparseMerkleTree();
  private readonly pending = new Map<string, Uint8Array | null>();
  /** Tree path (SHA-256 of the key) by key: computed once per key. */
  private readonly paths = new Map<string, Uint8Array>();

  private pathOf(key: string): Uint8Array {
    let path = this.paths.get(key);
    if (path === undefined) {
      path = statePath(utf8(key));
      this.paths.set(key, path);
    }
    return path;
  }

  get<T>(key: string, codec: Codec<T>): T | undefined {
    if (this.decoded.has(key)) return this.decoded.get(key) as T;
    const bytes = this.values.get(key);
    if (bytes === undefined) return undefined;
    const value = decodeWith(codec.schema, bytes, 'STATE_CORRUPT', `state value ${key}`);
    this.decoded.set(key, value);
    return value;
  }

  getBytes(key: string): Uint8Array | undefined {
    return this.values.get(key);
  }

  /**
   * Applies writes (from a block's overlay). Each value is checked against its schema first: a
   * record that would not decode back after a restart is a bug, caught here, before it forks.
   */
  write(writes: readonly Write[]): void {
    for (const w of writes) {
      if (w.value === undefined) {
        if (!this.values.has(w.key)) continue;
        this.values.delete(w.key);
        this.decoded.delete(w.key);
        this.tree.delete(this.pathOf(w.key));
        this.paths.delete(w.key);
        this.pending.set(w.key, null);
        continue;
      }
      const checked = w.codec.schema.safeParse(w.value);
      if (!checked.success) {
        throw new GridLedgerError('STATE_CORRUPT', `refusing to store an invalid ${w.codec.kind} at ${w.key}: ${describeIssues(checked.error)}`);
      }
      const bytes = encodeCanonical(checked.data);
      this.values.set(w.key, bytes);
      this.decoded.set(w.key, checked.data);
      this.tree.set(this.pathOf(w.key), sha256(bytes));
      this.pending.set(w.key, bytes);
    }
  }

  /** The state root (app hash). */
  root(): Uint8Array {
    return this.tree.root();
  }

  prove(key: string): StateProof {
    return this.tree.prove(this.values.has(key) ? this.pathOf(key) : statePath(utf8(key)));
  }

  /** Hashes the tree has computed (for tests of update cost). */
  get hashCount(): number {
    return this.tree.hashCount;
  }

  get size(): number {
    return this.values.size;
  }

  /** Changes since the last takeChanges(), sorted by key. */
  changes(): StateChange[] {
    return [...this.pending.keys()].sort().map((k) => [utf8(k), this.pending.get(k) ?? null] as const);
  }

  clearChanges(): void {
    this.pending.clear();
  }

  /** Every key/value, sorted by key. */
  entries(): Array<readonly [string, Uint8Array]> {
    return [...this.values.keys()].sort().map((k) => [k, this.values.get(k) as Uint8Array] as const);
  }

  /**
   * Rebuilds state from stored key/values (the node's disk). Every value is decoded and checked
   * against its record schema: state read from disk is outside input.
   */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>): StateStore {
    const store = new StateStore();
    for (const [keyBytes, valueBytes] of entries) {
      let key: string;
      try {
        key = decoder.decode(keyBytes);
      } catch (e) {
        throw new GridLedgerError('STATE_CORRUPT', 'state key is not UTF-8', { cause: e });
      }
      const codec = codecForKey(key);
      if (codec === undefined) throw new GridLedgerError('STATE_CORRUPT', `unknown state key ${key}`);
      const value = new Uint8Array(valueBytes); // own copy: the caller's buffer may be reused
      store.decoded.set(key, decodeWith(codec.schema, value, 'STATE_CORRUPT', `state value ${key}`));
      store.values.set(key, value);
      store.tree.set(statePath(keyBytes), sha256(value));
    }
    return store;
  }
}
