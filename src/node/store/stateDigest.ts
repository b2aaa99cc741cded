/**
 * A digest of a store's whole state: SHA-256 over every entry in key order, each as
 * u32 key length ‖ key ‖ u32 value length ‖ value. It is not the ledger's state root (that one
 * has inclusion proofs); it lets tests and operators check that two stores hold the same state.
 */
import { createHash } from 'node:crypto';
import type { ChainStore } from './chainStore.ts';

export function stateDigest(store: Pick<ChainStore, 'iterateState'>, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = createHash('sha256');
  const len = new Uint8Array(4);
  const view = new DataView(len.buffer);
  for (const [key, value] of store.iterateState(prefix)) {
    view.setUint32(0, key.length);
    h.update(len);
    h.update(key);
    view.setUint32(0, value.length);
    h.update(len);
    h.update(value);
  }
  return new Uint8Array(h.digest());
}
