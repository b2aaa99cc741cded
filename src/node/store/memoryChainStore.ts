/**
 * In-memory ChainStore for tests and simulation. Same contract as the LMDB store (the compliance
 * suite runs on both); bytes are copied in and out so callers cannot alias stored data.
 */
import {
  type BlockCommit,
  type ChainGenesis,
  type ChainMeta,
  type ChainStore,
  type StateChange,
  type TxLocation,
  checkCommit,
  checkGenesis,
  hasPrefix,
  metaMismatch,
  sameMeta,
} from './chainStore.ts';
import { GridLedgerError } from '../../errors.ts';

interface StoredBlock {
  readonly blockId: Uint8Array;
  readonly blockBytes: Uint8Array;
  readonly seenCommit: Uint8Array | undefined;
}

// Lowercase hex sorts like the bytes it encodes (two digits per byte, '0'-'9' < 'a'-'f').
const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const copy = (bytes: Uint8Array): Uint8Array => bytes.slice();

export function createMemoryChainStore(): ChainStore {
  let meta: ChainMeta | undefined;
  let latest = 0;
  let closed = false;
  const blocks = new Map<number, StoredBlock>();
  const txs = new Map<string, TxLocation>();
  const state = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  let sortedKeys: string[] | undefined; // rebuilt lazily when the key set changes

  const open = (): void => {
    if (closed) throw new GridLedgerError('STORE_CLOSED', 'the store is closed');
  };

  function applyChanges(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) {
      const hex = hexOf(key);
      if (value === null) {
        if (state.delete(hex)) sortedKeys = undefined;
      } else {
        if (!state.has(hex)) sortedKeys = undefined;
        state.set(hex, { key: copy(key), value: copy(value) });
      }
    }
  }

  function lowerBound(keys: readonly string[], target: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    initChain(genesis: ChainGenesis): void {
      open();
      checkGenesis(genesis);
      const given: ChainMeta = { chainId: genesis.chainId, genesisHash: genesis.genesisHash, initialHeight: genesis.initialHeight };
      if (meta !== undefined) {
        if (!sameMeta(meta, given)) throw metaMismatch(meta, given);
        return;
      }
      applyChanges(genesis.stateChanges);
      meta = { ...given, genesisHash: copy(given.genesisHash) };
      latest = given.initialHeight - 1;
    },

    chainMeta(): ChainMeta | undefined {
      open();
      return meta === undefined ? undefined : { ...meta, genesisHash: copy(meta.genesisHash) };
    },

    commitBlock(commit: BlockCommit): void {
      open();
      checkCommit(commit, meta, latest);
      applyChanges(commit.stateChanges);
      for (const tx of commit.txIndex ?? []) txs.set(hexOf(tx.hash), { height: tx.height, index: tx.index });
      blocks.set(commit.height, {
        blockId: copy(commit.blockId),
        blockBytes: copy(commit.blockBytes),
        seenCommit: commit.seenCommit === undefined ? undefined : copy(commit.seenCommit),
      });
      latest = commit.height;
    },

    latestHeight(): number {
      open();
      return latest;
    },
    getBlock(height: number): Uint8Array | undefined {
      open();
      const b = blocks.get(height);
      return b === undefined ? undefined : copy(b.blockBytes);
    },
    getBlockIdAt(height: number): Uint8Array | undefined {
      open();
      const b = blocks.get(height);
      return b === undefined ? undefined : copy(b.blockId);
    },
    getSeenCommit(height: number): Uint8Array | undefined {
      open();
      const c = blocks.get(height)?.seenCommit;
      return c === undefined ? undefined : copy(c);
    },
    getTxLocation(hash: Uint8Array): TxLocation | undefined {
      open();
      const loc = txs.get(hexOf(hash));
      return loc === undefined ? undefined : { ...loc };
    },
    getState(key: Uint8Array): Uint8Array | undefined {
      open();
      const e = state.get(hexOf(key));
      return e === undefined ? undefined : copy(e.value);
    },

    iterateState(prefix: Uint8Array): IterableIterator<readonly [Uint8Array, Uint8Array]> {
      open();
      const p = copy(prefix);
      return (function* () {
        // Snapshot the matching entries when iteration starts (as an LMDB read transaction does):
        // a commit made while iterating must not show through.
        sortedKeys ??= [...state.keys()].sort();
        const keys = sortedKeys;
        const snapshot: Array<{ key: Uint8Array; value: Uint8Array }> = [];
        for (let i = lowerBound(keys, hexOf(p)); i < keys.length; i++) {
          const e = state.get(keys[i] as string);
          if (e === undefined || !hasPrefix(e.key, p)) break;
          snapshot.push(e);
        }
        for (const e of snapshot) yield [copy(e.key), copy(e.value)] as const;
      })();
    },

    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
