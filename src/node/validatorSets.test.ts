import { describe, expect, it } from 'vitest';
import { advanceSchedule, genesisSchedule, ValidatorSet } from '../consensus/index.ts';
import type { Hex } from '../consensus/index.ts';
import { makeValidators } from '../consensus/testKit.ts';
import type { TestValidator } from '../consensus/testKit.ts';
import { addressFromPublicKey, toHex } from '../ledger/index.ts';
import { advanceSets, genesisSets, restoredSets, toConsensusUpdate } from './validatorSets.ts';
import type { ValidatorSets } from './validatorSets.ts';

// Five keys; the first four start, the fifth joins later.
const keys = makeValidators([10, 10, 10, 10, 10], 'sets');
const key = (i: number): TestValidator => keys[i] as TestValidator;
const genesis = ValidatorSet.genesis(keys.slice(0, 4));
const upd = (i: number, power: number): { pubKey: Uint8Array; power: number } => ({ pubKey: key(i).publicKey, power });

/** A set as comparable data: members in set order with power and priority, and the proposers of rounds 0-2. */
function view(set: ValidatorSet | undefined): unknown {
  if (set === undefined) return undefined;
  return {
    members: set.validators.map((v) => [v.address, v.votingPower, v.proposerPriority]),
    proposers: [0, 1, 2].map((r) => set.proposerForRound(r).address),
  };
}

const members = (set: ValidatorSet | undefined): Hex[] => (set?.validators.map((v) => v.address) ?? []).sort();
const keysOf = (...idx: number[]): Hex[] => idx.map((i) => key(i).address).sort();

describe('validator sets around the next height', () => {
  it('toConsensusUpdate names the validator by the ledger address of its key, with its power', () => {
    const u = toConsensusUpdate(upd(2, 37));
    expect(u.address).toBe(toHex(addressFromPublicKey(key(2).publicKey)));
    expect(u.publicKey).toEqual(key(2).publicKey);
    expect(u.votingPower).toBe(37);
  });

  it('genesis: one set runs heights 1 and 2, the second one increment further, as the consensus schedule', () => {
    const s = genesisSets(genesis);
    const sched = genesisSchedule(1, keys.slice(0, 4));
    expect(s.last).toBeUndefined();
    expect(view(s.current)).toEqual(view(sched.validators));
    expect(view(s.next)).toEqual(view(sched.nextValidators));
    expect(view(s.nextBefore)).toEqual(view(genesis));
  });

  it('updates returned by block H change the set of H + 2, not H + 1 (hand-worked)', () => {
    // Block 1 adds key 4 and removes key 0.
    const after1 = advanceSets(genesisSets(genesis), [upd(4, 10), upd(0, 0)]);
    expect(members(after1.last)).toEqual(keysOf(0, 1, 2, 3)); // height 1
    expect(members(after1.current)).toEqual(keysOf(0, 1, 2, 3)); // height 2: already fixed
    expect(members(after1.next)).toEqual(keysOf(1, 2, 3, 4)); // height 3 = 1 + 2
    expect(members(after1.nextBefore)).toEqual(keysOf(1, 2, 3, 4));

    const after2 = advanceSets(after1, []);
    expect(members(after2.last)).toEqual(keysOf(0, 1, 2, 3)); // height 2
    expect(members(after2.current)).toEqual(keysOf(1, 2, 3, 4)); // height 3
    // Block 2 changes a power: again two heights later (height 4), height 3 keeps power 10.
    const after2b = advanceSets(after1, [upd(1, 30)]);
    expect(after2b.current.getByAddress(key(1).address)?.votingPower).toBe(10);
    expect(after2b.next.getByAddress(key(1).address)?.votingPower).toBe(30);
  });

  it('moves on exactly as the consensus advanceSchedule, proposer priorities included', () => {
    const updatesAt: Record<number, Array<{ pubKey: Uint8Array; power: number }>> = {
      1: [upd(4, 25)],
      2: [upd(2, 0), upd(3, 40)],
      4: [upd(0, 5)],
      5: [upd(2, 10)],
    };
    let sets: ValidatorSets = genesisSets(genesis);
    let sched = genesisSchedule(1, keys.slice(0, 4));
    for (let h = 1; h <= 8; h++) {
      const updates = updatesAt[h] ?? [];
      const lastBefore = sets.current;
      sets = advanceSets(sets, updates);
      sched = advanceSchedule(sched, updates.map(toConsensusUpdate));
      expect(view(sets.last), `last after ${h}`).toEqual(view(lastBefore));
      expect(view(sets.current), `current after ${h}`).toEqual(view(sched.validators));
      expect(view(sets.next), `next after ${h}`).toEqual(view(sched.nextValidators));
      expect(view(sets.nextBefore.incrementProposerPriority(1)), `nextBefore after ${h}`).toEqual(view(sets.next));
    }
  });

  it('a commit record restores the same sets, so the round-0 proposer comes out as before', () => {
    let sets: ValidatorSets = genesisSets(genesis);
    const updates = [[upd(4, 25)], [upd(0, 0), upd(1, 17)], [], [upd(3, 3)], []];
    for (const u of updates) {
      const before = sets;
      sets = advanceSets(sets, u);
      // What the commit record of that block keeps (blockCommit.ts).
      const restored = restoredSets({
        validators: before.current.validators,
        nextBeforeIncrement: before.nextBefore.validators,
        afterNextBeforeIncrement: sets.nextBefore.validators,
      });
      // The last set only verifies the last commit, and nextBefore is always incremented before use:
      // of these two only members, powers and priorities count (their own proposer is not kept).
      expect(restored.last?.validators).toEqual(sets.last?.validators);
      expect(restored.nextBefore.validators).toEqual(sets.nextBefore.validators);
      expect(view(restored.current)).toEqual(view(sets.current));
      expect(view(restored.next)).toEqual(view(sets.next));
    }
  });
});
