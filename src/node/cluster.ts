/**
 * N validator nodes of one chain in ONE process, over the in-process hub: the worked example,
 * the city simulation and tests run real chains (the real ledger, consensus, WAL and block
 * sync) without sockets. Dev keys and genesis come from the ledger's devChain.
 *
 * Time is real, or virtual: on virtual time the cluster moves the clock itself, to the next
 * timer each time every node is idle (no frame in flight, no input handled for a few event-loop
 * turns), so a simulated hour of an on-demand chain takes as long as its blocks take to make.
 */
import path from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { GridLedgerError } from '../errors.ts';
import { devChain, sha256, utf8 } from '../ledger/index.ts';
import type { DevChain, DevChainOptions } from '../ledger/index.ts';
import { createInprocHub } from '../net/inproc/inprocHub.ts';
import type { InprocFrame, InprocHub } from '../net/inproc/inprocHub.ts';
import type { PeerTransport } from '../net/transport.ts';
import { createRealClock, createVirtualClock, isVirtualClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { BULK_TOPICS } from './messages.ts';
import { createMemoryConsensusDisk, createNode } from './nodeRuntime.ts';
import type { CreateNodeOptions, LocalNode, MemoryConsensusDisk } from './nodeRuntime.ts';
import type { ChainStore } from './store/chainStore.ts';
import { createMemoryChainStore } from './store/memoryChainStore.ts';

/** What every node of a cluster gets as it is (nodeRuntime.ts CreateNodeOptions). */
type SharedNodeOptions = Pick<CreateNodeOptions, 'blockPolicy' | 'timeouts' | 'app' | 'mempool' | 'needsBlockAt' | 'gossipIntervalMs' | 'commitWaitMs'>;

export interface ClusterOptions extends SharedNodeOptions {
  readonly validators: number;
  readonly chainId?: string;
  /** Genesis overrides (funded accounts, balances, parameters, feeder, genesis time, stake). */
  readonly genesis?: Omit<DevChainOptions, 'chainId' | 'validators'>;
  /** Default 'virtual'. */
  readonly clock?: 'real' | 'virtual';
  /** Each node keeps LMDB and its WAL under DIR/node<i>; default: all in memory. */
  readonly dataDir?: string;
  /** Default: silent; each node logs as a child with its index. */
  readonly logger?: Logger;
  /** Test hook: wraps a node's transport (e.g. a double signer that sends conflicting votes). */
  readonly wrapTransport?: (index: number, transport: PeerTransport) => PeerTransport;
}

export interface Cluster {
  readonly chain: DevChain;
  readonly clock: Clock;
  readonly hub: InprocHub;
  /** The running instance of each node (a restart replaces it). */
  readonly nodes: readonly LocalNode[];
  node(index: number): LocalNode;
  /**
   * Lets the chain run until `done()` holds or `maxMs` of the cluster's clock pass (virtual
   * time moves as fast as the nodes work). Resolves true if `done()` held.
   */
  runUntil(done: () => boolean, opts?: { maxMs?: number }): Promise<boolean>;
  /** Lets `ms` of the cluster's clock pass. */
  run(ms: number): Promise<void>;
  /** Runs until every running node has committed `height`; throws CLUSTER_TIMEOUT after `maxMs`. */
  waitForHeight(height: number, opts?: { maxMs?: number }): Promise<void>;
  /** Stops a node (its disk stays: memory store and WAL kept by the cluster, or its dataDir). */
  stopNode(index: number): Promise<void>;
  /** Starts a stopped node again on the same disk; it replays its WAL and catches up. */
  restartNode(index: number): Promise<LocalNode>;
  isRunning(index: number): boolean;
  /** Drops every frame between groups (nodes not listed form one more group); sessions stay open. */
  partition(groups: readonly (readonly number[])[]): void;
  heal(): void;
  /** Test hook: drops the frames `drop` picks, on top of any partition (undefined removes it). */
  dropFrames(drop: ((frame: InprocFrame) => boolean) | undefined): void;
  /** Every running node asks for blocks (see LocalNode.requestBlock): an on-demand chain at a market deadline. */
  requestBlock(minBlockTimeMs?: number): void;
}

interface Slot {
  readonly index: number;
  readonly peerId: string;
  node: LocalNode;
  running: boolean;
  readonly store: ChainStore | undefined;
  readonly disk: MemoryConsensusDisk | undefined;
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(opts.validators) || opts.validators < 1) throw new GridLedgerError('CLUSTER_BAD_OPTIONS', 'a cluster needs at least one validator');
  const virtual = (opts.clock ?? 'virtual') === 'virtual';
  const startMs = opts.genesis?.genesisTimeMs ?? (virtual ? 1_767_225_600_000 : Date.now());
  const clock = virtual ? createVirtualClock(startMs) : createRealClock();
  const chain = devChain({ ...opts.genesis, chainId: opts.chainId ?? 'cluster-1', validators: opts.validators, genesisTimeMs: startMs });
  const logger = opts.logger ?? pino({ level: 'silent' });
  const hub = createInprocHub();
  let groupOf: number[] | undefined;
  let extraDrop: ((frame: InprocFrame) => boolean) | undefined;
  const peerIds = chain.validators.map((_, i) => `node${i}`);
  const addresses = peerIds.map((p) => hub.addressOf(p));

  const makeNode = (index: number, store: ChainStore | undefined, disk: MemoryConsensusDisk | undefined): LocalNode => {
    const raw = hub.createTransport(peerIds[index] as string, { bulkTopics: BULK_TOPICS });
    const transport = opts.wrapTransport?.(index, raw) ?? raw;
    const dir = opts.dataDir === undefined ? undefined : path.join(opts.dataDir, `node${index}`);
    return createNode({
      homeConfig: {
        chainId: chain.genesis.chainId,
        genesis: chain.genesis,
        validatorKey: devValidatorSeed(chain.genesis.chainId, index),
        dataDir: dir === undefined ? null : path.join(dir, 'data'),
        walDir: dir === undefined ? null : path.join(dir, 'wal'),
      },
      transport,
      clock,
      logger: logger.child({ node: index }),
      peers: addresses,
      ...(store === undefined ? {} : { store }),
      ...(disk === undefined ? {} : { memoryDisk: disk }),
      ...(opts.blockPolicy === undefined ? {} : { blockPolicy: opts.blockPolicy }),
      ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
      ...(opts.app === undefined ? {} : { app: opts.app }),
      ...(opts.mempool === undefined ? {} : { mempool: opts.mempool }),
      ...(opts.needsBlockAt === undefined ? {} : { needsBlockAt: opts.needsBlockAt }),
      ...(opts.gossipIntervalMs === undefined ? {} : { gossipIntervalMs: opts.gossipIntervalMs }),
      ...(opts.commitWaitMs === undefined ? {} : { commitWaitMs: opts.commitWaitMs }),
    });
  };

  const slots: Slot[] = peerIds.map((peerId, index) => {
    const store = opts.dataDir === undefined ? createMemoryChainStore() : undefined;
    const disk = opts.dataDir === undefined ? createMemoryConsensusDisk() : undefined;
    return { index, peerId, node: makeNode(index, store, disk), running: false, store, disk };
  });

  const slot = (i: number): Slot => {
    const s = slots[i];
    if (s === undefined) throw new GridLedgerError('CLUSTER_BAD_OPTIONS', `no node ${i}`);
    return s;
  };

  /** Inputs handled and frames moved so far: unchanged for a few turns means every node is idle. */
  const activity = (): number => {
    let n = 0;
    for (const s of slots) {
      n += s.node.activity;
      const st = s.node.transport.stats();
      n += st.framesSent + st.framesReceived;
    }
    return n;
  };
  const settle = async (): Promise<void> => {
    let last = activity();
    let quiet = 0;
    while (quiet < 3) {
      await immediate();
      const now = activity();
      if (now === last) quiet++;
      else {
        quiet = 0;
        last = now;
      }
    }
  };

  const cluster: Cluster = {
    chain,
    clock,
    hub,
    get nodes() {
      return slots.map((s) => s.node);
    },
    node: (i) => slot(i).node,
    async runUntil(done, o = {}) {
      const maxMs = o.maxMs ?? 60_000;
      const deadline = clock.nowMs() + maxMs;
      for (;;) {
        await settle();
        if (done()) return true;
        if (clock.nowMs() >= deadline) return false;
        if (isVirtualClock(clock)) clock.runNext(deadline);
        else await sleep(2);
      }
    },
    async run(ms) {
      await cluster.runUntil(() => false, { maxMs: ms });
    },
    async waitForHeight(height, o = {}) {
      const ok = await cluster.runUntil(() => slots.every((s) => !s.running || s.node.status().height >= height), o);
      if (!ok) {
        const heights = slots.map((s) => (s.running ? s.node.status().height : 'stopped'));
        throw new GridLedgerError('CLUSTER_TIMEOUT', `nodes did not all reach height ${height}: ${heights.join(', ')}`);
      }
    },
    async stopNode(i) {
      const s = slot(i);
      if (!s.running) return;
      s.running = false;
      await s.node.stop();
    },
    async restartNode(i) {
      const s = slot(i);
      if (s.running) throw new GridLedgerError('CLUSTER_BAD_STATE', `node ${i} is running`);
      s.node = makeNode(i, s.store, s.disk);
      await s.node.start();
      s.running = true;
      return s.node;
    },
    isRunning: (i) => slot(i).running,
    partition(groups) {
      const g = slots.map(() => groups.length);
      groups.forEach((members, k) => {
        for (const m of members) g[m] = k;
      });
      groupOf = g;
    },
    heal() {
      groupOf = undefined;
    },
    dropFrames(drop) {
      extraDrop = drop;
    },
    requestBlock(minBlockTimeMs) {
      for (const s of slots) if (s.running) s.node.requestBlock(minBlockTimeMs);
    },
  };

  const indexOf = new Map(peerIds.map((p, i) => [p, i]));
  hub.setFaults({
    drop: (f) => (groupOf !== undefined && groupOf[indexOf.get(f.from) ?? -1] !== groupOf[indexOf.get(f.to) ?? -1]) || extraDrop?.(f) === true,
  });

  for (const s of slots) {
    await s.node.start();
    s.running = true;
  }
  // Sessions open over a few event-loop turns; let them, so the first heights see every peer.
  await cluster.runUntil(() => slots.every((s) => s.node.status().peers === slots.length - 1), { maxMs: 5_000 });
  return cluster;
}

