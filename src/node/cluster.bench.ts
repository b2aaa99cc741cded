/**
 * `npm run bench -- chain.commit.inproc4`: signed transfers committed per second by a
 * 4-validator cluster in ONE process (in-process hub, memory stores, real clock, the real ledger
 * and consensus), under a load that keeps a few thousand transactions waiting; beside this
 * machine's Ed25519 verification rate measured in the same run. Latency (submit to commit) is
 * measured after it, under a light load.
 *
 * Every validator verifies every transaction once, so the ceiling is verify/s ÷ 4 per core. The
 * design's ceiling (DESIGN.md section 8) is 2 cores × verify/s ÷ 4 validators, for 4 processes;
 * in ONE process every node shares one JavaScript thread, so one core's ceiling (verify/s ÷ 4)
 * is the fair comparison here. Both ratios are printed.
 */
import pino from 'pino';
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { measureVerifyRate } from '../../bench/ed25519.ts';
import { buildTx, verificationCount } from '../ledger/index.ts';
import { startCluster, stopCluster } from './cluster.ts';

const TXS = Number(process.env['CLUSTER_BENCH_TXS'] ?? 20_000);
const SENDERS = 2_000;
const IN_FLIGHT = 4_000;
const CHUNK = 250;
/** Latency is measured apart, under a light load: this many transactions, at most this many waiting. */
const LIGHT_TXS = 2_000;
const LIGHT_IN_FLIGHT = 100;
const REPEATS = Number(process.env['CLUSTER_BENCH_REPEATS'] ?? 3);

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;

interface Run {
  tps: number;
  p50Ms: number;
  p99Ms: number;
  blocks: number;
  verifiesPerTx: number;
}

interface Phase {
  seconds: number;
  latencies: number[];
  blocks: number;
}

type TestCluster = Awaited<ReturnType<typeof startCluster>>;

/** Submits `txs` round-robin to the 4 nodes, keeping at most `inFlight` uncommitted; waits for all. */
async function drive(c: TestCluster, txs: readonly Uint8Array[], inFlight: number): Promise<Phase> {
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  let committed = 0;
  let blocks = 0;
  const off = c.node(0).onCommit((e) => {
    const now = performance.now();
    committed += e.txHashes.length;
    if (e.txHashes.length > 0) blocks++;
    for (const h of e.txHashes) {
      const t = submittedAt.get(h);
      if (t !== undefined) latencies.push(now - t);
    }
  });
  const t0 = performance.now();
  let next = 0;
  const done = await c.runUntil(
    () => {
      while (next < txs.length && next - committed < inFlight) {
        const end = Math.min(txs.length, next + Math.min(CHUNK, inFlight));
        const at = performance.now();
        for (; next < end; next++) {
          void c
            .node(next % 4)
            .submitTx(txs[next] as Uint8Array)
            .then((r) => {
              if (r.code !== 0) throw new Error(`refused: ${r.error ?? ''} ${r.message ?? ''}`);
              submittedAt.set(r.hash, at);
            });
        }
      }
      return committed >= txs.length;
    },
    { maxMs: 600_000 },
  );
  off();
  if (!done) throw new Error(`only ${committed} of ${txs.length} committed`);
  return { seconds: (performance.now() - t0) / 1000, latencies, blocks };
}

async function runOnce(): Promise<Run> {
  const labels = Array.from({ length: SENDERS }, (_, i) => `bench/${i}`);
  const c = await startCluster({ validators: 4, clock: 'real', chainId: 'bench-4', blockPolicy: { kind: 'interval', intervalMs: 1000 }, genesis: { accounts: labels }, logger: pino({ level: 'warn' }) });
  try {
    const signers = labels.map((l) => c.chain.accounts[l]);
    const txs: Uint8Array[] = [];
    for (let i = 0; i < TXS + LIGHT_TXS; i++) {
      const from = signers[i % SENDERS];
      const to = signers[(i + 1) % SENDERS];
      if (from === undefined || to === undefined) throw new Error('fixture');
      txs.push(buildTx(from, { chainId: 'bench-4', nonce: Math.floor(i / SENDERS), type: 'transfer', body: { to: to.address, amountUc: 1 } }, c.chain.genesis.params));
    }
    const v0 = verificationCount();
    const heavy = await drive(c, txs.slice(0, TXS), IN_FLIGHT);
    const verifiesPerTx = (verificationCount() - v0) / TXS;
    const light = await drive(c, txs.slice(TXS), LIGHT_IN_FLIGHT);
    return { tps: TXS / heavy.seconds, p50Ms: quantile(light.latencies, 0.5), p99Ms: quantile(light.latencies, 0.99), blocks: heavy.blocks, verifiesPerTx };
  } finally {
    await stopCluster(c);
  }
}

export const benchmarks: Benchmark[] = [
  {
    names: ['chain.commit.inproc4', 'chain.latency.inproc4.p50', 'crypto.ed25519.verify_per_s'],
    async run(): Promise<Figure[]> {
      const runs: Run[] = [];
      const verifies: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        verifies.push(measureVerifyRate());
        runs.push(await runOnce());
      }
      const tps = median(runs.map((r) => r.tps));
      const verify = median(verifies);
      const oneCore = verify / 4;
      const twoCores = (2 * verify) / 4;
      const context = {
        txs: TXS,
        senders: SENDERS,
        in_flight: IN_FLIGHT,
        repeats: REPEATS,
        validators: 4,
        process: 'one (every node on one JavaScript thread: one core)',
        store: 'memory',
      };
      process.stderr.write(
        `chain.commit.inproc4: ${Math.round(tps)} tx/s = ${((100 * tps) / oneCore).toFixed(0)} % of one core's ceiling (verify/s ÷ 4 = ${Math.round(oneCore)}), ` +
          `${((100 * tps) / twoCores).toFixed(0)} % of the 2-core ceiling of 4 processes (2 × verify/s ÷ 4 = ${Math.round(twoCores)}); runs: ${runs.map((r) => Math.round(r.tps)).join(', ')}\n`,
      );
      return [
        {
          name: 'chain.commit.inproc4',
          value: Math.round(tps),
          unit: 'tx/s',
          ratio_to_one_core_ceiling: Number((tps / oneCore).toFixed(2)),
          ratio_to_two_core_ceiling: Number((tps / twoCores).toFixed(2)),
          verify_per_s: Math.round(verify),
          verifies_per_tx: Number(median(runs.map((r) => r.verifiesPerTx)).toFixed(2)),
          blocks_with_txs: median(runs.map((r) => r.blocks)),
          runs_tps: runs.map((r) => Math.round(r.tps)),
          ...context,
        },
        {
          name: 'chain.latency.inproc4.p50',
          value: Math.round(median(runs.map((r) => r.p50Ms))),
          unit: 'ms',
          p99_ms: Math.round(median(runs.map((r) => r.p99Ms))),
          load: `${LIGHT_TXS} transfers, at most ${LIGHT_IN_FLIGHT} waiting (submit to commit on node 0)`,
          ...context,
        },
        { name: 'crypto.ed25519.verify_per_s', value: Math.round(verify), unit: 'verify/s', runs: verifies.map(Math.round) },
      ];
    },
  },
];
