import { describe, expect, it } from 'vitest';
import { nextHeightDue } from './blockPolicy.ts';
import type { BlockPolicy, HeightStartInput } from './blockPolicy.ts';

const interval: BlockPolicy = { kind: 'interval', intervalMs: 1_000 };
const onDemand: BlockPolicy = { kind: 'on-demand' };

/** Last commit at 5,000 with a 10 ms commit wait, the height before started at 4,800, now 5,002. */
function input(over: Partial<HeightStartInput> = {}): HeightStartInput {
  return {
    nowMs: 5_002,
    lastCommitAtMs: 5_000,
    lastStartAtMs: 4_800,
    commitWaitMs: 10,
    peerAhead: false,
    waiting: false,
    tipTimeMs: 3_000,
    needsBlockAt: () => undefined,
    ...over,
  };
}

/** A needsBlockAt that records whether it was asked. */
function deadline(d: number | undefined): { asked: () => number; fn: () => number | undefined } {
  let n = 0;
  return {
    asked: () => n,
    fn: () => {
      n++;
      return d;
    },
  };
}

describe('nextHeightDue', () => {
  it('starts at once when a peer is ahead, whatever else holds', () => {
    for (const policy of [interval, onDemand]) {
      for (const waiting of [false, true]) {
        const d = deadline(9_000);
        expect(nextHeightDue(policy, input({ peerAhead: true, waiting, needsBlockAt: d.fn }))).toEqual({ atMs: 5_002, deadline: undefined });
        expect(d.asked()).toBe(0);
      }
    }
  });

  it('starts commitWaitMs after the last commit while transactions or requested blocks wait', () => {
    for (const policy of [interval, onDemand]) {
      const d = deadline(9_000);
      expect(nextHeightDue(policy, input({ waiting: true, needsBlockAt: d.fn }))).toEqual({ atMs: 5_010, deadline: undefined });
      // Waiting beats the interval too: the previous height started long ago or just now.
      expect(nextHeightDue(policy, input({ waiting: true, lastStartAtMs: 4_999 }))?.atMs).toBe(5_010);
      expect(d.asked()).toBe(0);
    }
  });

  it('interval policy: max(commit wait, last start + interval), never asking the app', () => {
    const d = deadline(5_100);
    // Previous height started at 4,800: the interval ends at 5,800, after the commit wait.
    expect(nextHeightDue(interval, input({ needsBlockAt: d.fn }))).toEqual({ atMs: 5_800, deadline: undefined });
    // A height that took longer than the interval: the commit wait (5,010) is later than 4,000 + 1,000.
    expect(nextHeightDue(interval, input({ lastStartAtMs: 4_000 }))).toEqual({ atMs: 5_010, deadline: undefined });
    // The two meet: 4,010 + 1,000 = 5,010.
    expect(nextHeightDue(interval, input({ lastStartAtMs: 4_010 }))?.atMs).toBe(5_010);
    expect(nextHeightDue({ kind: 'interval', intervalMs: 250 }, input({ lastStartAtMs: 4_900 }))?.atMs).toBe(5_150);
    expect(d.asked()).toBe(0);
  });

  it('on-demand policy with nothing waiting: never, unless the app names a deadline past the tip time', () => {
    expect(nextHeightDue(onDemand, input())).toBeUndefined();
    const later = deadline(7_500);
    expect(nextHeightDue(onDemand, input({ needsBlockAt: later.fn }))).toEqual({ atMs: 7_500, deadline: 7_500 });
    expect(later.asked()).toBe(1);
    // A deadline before now (the chain was idle) is still due, at that time: the caller runs it at once.
    expect(nextHeightDue(onDemand, input({ needsBlockAt: () => 3_001 }))).toEqual({ atMs: 3_001, deadline: 3_001 });
    // The tip's time already reached the deadline (equal or past it): nothing more is needed.
    expect(nextHeightDue(onDemand, input({ needsBlockAt: () => 3_000 }))).toBeUndefined();
    expect(nextHeightDue(onDemand, input({ needsBlockAt: () => 2_000 }))).toBeUndefined();
  });
});
