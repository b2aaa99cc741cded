/**
 * BFT time (CometBFT spec/consensus/bft-time.md): the time of block H+1 is the median of the
 * precommit times in the commit of block H, each counted as often as its validator's voting
 * power; a vote's time is max(now, time of the block it is for + 1 ms), so block times increase.
 */
import { GridLedgerError } from '../errors.ts';
import type { Commit } from './types.ts';
import type { ValidatorSet } from './validatorSet.ts';

export interface WeightedTime {
  timeMs: number;
  weight: number;
}

/** CometBFT's WeightedMedian: walk the times in order until half the total weight is covered. */
export function weightedMedianMs(times: readonly WeightedTime[]): number {
  if (times.length === 0) {
    throw new GridLedgerError('CONSENSUS_NO_VOTES', 'the weighted median of no votes is undefined');
  }
  let median = Math.floor(times.reduce((s, t) => s + t.weight, 0) / 2);
  const sorted = [...times].sort((a, b) => a.timeMs - b.timeMs);
  for (const t of sorted) {
    if (median <= t.weight) return t.timeMs;
    median -= t.weight;
  }
  return (sorted[sorted.length - 1] as WeightedTime).timeMs;
}

/** Time of the block after the committed one, from the commit's precommits. */
export function commitTimeMs(commit: Commit, validators: ValidatorSet): number {
  return weightedMedianMs(
    commit.precommits.map((v) => {
      const val = validators.getByAddress(v.validator);
      if (val === undefined) {
        throw new GridLedgerError('CONSENSUS_UNKNOWN_VALIDATOR', `precommit from unknown validator ${v.validator}`);
      }
      return { timeMs: v.timestampMs, weight: val.votingPower };
    }),
  );
}

/** The time a validator puts in a vote. */
export const voteTimeMs = (nowMs: number, minTimeMs: number): number => Math.max(nowMs, minTimeMs + 1);
