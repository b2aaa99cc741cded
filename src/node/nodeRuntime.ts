/**
 * The composition root of one node: opens (or is given) the block and state store, restores
 * or initialises the ledger app, opens the consensus WAL and the double-sign guard, and wires
 * the mempool, the consensus host and the peer transport into a GridLedgerNode (node.ts).
 *
 * Start-up order (docs/storage.md): store -> app (restoreApp, app hash checked against the last
 * block's commit record) -> WAL (ended up to the store's height) -> sign state -> replay of the
 * unfinished height -> transport. With `dataDir`/`walDir` null the node keeps everything in
 * memory (tests, simulations); it writes nothing outside those two directories.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Hex, LastSignState, PrivValidator, SignStateStore, SignatureVerifier, TimeoutConfig } from '../consensus/index.ts';
import { GuardedSigner, memorySignStateStore } from '../consensus/index.ts';
import { GridLedgerError } from '../errors.ts';
import {
  bytesEqual,
  checkNodeVersion,
  createApp,
  createSigner,
  decodeBlock,
  DEFAULT_MEMPOOL_OPTIONS,
  genesisHash,
  Mempool,
  restoreApp,
  toHex,
  txHash,
  verifySignature,
} from '../ledger/index.ts';
import type { AppOptions, Genesis, LedgerApp, MempoolOptions } from '../ledger/index.ts';
import { SeenSet } from '../net/seenSet.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import type { BlockView, CommittedBlockEvent, GridLedgerNode, NodeStatus, SubmitResult, TxView } from './node.ts';
import type { Clock } from './clock.ts';
import { ConsensusHost } from './consensusHost.ts';
import type { AppliedBlock, BlockPolicy, HostStatus } from './consensusHost.ts';
import { decodeCommitRecord, decodeTxBatch, encodeTxBatch, TOPIC } from './messages.ts';
import type { ChainStore } from './store/chainStore.ts';
import { openLmdbChainStore } from './store/lmdbChainStore.ts';
import { createMemoryChainStore } from './store/memoryChainStore.ts';
import { openSignStateFile, SIGN_STEPS } from './wal/signState.ts';
import type { SignStateFile } from './wal/signState.ts';
import { openWal } from './wal/wal.ts';
import { memoryEvidenceStore, openEvidenceFile } from './wal/evidenceFile.ts';
import type { PendingEvidenceStore } from './wal/evidenceFile.ts';
import type { Wal, WalRecord } from './wal/wal.ts';

/**
 * The Node major version this process runs. Genesis files written here pin it (DESIGN.md
 * section 4: the grid check's floating point must be the same V8 on every validator).
 */
export function runningNodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

export interface NodeHomeConfig {
  readonly chainId: string;
  readonly genesis: Genesis;
  /** The validator's 32-byte Ed25519 seed (consensus key); null for a node that only follows. */
  readonly validatorKey: Uint8Array | null;
  /** LMDB directory; null: blocks and state in memory. */
  readonly dataDir: string | null;
  /** WAL and double-sign guard directory; null: in memory. */
  readonly walDir: string | null;
}

/** The WAL and sign state of a node without a walDir, kept by its owner across restarts. */
export interface MemoryConsensusDisk {
  readonly wal: Wal;
  readonly signState: SignStateStore;
  /** Pending evidence (none kept across a restart when absent). */
  readonly evidence?: PendingEvidenceStore;
}

export interface CreateNodeOptions {
  readonly homeConfig: NodeHomeConfig;
  /** Started by node.start() and stopped by node.stop(). */
  readonly transport: PeerTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A store to use instead of opening dataDir (not closed by stop()). */
  readonly store?: ChainStore;
  /** Peer addresses to keep sessions with (every validator may get the same list). */
  readonly peers?: readonly string[];
  /** Default: a block at least every 1000 ms. */
  readonly blockPolicy?: BlockPolicy;
  readonly timeouts?: Partial<TimeoutConfig>;
  /** Ledger hooks and system accounts (the market). */
  readonly app?: AppOptions;
  readonly mempool?: Partial<MempoolOptions>;
  /**
   * On-demand chains: the time (ms) the application needs a block at or after (e.g. a market's
   * gate closure), asked after each commit; undefined for none. At that local time the node makes
   * blocks until one carries a time at or after it.
   */
  readonly needsBlockAt?: (app: LedgerApp) => number | undefined;
  readonly gossipIntervalMs?: number;
  readonly commitWaitMs?: number;
  /** Transactions are gossiped in batches collected for this long (default 2 ms). */
  readonly txBatchDelayMs?: number;
  /** The transport's frame limit; proposals and batches are kept inside it (default 4 MiB). */
  readonly maxFrameBytes?: number;
  /** With walDir null: the WAL and sign state to use (kept across a simulated restart). */
  readonly memoryDisk?: MemoryConsensusDisk;
}

