/**
 * Which validator set signs which height (CometBFT's state.Validators / NextValidators): the
 * updates the application returns while executing block H change the set of height H+2.
 */
import type { ValidatorUpdate } from './validatorSet.ts';
import { ValidatorSet } from './validatorSet.ts';

export interface ValidatorSchedule {
  /** Height whose set is `validators`. */
  height: number;
  validators: ValidatorSet;
  nextValidators: ValidatorSet;
}

/** Sets for the first height and the one after it, as CometBFT builds them from genesis. */
export function genesisSchedule(initialHeight: number, validators: readonly ValidatorUpdate[]): ValidatorSchedule {
  const set = ValidatorSet.genesis(validators);
  return { height: initialHeight, validators: set, nextValidators: set.incrementProposerPriority(1) };
}

/**
 * After block `schedule.height` is executed with `updates`: the set of the next height is the
 * already fixed `nextValidators`; the updates land in the set after it (height + 2).
 */
export function advanceSchedule(schedule: ValidatorSchedule, updates: readonly ValidatorUpdate[]): ValidatorSchedule {
  return {
    height: schedule.height + 1,
    validators: schedule.nextValidators,
    nextValidators: schedule.nextValidators.update(updates).incrementProposerPriority(1),
  };
}
