/**
 * Canonical sign bytes (CometBFT spec/consensus/signing.md: CanonicalVote, CanonicalProposal),
 * encoded as deterministic CBOR (dag-cbor) like everything signed in this project: type
 * (prevote 0x01, precommit 0x02, proposal 0x20), height, round, POL round (proposals), block id
 * (nil votes: null), timestamp in ms and chain id. The signer's address is not in the bytes: the
 * signature binds it through the public key.
 */
import { encode } from '@ipld/dag-cbor';
import type { Hex, UnsignedProposal, UnsignedVote, VoteType } from './types.ts';

export const SIGNED_MSG_TYPE = { prevote: 0x01, precommit: 0x02, proposal: 0x20 } as const;

export const voteTypeCode = (t: VoteType): number => SIGNED_MSG_TYPE[t];

const idBytes = (blockId: Hex | null): Uint8Array | null =>
  blockId === null ? null : Uint8Array.from(Buffer.from(blockId, 'hex'));

export function voteSignBytes(chainId: string, vote: UnsignedVote): Uint8Array {
  return encode({
    type: SIGNED_MSG_TYPE[vote.type],
    height: vote.height,
    round: vote.round,
    block_id: idBytes(vote.blockId),
    timestamp: vote.timestampMs,
    chain_id: chainId,
  });
}

export function proposalSignBytes(chainId: string, proposal: UnsignedProposal): Uint8Array {
  return encode({
    type: SIGNED_MSG_TYPE.proposal,
    height: proposal.height,
    round: proposal.round,
    pol_round: proposal.polRound,
    block_id: idBytes(proposal.blockId),
    timestamp: proposal.timestampMs,
    chain_id: chainId,
  });
}