/** A node created in this process: the public contract plus what tests, the cluster and the simulation need. */
export interface LocalNode extends GridLedgerNode {
  /** Validator address (hex), null for a node that follows. */
  readonly address: Hex | null;
  readonly app: LedgerApp;
  readonly transport: PeerTransport;
  /**
   * Ask for blocks even without transactions (an on-demand chain at a market deadline): the next
   * block, or with `minBlockTimeMs` blocks until one whose time is at or after it (two after an
   * idle spell: a block's time is the BFT time of the previous block's commit).
   */
  requestBlock(minBlockTimeMs?: number): void;
  consensusStatus(): HostStatus;
  /** State root (hex) this node computed after the block at `height`, from its commit record. */
  stateRootAt(height: number): Hex | null;
  /** Transactions waiting in the mempool. */
  readonly mempoolSize: number;
  /** Inputs handled so far (an in-process cluster on virtual time watches it to find idle moments). */
  readonly activity: number;
  /** Blocks this node applied from peers by block sync. */
  readonly syncedBlocks: number;
  /** Signatures of votes, proposals, commits and evidence this node verified (transactions' are the ledger's). */
  readonly consensusVerifications: number;
  /** Why the node stopped itself (a broken invariant, a failed write), if it did. */
  readonly haltReason: unknown;
}

const FRAME_HEADROOM_BYTES = 64 * 1024;
const DEFAULT_FRAME_BYTES = 4 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_WAIT_MS = 30_000;
/** Transaction hashes remembered as relayed (a relay sends each at most once while remembered). */
const RELAYED_MEMORY = 100_000;

/** The ledger's verification rule, for consensus signatures too: one rule everywhere. */
export const ledgerVerifier: SignatureVerifier = { verify: (publicKey, message, signature) => verifySignature(publicKey, message, signature) };

/** The double-sign guard's state in its file (steps named there, numbered in the engine). */
function fileSignStateStore(file: SignStateFile): SignStateStore {
  return {
    load(): LastSignState | undefined {
      const s = file.last();
      if (s === undefined) return undefined;
      return { height: s.height, round: s.round, step: (SIGN_STEPS.indexOf(s.step) + 1) as 1 | 2 | 3, signBytes: s.signBytes, signature: s.signature, timestampMs: s.timestampMs };
    },
    save(s) {
      file.record({ height: s.height, round: s.round, step: SIGN_STEPS[s.step - 1] as (typeof SIGN_STEPS)[number], signBytes: s.signBytes, signature: s.signature, timestampMs: s.timestampMs });
    },
  };
}

/** A WAL kept in memory (same contract as the file WAL; a simulated crash loses nothing of it). */
export function createMemoryWal(startHeight: number, keepHeights = 2): Wal {
  const segments = new Map<number, Uint8Array[]>([[startHeight, []]]);
  let current = startHeight;
  return {
    height: () => current,
    droppedBytesAtOpen: 0,
    append(data) {
      segments.get(current)?.push(data.slice());
    },
    endHeight(height) {
      if (height < current) throw new GridLedgerError('WAL_HEIGHT_REGRESSION', `WAL is at height ${current}, cannot end height ${height}`);
      current = height + 1;
      segments.set(current, []);
      for (const h of [...segments.keys()]) if (h <= current - keepHeights) segments.delete(h);
    },
    replay(fromHeight) {
      const out: WalRecord[] = [];
      for (const h of [...segments.keys()].sort((a, b) => a - b)) if (h >= fromHeight) for (const data of segments.get(h) ?? []) out.push({ height: h, data });
      return out;
    },
    close() {},
  };
}

export function createMemoryConsensusDisk(): MemoryConsensusDisk {
  return { wal: createMemoryWal(1), signState: memorySignStateStore(), evidence: memoryEvidenceStore() };
}

