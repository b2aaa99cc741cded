import { describe, expect, it } from 'vitest';
import { verifyCommit } from './commit.ts';
import { createEd25519Verifier } from './ed25519.ts';
import { evidenceHash, makeDuplicateVoteEvidence, verifyDuplicateVoteEvidence } from './evidence.ts';
import type { EvidenceContext } from './evidence.ts';
import { genesisSet, makeValidators, signVoteRaw } from './testKit.ts';
import type { TestValidator } from './testKit.ts';
import type { Hex, SignedVote, VoteType } from './types.ts';

const CHAIN = 'ev-test';
const verifier = createEd25519Verifier();
const vals = makeValidators([3, 1, 1, 1]);
const set = genesisSet(vals);
const [big, a, b] = vals as [TestValidator, TestValidator, TestValidator];
const idA = 'aa'.repeat(32);
const idB = 'bb'.repeat(32);
const v = (who: TestValidator, blockId: Hex | null, over: { round?: number; type?: VoteType; height?: number } = {}): SignedVote =>
  signVoteRaw(CHAIN, who, { type: over.type ?? 'prevote', height: over.height ?? 10, round: over.round ?? 0, blockId, timestampMs: 5 });
const ctx: EvidenceContext = {
  chainId: CHAIN,
  validators: set,
  verifier,
  blockTimeMs: 10_000,
  currentHeight: 12,
  currentTimeMs: 20_000,
  maxAgeNumBlocks: 100,
  maxAgeDurationMs: 3_600_000,
};

describe('duplicate vote evidence', () => {
  it('orders the votes by block id (nil first) and records powers and the block time', () => {
    const ev = makeDuplicateVoteEvidence(v(big, idB), v(big, null), set, 10_000);
    expect([ev.voteA.blockId, ev.voteB.blockId]).toEqual([null, idB]);
    expect(ev).toMatchObject({ validatorPower: 3, totalVotingPower: 6, timestampMs: 10_000 });
    expect(verifyDuplicateVoteEvidence(ev, ctx)).toEqual({ ok: true });
    expect(evidenceHash(ev)).toBe(evidenceHash(makeDuplicateVoteEvidence(v(big, null), v(big, idB), set, 10_000)));
  });

  it('rejects votes that are not a double sign', () => {
    const reason = (x: SignedVote, y: SignedVote): string => {
      const r = verifyDuplicateVoteEvidence(makeDuplicateVoteEvidence(x, y, set, 10_000), ctx);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(v(a, idA), v(b, idB))).toBe('votes of different validators');
    expect(reason(v(a, idA), v(a, idB, { round: 1 }))).toBe('votes at different height, round or type');
    expect(reason(v(a, idA), v(a, idB, { type: 'precommit' }))).toBe('votes at different height, round or type');
    expect(reason(v(a, idA), v(a, idA))).toBe('votes for the same block id');
    const forged = { ...v(a, idB), signature: new Uint8Array(64) };
    expect(reason(v(a, idA), forged)).toBe('bad vote signature');
    const stranger = makeValidators([1], 'stranger')[0] as TestValidator;
    expect(reason(v(stranger, idA), v(stranger, idB))).toBe('validator not in the set at the evidence height');
  });

  it('checks the ABCI fields and the age (expired only when too old in blocks AND time)', () => {
    const ev = makeDuplicateVoteEvidence(v(a, idA), v(a, idB), set, 10_000);
    const r = (e: typeof ev, c: Partial<EvidenceContext>) => verifyDuplicateVoteEvidence(e, { ...ctx, ...c });
    expect(r({ ...ev, validatorPower: 2 }, {})).toMatchObject({ ok: false });
    expect(r({ ...ev, timestampMs: 9_999 }, {})).toMatchObject({ ok: false });
    expect(r(ev, { currentHeight: 200 })).toEqual({ ok: true }); // old in blocks, not in time
    expect(r(ev, { currentTimeMs: 10_000 + 3_600_001 })).toEqual({ ok: true }); // old in time only
    expect(r(ev, { currentHeight: 200, currentTimeMs: 10_000 + 3_600_001 })).toEqual({ ok: false, reason: 'evidence expired' });
  });
});

describe('verifyCommit', () => {
  const pc = (who: TestValidator, blockId: Hex | null = idA) => v(who, blockId, { type: 'precommit' });
  const commit = (precommits: SignedVote[]) => ({ height: 10, round: 0, blockId: idA, precommits });

  it('accepts > 2/3 of the power for the block', () => {
    expect(verifyCommit(CHAIN, set, commit([pc(big), pc(a), pc(b)]), verifier)).toEqual({ ok: true }); // 5 of 6
  });

  it('rejects too little power, doubles, strangers, other blocks and bad signatures', () => {
    expect(verifyCommit(CHAIN, set, commit([pc(big), pc(a)]), verifier).ok).toBe(false); // 4 of 6 is exactly 2/3
    expect(verifyCommit(CHAIN, set, commit([pc(a), pc(a), pc(b), pc(big)]), verifier).ok).toBe(false);
    expect(verifyCommit(CHAIN, set, commit([pc(big), pc(b), pc(a, idB)]), verifier).ok).toBe(false);
    expect(verifyCommit(CHAIN, set, commit([pc(big), pc(b), { ...pc(a), signature: new Uint8Array(64) }]), verifier).ok).toBe(false);
    expect(verifyCommit(CHAIN, set, commit([pc(big), pc(b), pc(makeValidators([1], 'x')[0] as TestValidator)]), verifier).ok).toBe(false);
    expect(verifyCommit('other-chain', set, commit([pc(big), pc(a), pc(b)]), verifier).ok).toBe(false);
  });
});
