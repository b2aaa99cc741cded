/**
 * The node's block and state store: one interface, an LMDB implementation for real nodes and an
 * in-memory one for tests and simulation, both checked by one compliance suite
 * (chainStoreCompliance.ts). The store knows nothing of the ledger's types: blocks, keys and
 * values are opaque bytes; the ledger decides what they mean.
 */
import { GridLedgerError } from '../../errors.ts';

/** One state write: a value, or null to delete the key. */
export type StateChange = readonly [key: Uint8Array, value: Uint8Array | null];

/** Where a committed transaction sits. */
export interface TxLocation {
  readonly height: number;
  readonly index: number;
}

export interface TxIndexEntry extends TxLocation {
  readonly hash: Uint8Array;
}

/** Everything one block changes, committed in one transaction (DESIGN.md section 5). */
export interface BlockCommit {
  readonly height: number;
  readonly blockId: Uint8Array;
  readonly blockBytes: Uint8Array;
  /** The state changes the block produced, applied in order (a later write to a key wins). */
  readonly stateChanges: readonly StateChange[];
  readonly txIndex?: readonly TxIndexEntry[];
  /** The commit (precommits) that finalised this block, kept so peers can sync the tip. */
  readonly seenCommit?: Uint8Array;
}

/** What the chain was started with; written once by `initChain`. */
export interface ChainMeta {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  /** Height of the first block (state before it is the genesis state). */
  readonly initialHeight: number;
}

export interface ChainGenesis extends ChainMeta {
  readonly stateChanges: readonly StateChange[];
}

export interface ChainStore {
  /** Writes the chain's metadata and genesis state atomically. Repeating it with equal metadata is a no-op. */
  initChain(genesis: ChainGenesis): void;
  chainMeta(): ChainMeta | undefined;
  /**
   * Writes the block, its state changes, its index entries and the new height marker in one
   * transaction; when it returns, the block is durable (LMDB: fsync'd). Heights are consecutive.
   */
  commitBlock(commit: BlockCommit): void;
  /** Height of the last committed block; initialHeight - 1 before the first block; 0 before initChain. */
  latestHeight(): number;
  getBlock(height: number): Uint8Array | undefined;
  getBlockIdAt(height: number): Uint8Array | undefined;
  getSeenCommit(height: number): Uint8Array | undefined;
  getTxLocation(hash: Uint8Array): TxLocation | undefined;
  /** State after the latest block. */
  getState(key: Uint8Array): Uint8Array | undefined;
  /**
   * Entries whose key starts with `prefix`, ascending by key bytes (memcmp order), read from one
   * snapshot taken when iteration starts: commits made meanwhile do not show through.
   */
  iterateState(prefix: Uint8Array): IterableIterator<readonly [Uint8Array, Uint8Array]>;
  /** Releases the store; later calls throw STORE_CLOSED. */
  close(): Promise<void>;
}

/** LMDB's limit (lmdb-js default); the memory store enforces it too so both behave alike. */
export const MAX_KEY_BYTES = 1978;

export function checkKey(key: Uint8Array, what: string): void {
  if (key.length === 0 || key.length > MAX_KEY_BYTES) {
    throw new GridLedgerError('STORE_BAD_KEY', `${what} must be 1..${MAX_KEY_BYTES} bytes, got ${key.length}`);
  }
}

function checkHeightValue(height: number, what: string): void {
  if (!Number.isSafeInteger(height) || height < 1) {
    throw new GridLedgerError('STORE_BAD_HEIGHT', `${what} must be a positive safe integer, got ${height}`);
  }
}

export function checkGenesis(genesis: ChainGenesis): void {
  if (genesis.chainId.length === 0) throw new GridLedgerError('STORE_BAD_META', 'chain id is empty');
  checkHeightValue(genesis.initialHeight, 'initial height');
  for (const [key] of genesis.stateChanges) checkKey(key, 'state key');
}

/** Same metadata? Used to make initChain idempotent and to refuse a different chain. */
export function sameMeta(a: ChainMeta, b: ChainMeta): boolean {
  return a.chainId === b.chainId && a.initialHeight === b.initialHeight && bytesEqual(a.genesisHash, b.genesisHash);
}

export function metaMismatch(stored: ChainMeta, given: ChainMeta): GridLedgerError {
  return new GridLedgerError('STORE_CHAIN_MISMATCH', `store holds chain ${stored.chainId} (initial height ${stored.initialHeight}), not ${given.chainId}`, {
    details: { stored: stored.chainId, given: given.chainId },
  });
}

/** Validates a commit against the store's current tip before anything is written. */
export function checkCommit(commit: BlockCommit, meta: ChainMeta | undefined, latest: number): void {
  if (meta === undefined) throw new GridLedgerError('STORE_NOT_INITIALISED', 'initChain must run before the first block');
  checkHeightValue(commit.height, 'block height');
  if (commit.height !== latest + 1) {
    throw new GridLedgerError('STORE_HEIGHT_GAP', `next block must be at height ${latest + 1}, got ${commit.height}`, {
      details: { expected: latest + 1, got: commit.height },
    });
  }
  if (commit.blockId.length === 0) throw new GridLedgerError('STORE_BAD_BLOCK', 'block id is empty');
  for (const [key] of commit.stateChanges) checkKey(key, 'state key');
  for (const tx of commit.txIndex ?? []) {
    checkKey(tx.hash, 'transaction hash');
    if (tx.height !== commit.height) {
      throw new GridLedgerError('STORE_BAD_BLOCK', `transaction index entry says height ${tx.height} inside block ${commit.height}`);
    }
    if (!Number.isSafeInteger(tx.index) || tx.index < 0 || tx.index > 0xffffffff) {
      throw new GridLedgerError('STORE_BAD_BLOCK', `transaction index ${tx.index} is not a u32`);
    }
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