function openApp(store: ChainStore, genesis: Genesis, opts: AppOptions): LedgerApp {
  const meta = store.chainMeta();
  const gHash = genesisHash(genesis);
  if (meta === undefined) {
    const app = createApp(opts);
    app.initChain(genesis);
    store.initChain({ chainId: genesis.chainId, genesisHash: gHash, initialHeight: 1, stateChanges: app.changes() });
    app.commit();
    return app;
  }
  if (meta.chainId !== genesis.chainId || !bytesEqual(meta.genesisHash, gHash)) {
    throw new GridLedgerError('NODE_GENESIS_MISMATCH', `the store holds chain ${meta.chainId} with another genesis than the one given`);
  }
  return restoreApp(store.iterateState(new Uint8Array(0)), opts);
}

interface Waiter {
  resolve(r: SubmitResult): void;
  cancel(): void;
}

export function createNode(opts: CreateNodeOptions): LocalNode {
  const cfg = opts.homeConfig;
  if (cfg.chainId !== cfg.genesis.chainId) throw new GridLedgerError('NODE_GENESIS_MISMATCH', `config says chain ${cfg.chainId}, genesis ${cfg.genesis.chainId}`);
  const ownsStore = opts.store === undefined;
  const store = opts.store ?? (cfg.dataDir === null ? createMemoryChainStore() : openLmdbChainStore({ path: cfg.dataDir }));
  try {
    const app = openApp(store, cfg.genesis, opts.app ?? {});
    checkNodeVersion(app.params(), runningNodeMajor());
    const S = store.latestHeight();
    const wal = cfg.walDir === null ? (opts.memoryDisk?.wal ?? createMemoryWal(S + 1)) : openWal({ dir: cfg.walDir, startHeight: S + 1 });
    try {
      return assemble(opts, store, ownsStore, app, wal);
    } catch (e) {
      wal.close();
      throw e;
    }
  } catch (e) {
    if (ownsStore) void store.close();
    throw e;
  }
}

