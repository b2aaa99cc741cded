/**
 * Duplicate-vote evidence (CometBFT spec/consensus/evidence.md): two votes of one validator with
 * the same height, round and type for different block ids (nil counts as a block id). Committing
 * it and slashing are the ledger's job; this file builds and verifies it.
 */
import { createHash } from 'node:crypto';
import { encode } from '@ipld/dag-cbor';
import type { Verdict } from './commit.ts';
import { voteSignBytes } from './signBytes.ts';
import type { DuplicateVoteEvidence, SignatureVerifier, SignedVote } from './types.ts';
import type { ValidatorSet } from './validatorSet.ts';

const order = (v: SignedVote): string => v.blockId ?? '';

/** Builds evidence from two conflicting votes; `validators` is the set at the votes' height. */
export function makeDuplicateVoteEvidence(
  a: SignedVote,
  b: SignedVote,
  validators: ValidatorSet,
  timestampMs: number,
): DuplicateVoteEvidence {
  const [voteA, voteB] = order(a) < order(b) ? [a, b] : [b, a];
  return {
    voteA,
    voteB,
    validatorPower: validators.getByAddress(a.validator)?.votingPower ?? 0,
    totalVotingPower: validators.totalVotingPower,
    timestampMs,
  };
}

export interface EvidenceContext {
  chainId: string;
  /** The validator set at the evidence height. */
  validators: ValidatorSet;
  verifier: SignatureVerifier;
  /** Time of the block at the evidence height. */
  blockTimeMs: number;
  currentHeight: number;
  currentTimeMs: number;
  maxAgeNumBlocks: number;
  maxAgeDurationMs: number;
}

export function verifyDuplicateVoteEvidence(ev: DuplicateVoteEvidence, ctx: EvidenceContext): Verdict {
  const { voteA: a, voteB: b } = ev;
  if (a.validator !== b.validator) return { ok: false, reason: 'votes of different validators' };
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    return { ok: false, reason: 'votes at different height, round or type' };
  }
  if (a.blockId === b.blockId) return { ok: false, reason: 'votes for the same block id' };
  if (!(order(a) < order(b))) return { ok: false, reason: 'votes out of canonical order' };
  // Expired only when too old in both blocks and time (CometBFT's rule).
  if (ctx.currentHeight - ctx.maxAgeNumBlocks > a.height && ctx.currentTimeMs - ctx.maxAgeDurationMs > ev.timestampMs) {
    return { ok: false, reason: 'evidence expired' };
  }
  if (ev.timestampMs !== ctx.blockTimeMs) {
    return { ok: false, reason: 'timestamp is not the block time at the evidence height' };
  }
  const val = ctx.validators.getByAddress(a.validator);
  if (val === undefined) return { ok: false, reason: 'validator not in the set at the evidence height' };
  if (ev.validatorPower !== val.votingPower || ev.totalVotingPower !== ctx.validators.totalVotingPower) {
    return { ok: false, reason: 'validator or total power does not match the set' };
  }
  for (const v of [a, b]) {
    if (!ctx.verifier.verify(val.publicKey, voteSignBytes(ctx.chainId, v), v.signature)) {
      return { ok: false, reason: 'bad vote signature' };
    }
  }
  return { ok: true };
}

/** Identity of a piece of evidence, for "committed once": SHA-256 of its canonical encoding. */
export function evidenceHash(ev: DuplicateVoteEvidence): string {
  const vote = (v: SignedVote): Record<string, unknown> => ({
    type: v.type,
    height: v.height,
    round: v.round,
    block_id: v.blockId,
    timestamp: v.timestampMs,
    validator: v.validator,
    signature: v.signature,
  });
  const bytes = encode({
    vote_a: vote(ev.voteA),
    vote_b: vote(ev.voteB),
    validator_power: ev.validatorPower,
    total_voting_power: ev.totalVotingPower,
    timestamp: ev.timestampMs,
  });
  return createHash('sha256').update(bytes).digest('hex');
}
