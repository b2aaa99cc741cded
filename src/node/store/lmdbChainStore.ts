/**
 * ChainStore on LMDB. One environment, six named databases; every block commit is one
 * synchronous LMDB write transaction (block, block id, seen commit, tx index, state changes and
 * the height marker), so a crash leaves either all of a block or none of it.
 */
import { open, type Database, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
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

type Bytes = Uint8Array;

/**
 * Durability settings. lmdb-js turns on `overlappingSync` by default on Linux (the commit
 * returns before its fsync finishes); we turn it off so that `commitBlock` returns only after
 * LMDB's fdatasync of the data pages and its O_DSYNC write of the meta page. `noSync` and
 * `noMetaSync` stay false: the store must survive power loss, not only a process crash.
 */
export const DURABLE_ENV_OPTIONS = {
  overlappingSync: false,
  noSync: false,
  noMetaSync: false,
  useWritemap: false,
  maxDbs: 8,
} as const satisfies Partial<RootDatabaseOptionsWithPath>;

export interface LmdbChainStoreOptions {
  /** Directory of the LMDB environment (created if missing). */
  readonly path: string;
  /** Open for reading only (another process may be the writer). */
  readonly readOnly?: boolean;
}

const utf8 = new TextEncoder();
const META_CHAIN_ID = utf8.encode('chainId');
const META_GENESIS_HASH = utf8.encode('genesisHash');
const META_INITIAL_HEIGHT = utf8.encode('initialHeight');
const META_LATEST_HEIGHT = utf8.encode('latestHeight');

/** u64 big-endian, so LMDB's byte order is height order. */
function u64(n: number): Bytes {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}
const readU64 = (b: Bytes, at = 0): number => Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at));
// lmdb-js hands out Buffers; callers get plain Uint8Array views of them (no copy).
const plain = (b: Bytes | undefined): Bytes | undefined => (b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
const validHeight = (h: number): boolean => Number.isSafeInteger(h) && h >= 1;

export function openLmdbChainStore(options: LmdbChainStoreOptions): ChainStore {
  const root: RootDatabase<Bytes, Bytes> = open<Bytes, Bytes>({
    path: options.path,
    ...DURABLE_ENV_OPTIONS,
    readOnly: options.readOnly === true,
  });
  const sub = (name: string): Database<Bytes, Bytes> => root.openDB<Bytes, Bytes>({ name, encoding: 'binary', keyEncoding: 'binary' });
  const metaDb = sub('meta');
  const blocksDb = sub('blocks');
  const blockIdsDb = sub('blockIds');
  const commitsDb = sub('seenCommits');
  const txDb = sub('txIndex');
  const stateDb = sub('state');
  let closed = false;

  const live = (): void => {
    if (closed) throw new GridLedgerError('STORE_CLOSED', 'the store is closed');
  };
  const writable = (): void => {
    live();
    if (options.readOnly === true) throw new GridLedgerError('STORE_READ_ONLY', 'the store was opened read-only');
  };

  function readMeta(): ChainMeta | undefined {
    const chainId = metaDb.get(META_CHAIN_ID);
    const genesisHash = metaDb.get(META_GENESIS_HASH);
    const initialHeight = metaDb.get(META_INITIAL_HEIGHT);
    if (chainId === undefined || genesisHash === undefined || initialHeight === undefined) return undefined;
    return { chainId: Buffer.from(chainId).toString('utf8'), genesisHash: plain(genesisHash) as Bytes, initialHeight: readU64(initialHeight) };
  }
  const readLatest = (): number => {
    const v = metaDb.get(META_LATEST_HEIGHT);
    return v === undefined ? 0 : readU64(v);
  };

  function writeChanges(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) {
      if (value === null) void stateDb.remove(key);
      else void stateDb.put(key, value);
    }
  }

  return {
    initChain(genesis: ChainGenesis): void {
      writable();
      checkGenesis(genesis);
      const given: ChainMeta = { chainId: genesis.chainId, genesisHash: genesis.genesisHash, initialHeight: genesis.initialHeight };
      root.transactionSync(() => {
        const stored = readMeta();
        if (stored !== undefined) {
          if (!sameMeta(stored, given)) throw metaMismatch(stored, given);
          return;
        }
        writeChanges(genesis.stateChanges);
        void metaDb.put(META_CHAIN_ID, utf8.encode(given.chainId));
        void metaDb.put(META_GENESIS_HASH, given.genesisHash);
        void metaDb.put(META_INITIAL_HEIGHT, u64(given.initialHeight));
        void metaDb.put(META_LATEST_HEIGHT, u64(given.initialHeight - 1));
      });
    },

    chainMeta(): ChainMeta | undefined {
      live();
      return readMeta();
    },

    commitBlock(commit: BlockCommit): void {
      writable();
      // Checked inside the write transaction, against what is really committed; any throw aborts it.
      root.transactionSync(() => {
        checkCommit(commit, readMeta(), readLatest());
        const hk = u64(commit.height);
        void blocksDb.put(hk, commit.blockBytes);
        void blockIdsDb.put(hk, commit.blockId);
        if (commit.seenCommit !== undefined) void commitsDb.put(hk, commit.seenCommit);
        for (const tx of commit.txIndex ?? []) {
          const loc = new Uint8Array(12);
          loc.set(hk, 0);
          new DataView(loc.buffer).setUint32(8, tx.index);
          void txDb.put(tx.hash, loc);
        }
        writeChanges(commit.stateChanges);
        void metaDb.put(META_LATEST_HEIGHT, hk);
      });
    },

    latestHeight(): number {
      live();
      return readLatest();
    },
    getBlock(height: number): Bytes | undefined {
      live();
      return validHeight(height) ? plain(blocksDb.get(u64(height))) : undefined;
    },
    getBlockIdAt(height: number): Bytes | undefined {
      live();
      return validHeight(height) ? plain(blockIdsDb.get(u64(height))) : undefined;
    },
    getSeenCommit(height: number): Bytes | undefined {
      live();
      return validHeight(height) ? plain(commitsDb.get(u64(height))) : undefined;
    },
    getTxLocation(hash: Bytes): TxLocation | undefined {
      live();
      if (hash.length === 0) return undefined;
      const v = txDb.get(hash);
      if (v === undefined) return undefined;
      return { height: readU64(v), index: new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(8) };
    },
    getState(key: Bytes): Bytes | undefined {
      live();
      return key.length === 0 ? undefined : plain(stateDb.get(key));
    },

    iterateState(prefix: Bytes): IterableIterator<readonly [Bytes, Bytes]> {
      live();
      const p = prefix.slice();
      // getRange reads from one LMDB read snapshot, taken when iteration starts; keys come in memcmp order.
      const range = p.length === 0 ? stateDb.getRange({ snapshot: true }) : stateDb.getRange({ start: p, snapshot: true });
      return (function* () {
        for (const { key, value } of range) {
          if (!hasPrefix(key, p)) return;
          yield [plain(key) as Bytes, plain(value) as Bytes] as const;
        }
      })();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await root.close();
    },
  };
}