/** Everything after the store, the app and the WAL are open. */
function assemble(opts: CreateNodeOptions, store: ChainStore, ownsStore: boolean, app: LedgerApp, wal: Wal): LocalNode {
  const { homeConfig: cfg, transport, clock, logger } = opts;
  const genesis = cfg.genesis;
  const mempool = new Mempool(app, { ...DEFAULT_MEMPOOL_OPTIONS, ...opts.mempool });
  let signer: PrivValidator | undefined;
  let address: Hex | null = null;
  if (cfg.validatorKey !== null) {
    const key = createSigner(cfg.validatorKey);
    address = toHex(key.address);
    const signState = cfg.walDir === null ? (opts.memoryDisk?.signState ?? memorySignStateStore()) : fileSignStateStore(openSignStateFile(path.join(cfg.walDir, 'sign-state.json')));
    signer = new GuardedSigner(address, key, signState);
  }
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_FRAME_BYTES;
  const frameBudget = maxFrameBytes - FRAME_HEADROOM_BYTES;

  let consensusVerifications = 0;
  const verifier: SignatureVerifier = {
    verify(publicKey, message, signature) {
      consensusVerifications++;
      return ledgerVerifier.verify(publicKey, message, signature);
    },
  };

  const waiters = new Map<string, Waiter[]>();
  const commitHandlers = new Set<(e: CommittedBlockEvent) => void>();
  /**
   * Transactions to relay, by the peer each came from (undefined: this node's own submit): each
   * goes to every connected peer but that one.
   */
  let gossip = new Map<PeerId | undefined, Uint8Array[]>();
  let cancelGossip: (() => void) | undefined;
  const relayed = new SeenSet(RELAYED_MEMORY);
  /**
   * Peers of the validator full mesh (the peers a validator is configured with): each got a
   * transaction from the validator it reached first, so a validator does not relay what they
   * send. Empty on a node that follows: it relays everything new.
   */
  let meshPeers = new Set<PeerId>();
  let running = false;
  const unsubscribe: Array<() => void> = [];

  const sendBatches = (from: PeerId | undefined, txs: readonly Uint8Array[]): void => {
    const send = (frame: Uint8Array): void => {
      if (from === undefined) transport.broadcast(TOPIC.txs, frame);
      else for (const peer of transport.connectedPeers()) if (peer !== from) transport.send(peer, TOPIC.txs, frame);
    };
    let batch: Uint8Array[] = [];
    let size = 0;
    for (const tx of txs) {
      if (size + tx.length + 16 > frameBudget && batch.length > 0) {
        send(encodeTxBatch(batch));
        batch = [];
        size = 0;
      }
      batch.push(tx);
      size += tx.length + 16;
    }
    if (batch.length > 0) send(encodeTxBatch(batch));
  };

  const flushGossip = (): void => {
    cancelGossip?.();
    cancelGossip = undefined;
    const queued = gossip;
    gossip = new Map();
    for (const [from, txs] of queued) sendBatches(from, txs);
  };

  /**
   * Sends a transaction this node just admitted in the next batch: from a peer once while
   * remembered; from a client's submit always (admitted again after an eviction, it must go out).
   */
  const queueGossip = (tx: Uint8Array, hashHex: string, from: PeerId | undefined): void => {
    if (!relayed.add(hashHex) && from !== undefined) return;
    const list = gossip.get(from);
    if (list === undefined) gossip.set(from, [tx]);
    else list.push(tx);
    cancelGossip ??= clock.setTimer(opts.txBatchDelayMs ?? 2, flushGossip);
  };

  const onCommitted = (b: AppliedBlock): void => {
    const hashes = b.results.map((r) => toHex(r.hash));
    b.results.forEach((r, i) => {
      const hash = hashes[i] as string;
      const list = waiters.get(hash);
      if (list === undefined) return;
      waiters.delete(hash);
      const out: SubmitResult = r.code === 0 ? { hash, code: 0, height: b.height } : { hash, code: r.code, error: r.error ?? 'TX_FAILED', message: r.log, height: b.height };
      for (const w of list) {
        w.cancel();
        w.resolve(out);
      }
    });
    const event: CommittedBlockEvent = { height: b.height, blockId: b.blockIdHex, timeMs: b.block.header.timeMs, txHashes: hashes };
    for (const h of commitHandlers) {
      try {
        h(event);
      } catch (err) {
        logger.warn({ err }, 'node: commit handler threw');
      }
    }
  };

  const host = new ConsensusHost({
    genesis,
    app,
    mempool,
    store,
    wal,
    evidenceStore: cfg.walDir === null ? (opts.memoryDisk?.evidence ?? memoryEvidenceStore()) : openEvidenceFile(path.join(cfg.walDir, 'evidence.json')),
    signer,
    transport,
    clock,
    logger,
    verifier,
    policy: opts.blockPolicy ?? { kind: 'interval', intervalMs: DEFAULT_INTERVAL_MS },
    maxBlockBytes: frameBudget,
    beforeHeightStart: flushGossip,
    onCommitted,
    onHalt: (err) => logger.fatal({ err }, 'node: halted; restart it after fixing the cause'),
    ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
    ...(opts.gossipIntervalMs === undefined ? {} : { gossipIntervalMs: opts.gossipIntervalMs }),
    ...(opts.commitWaitMs === undefined ? {} : { commitWaitMs: opts.commitWaitMs }),
    ...(opts.needsBlockAt === undefined ? {} : { needsBlockAt: opts.needsBlockAt }),
  });

  const onTxBatch = (peer: PeerId, bytes: Uint8Array): void => {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(bytes);
    } catch {
      transport.penalize(peer, 'undecodable');
      return;
    }
    let admitted = 0;
    let forged = false;
    const relay = !meshPeers.has(peer);
    for (const tx of txs) {
      const r = mempool.add(tx);
      if (r.code === 0) {
        admitted++;
        if (relay) queueGossip(tx, r.hashHex, peer);
      } else if (r.error === 'TX_BAD_SIGNATURE') forged = true;
    }
    // A correct node gossips only what it admitted: a forged signature is the sender's doing.
    if (forged) transport.penalize(peer, 'invalid-signature');
    if (admitted > 0) host.onTxsAdded();
  };

  const committedResult = (hash: string): SubmitResult | undefined => {
    const t = node.getTx(hash);
    if (t === null) return undefined;
    return t.code === 0 ? { hash, code: 0, height: t.height } : { hash, code: t.code, error: 'TX_FAILED', message: t.log, height: t.height };
  };

  const wait = (hash: string, timeoutMs: number): Promise<SubmitResult> =>
    new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        cancel: clock.setTimer(timeoutMs, () => {
          const list = waiters.get(hash)?.filter((x) => x !== w) ?? [];
          if (list.length > 0) waiters.set(hash, list);
          else waiters.delete(hash);
          resolve({ hash, code: 1, error: 'TX_COMMIT_TIMEOUT', message: `not committed within ${timeoutMs} ms` });
        }),
      };
      waiters.set(hash, [...(waiters.get(hash) ?? []), w]);
    });

  const node: LocalNode = {
    address,
    app,
    transport,
    get mempoolSize() {
      return mempool.size;
    },
    get activity() {
      return host.activity;
    },
    get syncedBlocks() {
      return host.syncedBlocks;
    },
    get haltReason() {
      return host.haltReason;
    },
    get consensusVerifications() {
      return consensusVerifications;
    },

    async start() {
      if (running) return;
      running = true;
      unsubscribe.push(
        transport.onMessage((peer, topic, bytes) => (topic === TOPIC.txs ? onTxBatch(peer, bytes) : host.onMessage(peer, topic, bytes))),
        transport.onPeerConnect((peer) => host.onPeerConnect(peer)),
        transport.onPeerDisconnect((peer) => host.onPeerDisconnect(peer)),
      );
      host.start();
      await transport.start();
      if (opts.peers !== undefined && opts.peers.length > 0) {
        if (address !== null) meshPeers = new Set(opts.peers.map((a) => transport.addressPeer(a)));
        transport.dial(opts.peers);
      }
      logger.info({ chainId: genesis.chainId, height: store.latestHeight(), validator: address }, 'node: started');
    },

    async stop() {
      if (!running) return;
      running = false;
      host.stop();
      cancelGossip?.();
      for (const u of unsubscribe.splice(0)) u();
      for (const [hash, list] of [...waiters]) {
        for (const w of list) {
          w.cancel();
          w.resolve({ hash, code: 1, error: 'NODE_STOPPED', message: 'the node stopped before the transaction was committed' });
        }
      }
      waiters.clear();
      await transport.stop();
      wal.close();
      if (ownsStore) await store.close();
    },

    status(): NodeStatus {
      const s = host.status();
      return {
        chainId: genesis.chainId,
        height: s.height,
        blockId: s.height === 0 ? null : toHex(s.blockId),
        timeMs: s.timeMs,
        appHash: toHex(app.info().appHash),
        validator: address,
        peers: transport.connectedPeers().length,
        catchingUp: s.catchingUp,
      };
    },

    async submitTx(txBytes, o = {}) {
      const timeoutMs = o.timeoutMs ?? DEFAULT_WAIT_MS;
      const r = mempool.add(txBytes);
      const hash = r.hashHex;
      if (r.code !== 0) {
        if (r.error === 'TX_DUPLICATE' && o.waitForCommit === true) return wait(hash, timeoutMs);
        const committed = r.error === 'TX_NONCE_TOO_LOW' ? committedResult(hash) : undefined;
        if (committed !== undefined) return committed;
        return { hash, code: r.code, error: r.error ?? 'TX_REFUSED', message: r.log };
      }
      queueGossip(txBytes, hash, undefined);
      host.onTxsAdded();
      if (o.waitForCommit !== true) return { hash, code: 0 };
      return wait(hash, timeoutMs);
    },

    getBlock(height): BlockView | null {
      const bytes = store.getBlock(height);
      const id = store.getBlockIdAt(height);
      if (bytes === undefined || id === undefined) return null;
      const b = decodeBlock(bytes);
      return { height, blockId: toHex(id), timeMs: b.header.timeMs, proposer: toHex(b.header.proposer), txs: b.txs.map((t) => toHex(txHash(t))), bytes };
    },

    getTx(hash): TxView | null {
      if (!/^[0-9a-f]{64}$/.test(hash)) return null;
      const loc = store.getTxLocation(new Uint8Array(Buffer.from(hash, 'hex')));
      if (loc === undefined) return null;
      const blockBytes = store.getBlock(loc.height);
      const record = store.getSeenCommit(loc.height);
      if (blockBytes === undefined || record === undefined) return null;
      const tx = decodeBlock(blockBytes).txs[loc.index];
      const result = decodeCommitRecord(record).results[loc.index];
      if (tx === undefined || result === undefined) return null;
      return { hash, height: loc.height, index: loc.index, code: result.code, log: result.log, bytes: tx };
    },

    query(p) {
      const r = app.query(p);
      return r.code === 0 ? { code: 0, value: r.value } : { code: r.code, error: r.error ?? 'QUERY_FAILED', message: r.log };
    },

    onCommit(handler) {
      commitHandlers.add(handler);
      return () => {
        commitHandlers.delete(handler);
      };
    },

    stateRootAt(height) {
      const record = store.getSeenCommit(height);
      return record === undefined ? null : toHex(decodeCommitRecord(record).appHash);
    },
    requestBlock: (minBlockTimeMs) => host.requestBlock(minBlockTimeMs),
    consensusStatus: () => host.status(),
  };
  return node;
}
