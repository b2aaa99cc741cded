/**
 * A microgrid's chain as real node processes (`sim run --processes`): N validator homes under
 * DIR (DIR/node0..N-1, the same genesis and validator keys as the in-process cluster), each run
 * as `gridledger node start --steered-clock --on-demand` in a process group of its own, over
 * libp2p on loopback; log in DIR/nodeK/node.log. The market steps of chain.ts drive them over
 * their RPC (ChainAccess): transactions go to node0 in batches; simulated time moves by
 * POST /clock/advance on every node, deadline by deadline, while consensus runs at real speed in
 * between; reads are node0's committed state. The nodes are stopped (SIGTERM, SIGKILL after a
 * grace time) when the market closes, and killed if this process exits first.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GridLedgerError, isGridLedgerError } from '../../../errors.ts';
import { devChain, genesisToJson, keyPairFromSeed } from '../../../ledger/index.ts';
import { marketParams } from '../../../ledger/market/index.ts';
import { devValidatorSeed } from '../../../node/cluster.ts';
import { peerAddress, writeHome } from '../../../node/home.ts';
import type { HomeConfig } from '../../../node/home.ts';
import { nextMarketDeadline } from '../../../node/marketComposition.ts';
import { freePorts, spawnNode } from '../../../node/nodeProcess.ts';
import { createRpcClient } from '../../../node/rpc/client.ts';
import type { RpcClient } from '../../../node/rpc/client.ts';
import type { StatusJson } from '../../../node/rpc/schemas.ts';
import type { City } from '../city.ts';
import type { MarketBackend } from './backend.ts';
import { startAllOrNone } from './backend.ts';
import type { AdmitResult, ChainAccess } from './chainAccess.ts';
import { CommitTally } from './chainAccess.ts';
import { chainGenesis, chainMarketSpec, marketOnChain } from './chain.ts';
import type { ChainGenesis, ChainMarketSpec } from './chain.ts';

const HOST = '127.0.0.1';
/** Real time a node may take to start (load the sources, open its store, bind its ports). */
const START_TIMEOUT_MS = 90_000;
/** Real time a step (a commit, a deadline's blocks) may take before the run stops as stalled. */
const STEP_TIMEOUT_MS = 60_000;
const POLL_MS = 3;
/** How long stopping nodes may take before they are killed. */
const STOP_GRACE_MS = 10_000;
/** The RPC takes at most this many transactions per POST /txs. */
const ADMIT_BATCH = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProcessMarketsOptions {
  /** The nodes' homes and logs go to DIR/<microgrid>/node<i>; DIR is replaced. */
  dir: string;
}

/** Every microgrid's market on its own node processes; if one fails to start, the others are stopped. */
export async function createProcessMarkets(city: City, opts: ProcessMarketsOptions): Promise<MarketBackend[]> {
  rmSync(opts.dir, { recursive: true, force: true });
  const specs = city.microgrids.map((mg) => chainMarketSpec(city, mg));
  return startAllOrNone(specs.map((spec) => createProcessMarket(spec, path.join(opts.dir, spec.name))));
}

export async function createProcessMarket(spec: ChainMarketSpec, dir: string): Promise<MarketBackend> {
  const genesis = chainGenesis(spec);
  return marketOnChain(spec, genesis.params, await startProcessChain(genesis, dir), 'processes');
}

interface RunningNode {
  readonly name: string;
  readonly home: string;
  readonly child: ChildProcess;
  readonly rpc: RpcClient;
  exited: boolean;
}