export async function stopCluster(cluster: Cluster): Promise<void> {
  for (let i = 0; i < cluster.nodes.length; i++) await cluster.stopNode(i);
}

/** Seed of dev validator `index` of `chainId`, as devChain derives its key (never for real coin). */
export function devValidatorSeed(chainId: string, index: number): Uint8Array {
  return sha256(utf8(`gridledger-dev-key:${chainId}/validator/${index}`));
}

/**
 * Heights at which the running nodes disagree: a different block id, or a different state root
 * computed after the block. Empty when every node holds the same chain (up to the lowest height).
 */
export function disagreements(cluster: Cluster): string[] {
  const running = cluster.nodes.filter((_, i) => cluster.isRunning(i));
  const top = Math.min(...running.map((n) => n.status().height));
  const out: string[] = [];
  for (let h = 1; h <= top; h++) {
    const ids = new Set(running.map((n) => n.getBlock(h)?.blockId ?? 'missing'));
    const roots = new Set(running.map((n) => n.stateRootAt(h) ?? 'missing'));
    if (ids.size !== 1 || ids.has('missing')) out.push(`block id at ${h}: ${[...ids].join(' ')}`);
    if (roots.size !== 1 || roots.has('missing')) out.push(`state root after ${h}: ${[...roots].join(' ')}`);
  }
  return out;
}
