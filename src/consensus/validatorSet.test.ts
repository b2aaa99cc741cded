import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import type { Validator, ValidatorUpdate } from './validatorSet.ts';
import { MAX_TOTAL_VOTING_POWER, ValidatorSet } from './validatorSet.ts';
import { advanceSchedule, genesisSchedule } from './validatorSchedule.ts';

// Addresses as CometBFT's tests write them: raw bytes of a name, here in hex.
const addr = (name: string): string => Buffer.from(name).toString('hex');
const nameOf = (address: string): string => Buffer.from(address, 'hex').toString();
const upd = (name: string, votingPower: number): ValidatorUpdate => ({ address: addr(name), publicKey: new Uint8Array(32), votingPower });
const val = (name: string, votingPower: number, proposerPriority: bigint): Validator => ({
  address: addr(name),
  publicKey: new Uint8Array(32),
  votingPower,
  proposerPriority,
});
const priorities = (set: ValidatorSet): Record<string, bigint> =>
  Object.fromEntries(set.validators.map((v) => [nameOf(v.address), v.proposerPriority]));

/** Proposers of `count` consecutive heights: GetProposer, then IncrementProposerPriority(1). */
function sequence(set: ValidatorSet, count: number): string[] {
  const out: string[] = [];
  let s = set;
  for (let i = 0; i < count; i++) {
    out.push(nameOf(s.proposer.address));
    s = s.incrementProposerPriority(1);
  }
  return out;
}

describe('proposer selection (CometBFT types/validator_set_test.go vectors)', () => {
  it('TestProposerSelection1: foo 1000, bar 300, baz 330 over 99 heights', () => {
    const set = ValidatorSet.genesis([upd('foo', 1000), upd('bar', 300), upd('baz', 330)]);
    const expected =
      'foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar' +
      ' foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar' +
      ' foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz' +
      ' foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo' +
      ' foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo';
    expect(sequence(set, 99).join(' ')).toBe(expected);
  });

  it('TestProposerSelection2: equal power goes in address order; ties go to the lower address', () => {
    const a0 = '00'.repeat(20);
    const a1 = `${'00'.repeat(19)}01`;
    const a2 = `${'00'.repeat(19)}02`;
    const mk = (p0: number, p1: number, p2: number): ValidatorSet =>
      ValidatorSet.genesis([
        { address: a0, publicKey: new Uint8Array(32), votingPower: p0 },
        { address: a1, publicKey: new Uint8Array(32), votingPower: p1 },
        { address: a2, publicKey: new Uint8Array(32), votingPower: p2 },
      ]);
    let s = mk(100, 100, 100);
    for (let i = 0; i < 15; i++) {
      expect(s.proposer.address).toBe([a0, a1, a2][i % 3]);
      s = s.incrementProposerPriority(1);
    }
    // 400 is more than the others but not enough to propose twice in a row
    s = mk(100, 100, 400);
    expect(s.proposer.address).toBe(a2);
    expect(s.incrementProposerPriority(1).proposer.address).toBe(a0);
    // 401 is enough to propose twice in a row
    s = mk(100, 100, 401);
    expect(s.proposer.address).toBe(a2);
    expect(s.incrementProposerPriority(1).proposer.address).toBe(a2);
    expect(s.incrementProposerPriority(1).incrementProposerPriority(1).proposer.address).toBe(a0);
    // proportional frequency: powers 4, 5, 3 over 120 heights -> 40, 50, 30
    s = mk(4, 5, 3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      counts.set(s.proposer.address, (counts.get(s.proposer.address) ?? 0) + 1);
      s = s.incrementProposerPriority(1);
    }
    expect([counts.get(a0), counts.get(a1), counts.get(a2)]).toEqual([40, 50, 30]);
  });

  it('TestAveragingInIncrementProposerPriorityWithVotingPower: priorities after 1..11 increments', () => {
    const [vp0, vp1, vp2] = [10n, 1n, 1n];
    const total = vp0 + vp1 + vp2;
    const base = ValidatorSet.fromValidators([
      { address: '00', publicKey: new Uint8Array(32), votingPower: 10, proposerPriority: 0n },
      { address: '01', publicKey: new Uint8Array(32), votingPower: 1, proposerPriority: 0n },
      { address: '02', publicKey: new Uint8Array(32), votingPower: 1, proposerPriority: 0n },
    ]);
    const cases: [number, bigint[], string][] = [
      [1, [vp0 - total, vp1, vp2], '00'],
      [2, [2n * (vp0 - total), 2n * vp1, 2n * vp2], '00'],
      [3, [3n * (vp0 - total), 3n * vp1, 3n * vp2], '00'],
      [4, [4n * (vp0 - total), 4n * vp1, 4n * vp2], '00'],
      [5, [4n * (vp0 - total) + vp0, 5n * vp1 - total, 5n * vp2], '01'],
      [6, [6n * vp0 - 5n * total, 6n * vp1 - total, 6n * vp2], '00'],
      [7, [7n * vp0 - 6n * total, 7n * vp1 - total, 7n * vp2], '00'],
      [8, [8n * vp0 - 7n * total, 8n * vp1 - total, 8n * vp2], '00'],
      [9, [9n * vp0 - 7n * total, 9n * vp1 - total, 9n * vp2 - total], '02'],
      [10, [10n * vp0 - 8n * total, 10n * vp1 - total, 10n * vp2 - total], '00'],
      [11, [11n * vp0 - 9n * total, 11n * vp1 - total, 11n * vp2 - total], '00'],
    ];
    for (const [times, want, proposer] of cases) {
      const s = base.incrementProposerPriority(times);
      expect(s.proposer.address, `times ${times}`).toBe(proposer);
      expect(s.validators.map((v) => v.proposerPriority), `times ${times}`).toEqual(want);
    }
  });
});

