/**
 * Reading and writing state during execution. The committed state (store.ts) sits at the
 * bottom; an Overlay stacks uncommitted writes on a parent: one per block, and one per
 * transaction on top of it, so a failing transaction's writes vanish with its overlay.
 * Records are values: never mutate one you read, write a new object.
 */
import type { Codec } from './records.ts';

export interface StateReader {
  get<T>(key: string, codec: Codec<T>): T | undefined;
}

export interface StateView extends StateReader {
  /** Writes `value` under `key`; `undefined` deletes the key. */
  set<T>(key: string, codec: Codec<T>, value: T | undefined): void;
}

export interface Write {
  readonly key: string;
  readonly codec: Codec<unknown>;
  readonly value: unknown;
}

export class Overlay implements StateView {
  private readonly writes = new Map<string, Write>();

  constructor(private readonly parent: StateReader) {}

  get<T>(key: string, codec: Codec<T>): T | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return w.value as T | undefined;
    return this.parent.get(key, codec);
  }

  set<T>(key: string, codec: Codec<T>, value: T | undefined): void {
    this.writes.set(key, { key, codec: codec as unknown as Codec<unknown>, value });
  }

  /** Moves every write into `target` (the parent overlay, when a transaction succeeds). */
  commitInto(target: StateView): void {
    for (const w of this.writes.values()) target.set(w.key, w.codec, w.value);
  }

  /** The writes, sorted by key (the only order anything iterates them in). */
  sortedWrites(): Write[] {
    return [...this.writes.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get size(): number {
    return this.writes.size;
  }
}
