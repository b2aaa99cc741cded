/**
 * The validator sets a node holds around its next height S + 1 (docs/node.md section 4), and
 * how a block's validator updates move them on: as the consensus `advanceSchedule`, updates
 * go into the set of S + 2, which then gets its proposer-priority increment. The set of S + 2 is
 * also kept before that increment: the commit record stores it, and a restart recomputes the
 * increment, so the round-0 proposer comes out exactly as before.
 */
import type { ValidatorUpdate } from '../consensus/index.ts';
import { ValidatorSet, validatorAddress } from '../consensus/index.ts';
import type { HeightSets } from './blockValidation.ts';
import type { StoredValidator } from './messages.ts';

export interface ValidatorSets extends HeightSets {
  /** The set of S + 2 before its proposer-priority increment. */
  readonly nextBefore: ValidatorSet;
}

export function toConsensusUpdate(u: { pubKey: Uint8Array; power: number }): ValidatorUpdate {
  return { address: validatorAddress(u.pubKey), publicKey: u.pubKey, votingPower: u.power };
}

function restoreSet(stored: readonly StoredValidator[]): ValidatorSet {
  return ValidatorSet.fromValidators(stored.map((v) => ({ address: validatorAddress(v.publicKey), ...v })));
}

/** Before the first block: the genesis set runs heights 1 and 2. */
export function genesisSets(current: ValidatorSet): ValidatorSets {
  return { last: undefined, current, nextBefore: current, next: current.incrementProposerPriority(1) };
}

/** The sets of a commit record (the sets of its height and, before their increment, of the next two). */
export function restoredSets(record: {
  readonly validators: readonly StoredValidator[];
  readonly nextBeforeIncrement: readonly StoredValidator[];
  readonly afterNextBeforeIncrement: readonly StoredValidator[];
}): ValidatorSets {
  const nextBefore = restoreSet(record.afterNextBeforeIncrement);
  return { last: restoreSet(record.validators), current: restoreSet(record.nextBeforeIncrement).incrementProposerPriority(1), nextBefore, next: nextBefore.incrementProposerPriority(1) };
}

/** The sets once block S + 1 with these validator updates is committed. */
export function advanceSets(sets: ValidatorSets, updates: readonly { pubKey: Uint8Array; power: number }[]): ValidatorSets {
  const nextBefore = sets.next.update(updates.map(toConsensusUpdate));
  return { last: sets.current, current: sets.next, nextBefore, next: nextBefore.incrementProposerPriority(1) };
}
