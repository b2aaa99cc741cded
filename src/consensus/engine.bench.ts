/**
 * consensus.sim.heights_per_s: heights committed per second of wall time by 4 validators on the
 * simulated network without faults (virtual clock, no block interval, 1-5 ms links): the cost of
 * the engine, Ed25519 signing and verification, and the simulated host per height.
 */
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { SimCluster } from '../net/memory/cluster.ts';
import * as consensus from './index.ts';

const HEIGHTS = 300;

function runOnce(seed: number): { wallMs: number; virtualMs: number; messages: number } {
  const links = { minDelayMs: 1, maxDelayMs: 5 };
  const c = new SimCluster({ consensus, powers: [1, 1, 1, 1], seed, commitDelayMs: 0, links });
  const t0 = performance.now();
  c.start();
  c.run(Number.MAX_SAFE_INTEGER, () => Math.min(...c.heights()) >= HEIGHTS);
  const wallMs = performance.now() - t0;
  if (!c.agreement().ok) throw new Error('the benchmark run disagreed');
  return { wallMs, virtualMs: c.scheduler.now, messages: c.network.stats.delivered };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['consensus.sim.heights_per_s'],
    run(): Figure[] {
      runOnce(1); // warm-up
      const runs = [2, 3, 4, 5, 6].map(runOnce).sort((a, b) => a.wallMs - b.wallMs);
      const median = runs[Math.floor(runs.length / 2)] ?? runs[0];
      if (median === undefined) return [];
      return [
        {
          name: 'consensus.sim.heights_per_s',
          value: Math.round((HEIGHTS / median.wallMs) * 1000),
          unit: 'heights/s',
          validators: 4,
          heights: HEIGHTS,
          runs: runs.length,
          wall_ms: Math.round(median.wallMs),
          virtual_ms_per_height: Math.round((median.virtualMs / HEIGHTS) * 10) / 10,
          messages_per_height: Math.round(median.messages / HEIGHTS),
        },
      ];
    },
  },
];
