import { describe, expect, it } from 'vitest';
import { commitTimeMs, voteTimeMs, weightedMedianMs } from './bftTime.ts';
import { genesisSet, makeValidators, signVoteRaw } from './testKit.ts';

describe('BFT time', () => {
  it('spec example: powers 23, 27, 10, 10; a commit of p2 (98), p3 (1000), p4 (500) gives 98', () => {
    expect(
      weightedMedianMs([
        { timeMs: 98, weight: 27 },
        { timeMs: 1000, weight: 10 },
        { timeMs: 500, weight: 10 },
      ]),
    ).toBe(98);
  });

  it('is the first time (ascending) whose weight covers what is left of floor(total / 2), as CometBFT', () => {
    // total 5, median 2: time 1 leaves 1, time 2 covers it
    expect(weightedMedianMs([5, 3, 1, 4, 2].map((timeMs) => ({ timeMs, weight: 1 })))).toBe(2);
    expect(weightedMedianMs([1, 2, 3].map((timeMs) => ({ timeMs, weight: 1 })))).toBe(1);
    expect(weightedMedianMs([{ timeMs: 7, weight: 1 }, { timeMs: 9, weight: 3 }])).toBe(9);
  });

  it('a third of faulty power cannot pull it outside the correct times', () => {
    // 3 correct (100..102) and 1 faulty far in the future or past: the median stays in [100, 102]
    for (const faulty of [0, 1e12]) {
      const m = weightedMedianMs([100, 101, 102, faulty].map((timeMs) => ({ timeMs, weight: 1 })));
      expect(m >= 100 && m <= 102).toBe(true);
    }
  });

  it('weights each precommit of a commit by its validator power', () => {
    const vals = makeValidators([5, 1, 1]);
    const set = genesisSet(vals);
    const precommits = vals.map((v, i) =>
      signVoteRaw('c', v, { type: 'precommit', height: 1, round: 0, blockId: 'aa'.repeat(32), timestampMs: [300, 100, 200][i] ?? 0 }),
    );
    expect(commitTimeMs({ height: 1, round: 0, blockId: 'aa'.repeat(32), precommits }, set)).toBe(300);
  });

  it('a vote is stamped max(now, block time + 1 ms)', () => {
    expect(voteTimeMs(1000, 5000)).toBe(5001);
    expect(voteTimeMs(9000, 5000)).toBe(9000);
  });
});