/** Writes the validators' homes under `dir`, starts them and waits until they are all connected. */
export async function startProcessChain(genesis: ChainGenesis, dir: string): Promise<ChainAccess> {
  const chain = devChain({ ...genesis.dev, chainId: genesis.chainId, validators: genesis.validators });
  const keys = chain.validators.map((_, i) => keyPairFromSeed(devValidatorSeed(genesis.chainId, i)));
  const ports = await freePorts(2 * keys.length);
  const p2p = (i: number): number => ports[2 * i] ?? 0;
  const rpcPort = (i: number): number => ports[2 * i + 1] ?? 0;
  const peers = keys.map((k, i) => peerAddress(HOST, p2p(i), k.publicKey));
  const genesisJson = genesisToJson(chain.genesis);
  const homes = keys.map((identityKey, i) => {
    const home = path.join(path.resolve(dir), `node${i}`);
    const config: HomeConfig = {
      chainId: genesis.chainId,
      moniker: `${genesis.chainId}-node${i}`,
      role: 'validator',
      listen: `/ip4/${HOST}/tcp/${p2p(i)}`,
      peers: peers.filter((_, j) => j !== i),
      rpc: { host: HOST, port: rpcPort(i) },
      intervalMs: 1000,
      dev: true,
    };
    writeHome(home, { config, genesis: genesisJson, identityKey });
    return home;
  });

  const nodes: RunningNode[] = homes.map((home, i) => {
    const child = spawnNode(home, ['--steered-clock', '--on-demand'], { detached: true });
    const node: RunningNode = { name: `node${i}`, home, child, rpc: createRpcClient({ host: HOST, port: rpcPort(i) }), exited: false };
    child.once('exit', () => {
      node.exited = true;
    });
    return node;
  });
  // Never leave nodes behind, also when this process exits without closing the market.
  const killAll = (): void => {
    for (const n of nodes) if (!n.exited) n.child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const stop = async (): Promise<void> => {
    process.off('exit', killAll);
    await stopNodes(nodes);
  };
  try {
    await waitForNodes(nodes, genesis.chainId);
  } catch (e) {
    await stop();
    throw e;
  }
  return processAccess(chain, nodes, stop);
}

function logTail(node: RunningNode): string {
  const file = path.join(node.home, 'node.log');
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
}

/** Every node answers its RPC and sees all the others. */
async function waitForNodes(nodes: readonly RunningNode[], chainId: string): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (const n of nodes) {
    for (;;) {
      if (n.exited) throw new GridLedgerError('SIM_NODE_FAILED', `chain ${chainId}: ${n.name} exited while starting (log ${path.join(n.home, 'node.log')}):\n${logTail(n)}`);
      const s = await n.rpc.status().catch((e: unknown) => (isGridLedgerError(e) && (e.code === 'RPC_UNREACHABLE' || e.code === 'RPC_TIMEOUT') ? null : Promise.reject(e)));
      if (s !== null && s.peers === nodes.length - 1) break;
      if (performance.now() > deadline) throw new GridLedgerError('SIM_NODE_FAILED', `chain ${chainId}: ${n.name} did not ${s === null ? 'answer' : 'connect to its peers'} within ${START_TIMEOUT_MS / 1000} s`);
      await sleep(100);
    }
  }
}

async function stopNodes(nodes: readonly RunningNode[]): Promise<void> {
  const exits = nodes.map((n) => (n.exited ? Promise.resolve() : new Promise<void>((resolve) => n.child.once('exit', () => resolve()))));
  for (const n of nodes) if (!n.exited) n.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const n of nodes) if (!n.exited) n.child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  await Promise.all(exits);
  clearTimeout(timer);
}

