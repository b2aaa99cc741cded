import { decode } from '@ipld/dag-cbor';
import { describe, expect, it } from 'vitest';
import { proposalSignBytes, voteSignBytes } from './signBytes.ts';
import type { UnsignedProposal, UnsignedVote } from './types.ts';

const id = 'ab'.repeat(32);
const vote: UnsignedVote = {
  type: 'precommit',
  height: 7,
  round: 2,
  blockId: id,
  timestampMs: 1_700_000_000_123,
  validator: 'cd'.repeat(20),
};
const proposal: UnsignedProposal = { height: 7, round: 2, polRound: 1, blockId: id, timestampMs: 42, proposer: 'cd'.repeat(20) };

describe('sign bytes (signing.md CanonicalVote / CanonicalProposal, dag-cbor)', () => {
  it('carry type, height, round, block id, timestamp and chain id of a vote', () => {
    expect(decode(voteSignBytes('chain-A', vote))).toEqual({
      type: 2,
      height: 7,
      round: 2,
      block_id: Uint8Array.from(Buffer.from(id, 'hex')),
      timestamp: 1_700_000_000_123,
      chain_id: 'chain-A',
    });
    expect(decode(voteSignBytes('chain-A', { ...vote, type: 'prevote', blockId: null }))).toMatchObject({ type: 1, block_id: null });
  });

  it('carry the POL round and type 0x20 for a proposal', () => {
    expect(decode(proposalSignBytes('chain-A', proposal))).toMatchObject({ type: 0x20, pol_round: 1, height: 7, round: 2, timestamp: 42 });
  });

  it('change with every signed field (so no signature carries over to another message)', () => {
    const base = Buffer.from(voteSignBytes('chain-A', vote)).toString('hex');
    const variants = [
      voteSignBytes('chain-B', vote),
      voteSignBytes('chain-A', { ...vote, type: 'prevote' }),
      voteSignBytes('chain-A', { ...vote, height: 8 }),
      voteSignBytes('chain-A', { ...vote, round: 3 }),
      voteSignBytes('chain-A', { ...vote, blockId: null }),
      voteSignBytes('chain-A', { ...vote, timestampMs: vote.timestampMs + 1 }),
    ].map((b) => Buffer.from(b).toString('hex'));
    expect(new Set([base, ...variants]).size).toBe(7);
    const p = Buffer.from(proposalSignBytes('chain-A', proposal)).toString('hex');
    expect(Buffer.from(proposalSignBytes('chain-A', { ...proposal, polRound: -1 })).toString('hex')).not.toBe(p);
  });
});
