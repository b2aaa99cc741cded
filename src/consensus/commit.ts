/**
 * Verification of a commit certificate: precommits for one block at one height and round,
 * signed by distinct validators of the set, with more than 2/3 of its voting power. What a node
 * that syncs blocks, or a light client on adjacent headers, checks.
 */
import { voteSignBytes } from './signBytes.ts';
import type { Commit, SignatureVerifier } from './types.ts';
import type { ValidatorSet } from './validatorSet.ts';
import { isQuorum } from './voteTally.ts';

export type Verdict = { ok: true } | { ok: false; reason: string };

export function verifyCommit(
  chainId: string,
  validators: ValidatorSet,
  commit: Commit,
  verifier: SignatureVerifier,
): Verdict {
  const seen = new Set<string>();
  let power = 0;
  for (const v of commit.precommits) {
    const forBlock = v.height === commit.height && v.round === commit.round && v.blockId === commit.blockId;
    if (v.type !== 'precommit' || !forBlock) {
      return { ok: false, reason: `vote of ${v.validator} is not a precommit for the committed block` };
    }
    const val = validators.getByAddress(v.validator);
    if (val === undefined) return { ok: false, reason: `${v.validator} is not in the validator set` };
    if (seen.has(v.validator)) return { ok: false, reason: `${v.validator} signed twice` };
    seen.add(v.validator);
    if (!verifier.verify(val.publicKey, voteSignBytes(chainId, v), v.signature)) {
      return { ok: false, reason: `bad signature from ${v.validator}` };
    }
    power += val.votingPower;
  }
  if (!isQuorum(power, validators.totalVotingPower)) {
    return { ok: false, reason: `commit has power ${power} of ${validators.totalVotingPower}, needs more than 2/3` };
  }
  return { ok: true };
}