function processAccess(chain: ReturnType<typeof devChain>, nodes: readonly RunningNode[], stop: () => Promise<void>): ChainAccess {
  const node0 = (nodes[0] as RunningNode).rpc;
  const mp = marketParams(chain.genesis.params);
  // Finality on the wall clock: from admission to the commit seen by polling node0.
  const tally = new CommitTally();
  let scanned = 0;
  let closed = false;

  const checkAlive = (): void => {
    const dead = nodes.find((n) => n.exited);
    if (dead !== undefined) throw new GridLedgerError('SIM_NODE_FAILED', `chain ${chain.genesis.chainId}: ${dead.name} exited (log ${path.join(dead.home, 'node.log')}):\n${logTail(dead)}`);
  };

  /** node0's status, after counting the transactions of every block committed since the last scan. */
  const scan = async (): Promise<StatusJson> => {
    const status = await node0.status();
    for (let h = scanned + 1; h <= status.height; h++) tally.committed((await node0.block(h)).txs, performance.now());
    scanned = Math.max(scanned, status.height);
    return status;
  };

  /** Polls until `done` holds (it gets node0's fresh status), within STEP_TIMEOUT_MS of real time. */
  const until = async (done: (status: StatusJson) => boolean | Promise<boolean>, what: string): Promise<StatusJson> => {
    const deadline = performance.now() + STEP_TIMEOUT_MS;
    for (;;) {
      checkAlive();
      const status = await scan();
      if (await done(status)) return status;
      if (performance.now() > deadline) throw new GridLedgerError('SIM_CHAIN_STALLED', `chain ${chain.genesis.chainId}: ${what} within ${STEP_TIMEOUT_MS / 1000} s`);
      await sleep(POLL_MS);
    }
  };

  /** Every node has committed `height`: none is still in a height when the clocks jump. */
  const allAt = async (height: number): Promise<void> => {
    for (const n of nodes.slice(1)) {
      const deadline = performance.now() + STEP_TIMEOUT_MS;
      while ((await n.rpc.status()).height < height) {
        checkAlive();
        if (performance.now() > deadline) throw new GridLedgerError('SIM_CHAIN_STALLED', `chain ${chain.genesis.chainId}: ${n.name} did not reach height ${height}`);
        await sleep(POLL_MS);
      }
    }
  };

  const jump = async (timeMs: number): Promise<void> => {
    await Promise.all(nodes.map((n) => n.rpc.advanceClock(timeMs)));
  };

  /**
   * node0's status and the market deadline it still needs a block for, if any, read from one
   * state: the market's clock is read again if a block was committed meanwhile.
   */
  const snapshot = async (): Promise<{ status: StatusJson; due: number | undefined }> => {
    for (;;) {
      const status = await scan();
      const hex = (await node0.stateKey('mkt/clock')).value;
      if ((await node0.status()).height !== status.height) continue;
      const d = hex === null ? undefined : nextMarketDeadline({ query: () => ({ code: 0, value: hex }) }, mp);
      return { status, due: d !== undefined && d > status.time ? d : undefined };
    }
  };

  const nowMs = async (): Promise<number> => (await node0.advanceClock(0)).time;

  return {
    chain,
    nowMs,
    async advanceTo(timeMs) {
      const now = await nowMs();
      if (timeMs < now) throw new GridLedgerError('SIM_TIMING', `the chain's clock is at ${now} ms, a step needs ${timeMs} ms`);
      // Deadline by deadline, as the chain would meet them on its own, then the rest of the way.
      for (;;) {
        const d = (await snapshot()).due;
        if (d === undefined || d > timeMs) break;
        await jump(d);
        const s = await until((st) => st.time >= d, `no block reached the market deadline ${new Date(d).toISOString()}`);
        await allAt(s.height);
      }
      await jump(timeMs);
    },
    height: async () => (await scan()).height,
    async nextBlock(limitMs, afterHeight) {
      const { status, due } = await snapshot();
      if (status.height > afterHeight) return true;
      if (due === undefined || due > limitMs) return false;
      await jump(due);
      const s = await until((st) => st.height > afterHeight, `no block came for the market deadline ${new Date(due).toISOString()}`);
      await allAt(s.height);
      return true;
    },
    async admit(txs) {
      checkAlive();
      const out: AdmitResult[] = [];
      for (let i = 0; i < txs.length; i += ADMIT_BATCH) {
        const r = await node0.submitTxs(txs.slice(i, i + ADMIT_BATCH));
        const at = performance.now();
        for (const x of r.results) {
          if (x.code === 0) tally.admitted(x.hash, at);
          out.push({ hash: x.hash, code: x.code, ...(x.error === undefined ? {} : { error: x.error }) });
        }
      }
      return out;
    },
    async waitCommitted(hashes, maxMs) {
      const deadline = performance.now() + maxMs;
      for (;;) {
        checkAlive();
        const status = await scan();
        if (hashes.every((h) => !tally.isPending(h))) {
          await allAt(status.height);
          return true;
        }
        if (performance.now() > deadline) return false;
        await sleep(POLL_MS);
      }
    },
    async txResult(hash) {
      try {
        const t = await node0.tx(hash);
        return { height: t.height, code: t.code, log: t.log };
      } catch (e) {
        if (isGridLedgerError(e) && e.code === 'RPC_NOT_FOUND') return null;
        throw e;
      }
    },
    stateKey: async (key) => (await node0.stateKey(key)).value,
    balance: async (address) => (await node0.account(address)).balance,
    figures: async () => tally.figures((await scan()).height),
    async close() {
      if (closed) return;
      closed = true;
      await stop();
    },
  };
}
