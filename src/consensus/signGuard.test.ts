import { describe, expect, it } from 'vitest';
import { createEd25519Verifier } from './ed25519.ts';
import { checkSign, GuardedSigner, memorySignStateStore } from './signGuard.ts';
import type { LastSignState, SignStateStore } from './signGuard.ts';
import { proposalSignBytes, voteSignBytes } from './signBytes.ts';
import { makeValidators } from './testKit.ts';
import type { TestValidator } from './testKit.ts';
import type { UnsignedVote } from './types.ts';

const CHAIN = 'guard-test';
const me = makeValidators([1])[0] as TestValidator;
const idA = 'aa'.repeat(32);
const idB = 'bb'.repeat(32);
const vote = (over: Partial<UnsignedVote>): UnsignedVote => ({
  type: 'prevote',
  height: 5,
  round: 1,
  blockId: idA,
  timestampMs: 1000,
  validator: me.address,
  ...over,
});

describe('checkSign (signing.md: sign only at a later height, round or step)', () => {
  const bytes = voteSignBytes(CHAIN, vote({}));
  const last: LastSignState = { height: 5, round: 1, step: 2, signBytes: bytes, signature: new Uint8Array(64).fill(7), timestampMs: 1000 };
  const at = (over: Partial<UnsignedVote>) => (ts: number) => voteSignBytes(CHAIN, vote({ ...over, timestampMs: ts }));
  const decide = (h: number, r: number, s: 1 | 2 | 3, over: Partial<UnsignedVote> = {}) =>
    checkSign(last, h, r, s, voteSignBytes(CHAIN, vote(over)), at(over)).kind;

  it('signs anything after nothing, and later heights, rounds and steps', () => {
    expect(checkSign(undefined, 1, 0, 1, bytes, () => bytes).kind).toBe('sign');
    expect(decide(6, 0, 1)).toBe('sign');
    expect(decide(5, 2, 1)).toBe('sign');
    expect(decide(5, 1, 3)).toBe('sign');
  });

  it('refuses regressions of height, round or step', () => {
    expect(decide(4, 9, 3)).toBe('refuse');
    expect(decide(5, 0, 3)).toBe('refuse');
    expect(decide(5, 1, 1)).toBe('refuse');
  });

  it('at the same HRS: reuses the signature for identical bytes or a new timestamp only, refuses other data', () => {
    expect(decide(5, 1, 2)).toBe('reuse');
    const d = checkSign(last, 5, 1, 2, voteSignBytes(CHAIN, vote({ timestampMs: 4242 })), at({}));
    expect(d).toEqual({ kind: 'reuse', signature: last.signature, timestampMs: 1000 });
    expect(decide(5, 1, 2, { blockId: idB })).toBe('refuse');
    expect(decide(5, 1, 2, { blockId: null })).toBe('refuse');
  });
});

describe('GuardedSigner', () => {
  const verifier = createEd25519Verifier();

  it('signs prevote then precommit of a round, never a prevote after the precommit', () => {
    const s = new GuardedSigner(me.address, me.key, memorySignStateStore());
    const pv = s.signVote(CHAIN, vote({}));
    expect(pv.ok && verifier.verify(me.publicKey, voteSignBytes(CHAIN, vote({})), pv.signature)).toBe(true);
    expect(s.signVote(CHAIN, vote({ type: 'precommit' })).ok).toBe(true);
    expect(s.signVote(CHAIN, vote({ type: 'prevote', blockId: null })).ok).toBe(false);
    expect(s.signProposal(CHAIN, { height: 5, round: 1, polRound: -1, blockId: idA, timestampMs: 1, proposer: me.address }).ok).toBe(false);
    expect(s.signProposal(CHAIN, { height: 5, round: 2, polRound: -1, blockId: idA, timestampMs: 1, proposer: me.address }).ok).toBe(true);
  });

  it('persists the state before the signature leaves: a failing store yields no signature', () => {
    const failing: SignStateStore = {
      load: () => undefined,
      save: () => {
        throw new Error('disk full');
      },
    };
    const s = new GuardedSigner(me.address, me.key, failing);
    expect(() => s.signVote(CHAIN, vote({}))).toThrow('disk full');
  });

  it('after a restart (a new signer on the same store) it keeps refusing conflicting data', () => {
    const store = memorySignStateStore();
    const first = new GuardedSigner(me.address, me.key, store).signVote(CHAIN, vote({ timestampMs: 1000 }));
    expect(store.current()).toMatchObject({ height: 5, round: 1, step: 2, timestampMs: 1000 });
    const restarted = new GuardedSigner(me.address, me.key, store);
    expect(restarted.signVote(CHAIN, vote({ blockId: idB })).ok).toBe(false);
    const again = restarted.signVote(CHAIN, vote({ timestampMs: 9999 }));
    expect(again.ok && first.ok && again.timestampMs === 1000 && Buffer.from(again.signature).equals(first.signature)).toBe(true);
  });

  it('guards proposals the same way (same HRS, timestamp only -> reuse)', () => {
    const store = memorySignStateStore();
    const p = { height: 3, round: 0, polRound: -1, blockId: idA, timestampMs: 50, proposer: me.address };
    const a = new GuardedSigner(me.address, me.key, store).signProposal(CHAIN, p);
    const b = new GuardedSigner(me.address, me.key, store).signProposal(CHAIN, { ...p, timestampMs: 60 });
    expect(a.ok && b.ok && b.timestampMs === 50).toBe(true);
    expect(a.ok && verifier.verify(me.publicKey, proposalSignBytes(CHAIN, p), a.signature)).toBe(true);
    expect(new GuardedSigner(me.address, me.key, store).signProposal(CHAIN, { ...p, polRound: 0, round: 0 }).ok).toBe(false);
  });
});
