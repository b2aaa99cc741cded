/**
 * The whole node stack (ledger, consensus host, WAL, block sync, gossip) of 4 validators on
 * virtual time under seeded random faults: partitions, a stopped and restarted validator, lost
 * frames, transfers submitted to random nodes. After each schedule the network heals: the chain
 * must advance, no two nodes may hold different blocks or state roots at any height, no node may
 * have halted. (The consensus engine alone runs 500 such schedules on a simulated network;
 * these few run the real nodes. They found an on-demand chain making empty blocks without end
 * while a node waited for a sync answer, and a re-proposal of a block received before its height
 * started.)
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildTx } from '../../src/ledger/index.ts';
import { disagreements, startCluster, stopCluster } from '../../src/node/cluster.ts';
import type { BlockPolicy } from '../../src/node/consensusHost.ts';
import { seededRandom } from './fixtures/childProcess.ts';

const SEEDS = 16;
const STEPS = 16;
const TIMEOUTS = { proposeMs: 800, proposeDeltaMs: 200, prevoteMs: 300, prevoteDeltaMs: 100, precommitMs: 300, precommitDeltaMs: 100 };

async function schedule(seed: number, policy: BlockPolicy): Promise<{ height: number; actions: string[] }> {
  const random = seededRandom(seed);
  const c = await startCluster({ validators: 4, clock: 'virtual', blockPolicy: policy, timeouts: TIMEOUTS, logger: pino({ level: 'silent' }) });
  try {
    const { alice, bob } = c.chain.accounts;
    if (alice === undefined || bob === undefined) throw new Error('fixture');
    let nonce = 0;
    let down: number | undefined;
    let dropRate = 0;
    c.dropFrames(() => dropRate > 0 && random() < dropRate);
    const actions: string[] = [];
    const halts: string[] = [];
    const noteHalts = (): void => {
      c.nodes.forEach((n, i) => {
        if (n.haltReason !== undefined) halts.push(`node ${i}: ${String(n.haltReason)}`);
      });
    };
    for (let step = 0; step < STEPS; step++) {
      const x = random();
      if (x < 0.15) {
        c.partition([[0, 1], [2, 3]]);
        actions.push('split 2/2');
      } else if (x < 0.3) {
        const k = Math.floor(random() * 4);
        c.partition([[k]]);
        actions.push(`isolate ${k}`);
      } else if (x < 0.45) {
        c.heal();
        actions.push('heal');
      } else if (x < 0.55 && down === undefined) {
        noteHalts();
        down = Math.floor(random() * 4);
        await c.stopNode(down);
        actions.push(`stop ${down}`);
      } else if (x < 0.7 && down !== undefined) {
        await c.restartNode(down);
        actions.push(`restart ${down}`);
        down = undefined;
      } else if (x < 0.85) {
        dropRate = random() * 0.3;
        actions.push(`lose ${Math.round(dropRate * 100)} %`);
      } else {
        dropRate = 0;
        actions.push('lose none');
      }
      for (let k = 0; k < 3; k++) {
        const node = Math.floor(random() * 4);
        const tx = buildTx(alice, { chainId: c.chain.genesis.chainId, nonce, type: 'transfer', body: { to: bob.address, amountUc: 1 + nonce } }, c.chain.genesis.params);
        nonce++;
        if (c.isRunning(node)) void c.node(node).submitTx(tx);
      }
      await c.run(1000 + Math.floor(random() * 3000));
    }
    c.heal();
    dropRate = 0;
    if (down !== undefined) await c.restartNode(down);
    const top = Math.max(...c.nodes.map((n) => n.status().height));
    c.requestBlock();
    await c.waitForHeight(top + (policy.kind === 'on-demand' ? 1 : 3), { maxMs: 120_000 });
    expect(disagreements(c), actions.join(', ')).toEqual([]);
    noteHalts();
    expect(halts).toEqual([]);
    return { height: c.node(0).status().height, actions };
  } finally {
    await stopCluster(c);
  }
}

describe('4 real nodes under random faults (virtual time)', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const policy: BlockPolicy = seed % 2 === 0 ? { kind: 'on-demand' } : { kind: 'interval', intervalMs: 300 };
    it(`seed ${seed}, ${policy.kind}: agreement at every height, and the chain advances after healing`, async () => {
      const r = await schedule(seed, policy);
      expect(r.height).toBeGreaterThan(0);
    }, 120_000);
  }
});
