/**
 * sim.demo: wall seconds of the demo scenario (`npm start`: 3 microgrids, 126 households, one day
 * of 15-minute intervals) with every order, reading and settlement on the microgrids' own
 * 4-validator chains (one worker thread per chain), report included; and simulated intervals per
 * second. Beside it, in the same run, sim.demo.offchain: the same city cleared and settled by the
 * market code without chains, i.e. what the chains cost.
 */
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { runCity, type RunMode } from './runner/run.ts';
import { defaultScenario } from './scenario.ts';

async function timeDemo(mode: RunMode): Promise<{ seconds: number; intervals: number; households: number; transactions: number; blocks: number; worseOff: number }> {
  const t0 = performance.now();
  const r = await runCity(defaultScenario(), { baseDir: process.cwd(), mode, generatedBy: 'bench' });
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    intervals: r.intervals,
    households: r.report.members,
    transactions: r.report.microgrids.reduce((s, m) => s + m.transactions, 0),
    blocks: r.report.microgrids.reduce((s, m) => s + m.blocks, 0),
    worseOff: r.report.members_worse_off,
  };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['sim.demo', 'sim.demo.intervals_per_s', 'sim.demo.offchain'],
    async run(): Promise<Figure[]> {
      const offchain = await timeDemo('offchain');
      const chain = await timeDemo('chain');
      const scope = `defaultScenario: 3 microgrids, ${chain.households} households, ${chain.intervals} intervals`;
      return [
        {
          name: 'sim.demo',
          value: chain.seconds,
          unit: 's',
          scope: `${scope}, every trade on the microgrids' 4-validator chains (one worker thread each), report included`,
          transactions: chain.transactions,
          blocks: chain.blocks,
          members_worse_off: chain.worseOff,
          target_s: 60,
        },
        { name: 'sim.demo.intervals_per_s', value: chain.intervals / chain.seconds, unit: 'intervals/s', scope },
        { name: 'sim.demo.offchain', value: offchain.seconds, unit: 's', scope: `${scope}, market code without chains (what the chains cost, by difference)` },
      ];
    },
  },
];
