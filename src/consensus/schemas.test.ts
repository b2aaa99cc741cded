import { describe, expect, it } from 'vitest';
import { commitSchema, signedProposalSchema, signedVoteSchema } from './schemas.ts';
import type { Commit, SignedProposal, SignedVote } from './types.ts';

const vote: SignedVote = {
  type: 'precommit',
  height: 3,
  round: 0,
  blockId: 'ab'.repeat(32),
  timestampMs: 5,
  validator: 'cd'.repeat(20),
  signature: new Uint8Array(64),
};

describe('message schemas', () => {
  it('accept well-formed votes, proposals and commits and type them as the engine does', () => {
    const v: SignedVote = signedVoteSchema.parse(vote);
    expect(v).toEqual(vote);
    const p: SignedProposal = signedProposalSchema.parse({
      height: 3,
      round: 1,
      polRound: 0,
      blockId: 'ab'.repeat(32),
      timestampMs: 5,
      proposer: 'cd'.repeat(20),
      signature: new Uint8Array(64),
      value: new Uint8Array(3),
    });
    expect(p.polRound).toBe(0);
    const c: Commit = commitSchema.parse({ height: 3, round: 0, blockId: 'ab'.repeat(32), precommits: [vote] });
    expect(c.precommits).toHaveLength(1);
  });

  it('reject malformed fields', () => {
    for (const bad of [
      { ...vote, type: 'vote' },
      { ...vote, height: 0 },
      { ...vote, round: -1 },
      { ...vote, round: 1.5 },
      { ...vote, blockId: 'XYZ' },
      { ...vote, validator: 'abc' },
      { ...vote, signature: 'sig' },
    ]) {
      expect(signedVoteSchema.safeParse(bad).success).toBe(false);
    }
  });
});
