import { describe, expect, it } from 'vitest';
import * as consensus from '../../consensus/index.ts';
import { SimCluster } from './cluster.ts';
import { decodeSimBlock } from './simBlock.ts';

const cluster = (opts: Partial<ConstructorParameters<typeof SimCluster>[0]> = {}): SimCluster =>
  new SimCluster({ consensus, powers: [1, 1, 1, 1], seed: 11, ...opts });

function expectHealthy(c: SimCluster): void {
  expect(c.agreement()).toEqual({ ok: true });
  expect(c.commitsValid()).toBe(true);
  for (const n of c.nodes) {
    expect(n.signRefusals).toBe(0);
    expect(n.invalidBlocks).toBe(0);
  }
}

describe('simulated chain without faults', () => {
  it('commits about one block per interval; all agree; BFT time; proposers follow the priorities', () => {
    const c = cluster();
    c.start();
    c.run(20_000);
    expect(Math.min(...c.heights())).toBeGreaterThanOrEqual(15);
    expectHealthy(c);
    const chain = c.nodes[0]?.chain ?? [];
    for (let h = 2; h <= chain.length; h++) {
      const prev = chain[h - 2];
      const b = chain[h - 1];
      if (prev === undefined || b === undefined) throw new Error('gap');
      // the block time is the weighted median of the precommit times in the commit of the
      // previous block that the block carries (its proposer's), and it grows
      const lastCommit = decodeSimBlock(b.value)?.lastCommit;
      if (lastCommit === null || lastCommit === undefined) throw new Error('no last commit');
      expect(lastCommit.blockId).toBe(prev.blockId);
      expect(b.blockTimeMs).toBe(consensus.commitTimeMs(lastCommit, c.validatorSetAt(h - 1)));
      expect(b.blockTimeMs).toBeGreaterThan(prev.blockTimeMs);
    }
    const proposers = chain.map((b) => decodeSimBlock(b.value)?.proposer);
    for (const b of chain) {
      if (b.round === 0) expect(decodeSimBlock(b.value)?.proposer).toBe(c.validatorSetAt(b.height).proposer.address);
    }
    expect(new Set(proposers).size).toBe(4);
  });

  it('is deterministic: the same seed gives the same chain and the same traffic', () => {
    const run = (): [string[], unknown] => {
      const c = cluster({ seed: 5, links: { dropRate: 0.1, maxDelayMs: 300 } });
      c.start();
      c.run(15_000);
      return [c.nodes[0]?.chain.map((b) => b.blockId) ?? [], { ...c.network.stats }];
    };
    const [a, sa] = run();
    const [b, sb] = run();
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    expect(sb).toEqual(sa);
  });
});

describe('crash and restart', () => {
  it('a validator restarts from its WAL and guard state, signs nothing twice and catches up', () => {
    const c = cluster();
    c.start();
    const victim = c.nodes[2];
    if (victim === undefined) throw new Error('no node');
    for (const [down, up] of [
      [2_300, 6_000],
      [8_150, 8_900],
      [12_020, 16_500],
    ] as const) {
      c.run(down);
      victim.crash();
      c.run(up);
      expect(victim.up).toBe(false);
      victim.start();
    }
    c.run(25_000);
    expectHealthy(c);
    const top = Math.max(...c.heights());
    expect(top).toBeGreaterThanOrEqual(15);
    expect(victim.height).toBeGreaterThanOrEqual(top - 1);
    expect(c.nodes.flatMap((n) => n.evidence)).toEqual([]); // no honest node was caught equivocating
  });

  it('the chain stops while a third of the power or more is down, and resumes after restarts', () => {
    const c = cluster({ powers: [3, 1, 1, 1] });
    c.start();
    c.run(5_000);
    const heavy = c.nodes.findIndex((_, i) => c.validatorSetAt(1).getByAddress(c.nodes[i]?.cfg.address ?? '')?.votingPower === 3);
    const light = heavy === 0 ? 1 : 0;
    c.nodes[light]?.crash(); // 5 of 6 left: more than 2/3
    const before = Math.max(...c.heights());
    c.run(10_000);
    expect(Math.max(...c.heights())).toBeGreaterThan(before + 2);
    c.nodes[heavy]?.crash(); // 2 of 6 left
    c.run(11_500);
    const stuck = Math.max(...c.heights());
    c.run(20_000);
    expect(Math.max(...c.heights())).toBe(stuck);
    c.nodes[heavy]?.start();
    c.nodes[light]?.start();
    c.run(30_000);
    expect(Math.min(...c.heights())).toBeGreaterThan(stuck + 3);
    expectHealthy(c);
  });
});

describe('partitions', () => {
  it('a 2-2 split stops the chain; after healing it advances again', () => {
    const c = cluster({ seed: 3 });
    c.start();
    c.run(3_000);
    c.network.partition([
      [0, 1],
      [2, 3],
    ]);
    c.run(5_000);
    const frozen = Math.max(...c.heights());
    c.run(15_000);
    expect(Math.max(...c.heights())).toBe(frozen);
    c.network.heal();
    c.run(30_000);
    expect(Math.min(...c.heights())).toBeGreaterThanOrEqual(frozen + 3);
    expectHealthy(c);
  });

  it('a 3-1 split: the majority goes on, the cut-off node catches up from decided proposals and commits', () => {
    const c = cluster({ seed: 4 });
    c.start();
    c.run(2_000);
    c.network.partition([[3]]);
    c.run(15_000);
    const lonely = c.nodes[3]?.height ?? 0;
    expect(Math.min(...c.heights().slice(0, 3))).toBeGreaterThan(lonely + 5);
    c.network.heal();
    c.run(25_000);
    const top = Math.max(...c.heights());
    expect(c.nodes[3]?.height).toBeGreaterThanOrEqual(top - 1);
    expectHealthy(c);
  });
});

describe('an equivocating validator (one of four)', () => {
  it('is caught by every honest validator with evidence that verifies, and the honest ones still agree', () => {
    const c = cluster({ seed: 9, equivocators: [1], relay: true });
    c.start();
    c.run(15_000);
    expect(c.agreement()).toEqual({ ok: true });
    expect(Math.min(...c.heights())).toBeGreaterThanOrEqual(8);
    const cheater = c.nodes[1]?.cfg.address;
    const verifier = consensus.createEd25519Verifier();
    for (const [i, n] of c.nodes.entries()) {
      if (i === 1) continue;
      expect(n.evidence.length).toBeGreaterThan(0);
      for (const ev of n.evidence) {
        expect(ev.voteA.validator).toBe(cheater);
        const block = n.chain[ev.voteA.height - 1];
        const verdict = consensus.verifyDuplicateVoteEvidence(ev, {
          chainId: c.chainId,
          validators: c.validatorSetAt(ev.voteA.height),
          verifier,
          blockTimeMs: block?.blockTimeMs ?? -1,
          currentHeight: n.height,
          currentTimeMs: n.chain[n.height - 1]?.blockTimeMs ?? 0,
          maxAgeNumBlocks: 100_000,
          maxAgeDurationMs: 86_400_000,
        });
        expect(verdict).toEqual({ ok: true });
      }
    }
  });
});
