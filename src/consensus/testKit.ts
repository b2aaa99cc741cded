/**
 * Deterministic validators and signed messages for tests, benchmarks and the simulation: keys
 * from fixed seeds, raw signing without the guard (to play other or Byzantine validators).
 */
import { createHash } from 'node:crypto';
import { ed25519FromSeed, validatorAddress } from './ed25519.ts';
import { proposalSignBytes, voteSignBytes } from './signBytes.ts';
import type { RawSigner } from './signGuard.ts';
import type { Hex, SignedProposal, SignedVote, UnsignedProposal, UnsignedVote } from './types.ts';
import { ValidatorSet } from './validatorSet.ts';

export interface TestValidator {
  key: RawSigner;
  address: Hex;
  publicKey: Uint8Array;
  votingPower: number;
}

/** `powers.length` validators with keys from the seeds sha256(`${label}-${i}`). */
export function makeValidators(powers: readonly number[], label = 'validator'): TestValidator[] {
  return powers.map((votingPower, i) => {
    const key = ed25519FromSeed(createHash('sha256').update(`${label}-${i}`).digest());
    return { key, address: validatorAddress(key.publicKey), publicKey: key.publicKey, votingPower };
  });
}

export const genesisSet = (vals: readonly TestValidator[]): ValidatorSet => ValidatorSet.genesis(vals);

export const sha256Hex = (value: Uint8Array): Hex => createHash('sha256').update(value).digest('hex');

export function signVoteRaw(chainId: string, v: TestValidator, vote: Omit<UnsignedVote, 'validator'>): SignedVote {
  const unsigned: UnsignedVote = { ...vote, validator: v.address };
  return { ...unsigned, signature: v.key.sign(voteSignBytes(chainId, unsigned)) };
}

export function signProposalRaw(
  chainId: string,
  v: TestValidator,
  proposal: Omit<UnsignedProposal, 'proposer'>,
  value: Uint8Array,
): SignedProposal {
  const unsigned: UnsignedProposal = { ...proposal, proposer: v.address };
  return { ...unsigned, signature: v.key.sign(proposalSignBytes(chainId, unsigned)), value };
}
