/**
 * Ids seen lately (transaction hashes a node has relayed), bounded: when full, the oldest id
 * leaves first. A relay asks it before forwarding, so an id goes out at most once while it is
 * remembered.
 */
import { GridLedgerError } from '../errors.ts';

export class SeenSet {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new GridLedgerError('NET_BAD_OPTIONS', 'a seen-set holds at least one id');
  }

  /** Remembers `id`; false when it was remembered already. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    if (this.ids.size >= this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
    this.ids.add(id);
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