describe('proposer selection (spec/consensus/proposer-selection.md examples)', () => {
  it('stable set p1 = 1, p2 = 3 proposes p2, p1, p2, p2 and repeats', () => {
    // p1's address sorts below p2's, which decides the tie of run 2 as the spec's table does.
    const set = ValidatorSet.genesis([upd('p1', 1), upd('p2', 3)]);
    expect(sequence(set, 8)).toEqual(['p2', 'p1', 'p2', 'p2', 'p2', 'p1', 'p2', 'p2']);
  });

  it('removal of p2 from p1 = 1, p2 = 2, p3 = 3 re-centres, then elects p1 (table "Validator Removal")', () => {
    const set = ValidatorSet.fromValidators([val('p1', 1, 1n), val('p2', 2, 2n), val('p3', 3, -3n)]);
    const removed = set.update([upd('p2', 0)]);
    expect(priorities(removed)).toEqual({ p1: 2n, p3: -2n }); // A(i) -= avg, avg = -1
    const next = removed.incrementProposerPriority(1);
    expect(nameOf(next.proposer.address)).toBe('p1');
    expect(priorities(next)).toEqual({ p1: -1n, p3: 1n });
  });

  it('a new validator starts at -(P + P>>3) and the set is re-centred (table "New Validator")', () => {
    const set = ValidatorSet.fromValidators([val('p1', 1, 2n), val('p2', 3, -2n)]);
    const added = set.update([upd('p3', 8)]);
    // p3 enters at -(12 + 12>>3) = -13; the sum -13 centres by floor(-13/3) = -5 (Go's big.Int
    // division; the spec's table rounds toward zero to -4, the implementation does not).
    expect(priorities(added)).toEqual({ p1: 7n, p2: 3n, p3: -8n });
    const next = added.incrementProposerPriority(1);
    expect(nameOf(next.proposer.address)).toBe('p1'); // elected in the next run, as the table shows
    expect(priorities(next)).toEqual({ p1: -4n, p2: 6n, p3: 0n });
  });

  it('P for a new validator is the total after updates and before removals (validator_set.go)', () => {
    const set = ValidatorSet.fromValidators([val('v1', 10, 0n), val('v2', 20, 0n), val('v3', 30, 0n)]);
    const next = set.update([upd('v3', 0), upd('v4', 40)]);
    // P = 60 + 40 = 100 -> v4 at -112; centre by floor(-112 / 3) = -38
    expect(priorities(next)).toEqual({ v1: 38n, v2: 38n, v4: -74n });
    expect(next.totalVotingPower).toBe(70);
  });

  it('scales priorities whose spread exceeds 2 * total before centring (section "Proposer Priority Range")', () => {
    // The spec's p2, p3 after p1 (80k) left: 45k apart with a total power of 20.
    const set = ValidatorSet.fromValidators([val('p2', 10, -15_000n), val('p3', 10, -60_000n)]);
    const next = set.incrementProposerPriority(1);
    // ratio = ceil(45000 / 40) = 1125 -> -13, -53 (toward zero); centre by -33 -> 20, -20; +10; p2 elected
    expect(nameOf(next.proposer.address)).toBe('p2');
    expect(priorities(next)).toEqual({ p2: 10n, p3: -10n });
  });

  it('round r proposer is the set incremented r times; equal power rotates in address order', () => {
    const set = ValidatorSet.genesis(['a', 'b', 'c', 'd'].map((n) => upd(n, 1)));
    const first = ['a', 'b', 'c', 'd'].indexOf(nameOf(set.proposer.address));
    for (let r = 0; r < 9; r++) expect(nameOf(set.proposerForRound(r).address)).toBe(['a', 'b', 'c', 'd'][(first + r) % 4]);
  });
});

describe('validator set updates', () => {
  const base = (): ValidatorSet => ValidatorSet.genesis([upd('v1', 10), upd('v2', 20)]);
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return isGridLedgerError(e) ? e.code : 'other';
    }
    return undefined;
  };

  it('orders by power descending, then address, and keeps the priority of a changed validator', () => {
    const s = base().incrementProposerPriority(3);
    const v1Before = s.getByAddress(addr('v1'))?.proposerPriority;
    const next = s.update([upd('v1', 30), upd('v3', 25)]);
    expect(next.validators.map((v) => nameOf(v.address))).toEqual(['v1', 'v3', 'v2']);
    expect(next.totalVotingPower).toBe(75);
    // v1 changed power only: its priority moves by the centring shift alone, like v2's
    const shift = (next.getByAddress(addr('v2'))?.proposerPriority ?? 0n) - (s.getByAddress(addr('v2'))?.proposerPriority ?? 0n);
    expect(next.getByAddress(addr('v1'))?.proposerPriority).toBe((v1Before ?? 0n) + shift);
  });

  it('rejects duplicates, negative power, unknown removals, an empty result and overflow', () => {
    expect(code(() => base().update([upd('v1', 11), upd('v1', 12)]))).toBe('CONSENSUS_VALSET_INVALID');
    expect(code(() => base().update([upd('v1', -1)]))).toBe('CONSENSUS_VALSET_INVALID');
    expect(code(() => base().update([upd('v3', 0)]))).toBe('CONSENSUS_VALSET_INVALID');
    expect(code(() => base().update([upd('v1', 0), upd('v2', 0)]))).toBe('CONSENSUS_VALSET_INVALID');
    expect(code(() => base().update([upd('v3', MAX_TOTAL_VOTING_POWER)]))).toBe('CONSENSUS_VALSET_INVALID');
    expect(code(() => ValidatorSet.genesis([upd('v1', 0)]))).toBe('CONSENSUS_VALSET_INVALID');
    // a swap of powers near the cap is not a false overflow (decreases apply first)
    const big = ValidatorSet.genesis([upd('v1', 1), upd('v2', MAX_TOTAL_VOTING_POWER - 1)]);
    expect(code(() => big.update([upd('v1', MAX_TOTAL_VOTING_POWER - 1), upd('v2', 1)]))).toBeUndefined();
  });

  it('keeps priorities centred and within 2 * total after random updates', () => {
    let s = ValidatorSet.genesis(['a', 'b', 'c', 'd', 'e'].map((n, i) => upd(n, (i + 1) * 7)));
    let x = 12345;
    const rnd = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    for (let i = 0; i < 200; i++) {
      const name = ['a', 'b', 'c', 'd', 'e', 'f', 'g'][rnd(7)] as string;
      const power = s.getByAddress(addr(name)) !== undefined && s.size > 2 && rnd(3) === 0 ? 0 : 1 + rnd(1000);
      if (power === 0 || s.getByAddress(addr(name)) !== undefined || rnd(2) === 0) s = s.update([upd(name, power)]);
      s = s.incrementProposerPriority(1 + rnd(3));
      const ps = s.validators.map((v) => v.proposerPriority);
      const sum = ps.reduce((a, b) => a + b, 0n);
      const spread = ps.reduce((a, b) => (b > a ? b : a)) - ps.reduce((a, b) => (b < a ? b : a));
      expect(spread <= BigInt(2 * s.totalVotingPower) + BigInt(s.totalVotingPower)).toBe(true);
      expect(sum > -BigInt(s.size) * BigInt(s.totalVotingPower) && sum < BigInt(s.size) * BigInt(s.totalVotingPower)).toBe(true);
    }
  });

  it('hashes the validators (keys and powers), not their priorities', () => {
    const s = base();
    expect(Buffer.from(s.incrementProposerPriority(5).hash()).equals(s.hash())).toBe(true);
    expect(Buffer.from(s.update([upd('v1', 11)]).hash()).equals(s.hash())).toBe(false);
    expect(s.hash()).toHaveLength(32);
  });
});

describe('validator schedule: updates returned at height H apply at H + 2', () => {
  it('adds a validator two heights after the block that returned it', () => {
    const heights = new Map<number, ValidatorSet>();
    let sched = genesisSchedule(1, [upd('a', 10), upd('b', 10), upd('c', 10)]);
    heights.set(sched.height, sched.validators);
    for (let h = 1; h <= 4; h++) {
      sched = advanceSchedule(sched, h === 1 ? [upd('d', 10)] : []);
      heights.set(sched.height, sched.validators);
    }
    expect(heights.get(1)?.getByAddress(addr('d'))).toBeUndefined();
    expect(heights.get(2)?.getByAddress(addr('d'))).toBeUndefined();
    expect(heights.get(3)?.getByAddress(addr('d'))?.votingPower).toBe(10);
    expect(heights.get(5)?.totalVotingPower).toBe(40);
  });

  it('without updates, heights rotate proposers exactly as repeated increments do', () => {
    const vals = [upd('foo', 1000), upd('bar', 300), upd('baz', 330)];
    let sched = genesisSchedule(1, vals);
    const byHeight: string[] = [];
    for (let h = 0; h < 30; h++) {
      byHeight.push(nameOf(sched.validators.proposer.address));
      sched = advanceSchedule(sched, []);
    }
    expect(byHeight).toEqual(sequence(ValidatorSet.genesis(vals), 30));
  });
});
