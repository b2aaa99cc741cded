import { describe, expect, it } from 'vitest';
import type { Commit, SignedVote } from '../consensus/index.ts';
import { commitTimeMs, ValidatorSet } from '../consensus/index.ts';
import { makeValidators, signVoteRaw } from '../consensus/testKit.ts';
import type { TestValidator } from '../consensus/testKit.ts';
import { fromHex, makeBlock, toHex } from '../ledger/index.ts';
import type { Block, EvidenceItem } from '../ledger/index.ts';
import { checkBlockLinks, checkEvidence, checkSyncedCommit, fromLastCommit, headerSetHash, toLastCommit } from './blockValidation.ts';
import type { ChainTip, EvidenceRules, HeightSets } from './blockValidation.ts';
import { ledgerVerifier } from './nodeRuntime.ts';
import { encodeVote } from './messages.ts';

const CHAIN = 'check-1';
const vals = makeValidators([10, 10, 10, 10], 'check');
const set = ValidatorSet.genesis(vals);
const sets: HeightSets = { last: set, current: set, next: set.incrementProposerPriority(1) };
const id1 = 'a1'.repeat(32);
const tip: ChainTip = { chainId: CHAIN, genesisTimeMs: 1_000, height: 1, blockId: fromHex(id1), timeMs: 1_000 };

const val = (i: number): TestValidator => vals[i] as TestValidator;
const precommit = (i: number, blockId: string | null, timestampMs: number, round = 0, height = 1): SignedVote =>
  signVoteRaw(CHAIN, val(i), { type: 'precommit', height, round, blockId, timestampMs });
const commitOf = (signers: number[]): Commit => ({ height: 1, round: 0, blockId: id1, precommits: signers.map((i) => precommit(i, id1, 2_000 + i * 10)) });

const rules: EvidenceRules = {
  publicKeyOf: (address) => vals.find((v) => v.address === toHex(address))?.publicKey,
  blockTimeAt: (h) => (h === 1 ? 1_000 : undefined),
  setAt: (h) => (h === 1 ? set : undefined),
};

function block2(over: { commit?: Commit; timeMs?: number; lastBlockId?: Uint8Array; proposer?: Uint8Array; evidence?: EvidenceItem[]; validatorsHash?: Uint8Array } = {}): Block {
  const commit = over.commit ?? commitOf([0, 1, 2, 3]);
  return makeBlock(
    {
      chainId: CHAIN,
      height: 2,
      timeMs: over.timeMs ?? commitTimeMs(commit, set),
      lastBlockId: over.lastBlockId ?? tip.blockId,
      appHash: new Uint8Array(32),
      proposer: over.proposer ?? fromHex(val(0).address),
      validatorsHash: over.validatorsHash ?? headerSetHash(set),
      nextValidatorsHash: headerSetHash(sets.next),
    },
    [],
    over.evidence ?? [],
    toLastCommit(commit, set),
  );
}

const check = (b: Block) => checkBlockLinks(b, tip, sets, ledgerVerifier, rules);

function evidence(a: SignedVote, b: SignedVote, timeMs = 1_000): EvidenceItem {
  return { type: 'duplicate_vote', validator: fromHex(a.validator), height: a.height, timeMs, voteA: encodeVote(a), voteB: encodeVote(b) };
}

describe('block checks', () => {
  it('accepts a block that links to the tip with a valid last commit and its BFT time', () => {
    expect(check(block2())).toEqual({ ok: true });
    expect(check(block2({ commit: commitOf([1, 2, 3]) }))).toEqual({ ok: true });
  });

  it('last commits keep every validator in set order and convert back to the same precommits', () => {
    const commit = commitOf([2, 0, 3]);
    const lc = toLastCommit(commit, set);
    expect(lc.signatures.map((s) => toHex(s.validator))).toEqual(set.validators.map((v) => v.address));
    expect(lc.signatures.filter((s) => s.signature === null)).toHaveLength(1);
    const back = fromLastCommit(lc);
    const byAddress = (a: SignedVote, b: SignedVote): number => (a.validator < b.validator ? -1 : 1);
    expect([...back.precommits].sort(byAddress)).toEqual([...commit.precommits].sort(byAddress));
  });

  it('refuses a block that breaks a link rule', () => {
    const forged = commitOf([0, 1, 2, 3]);
    (forged.precommits[1] as SignedVote).signature = new Uint8Array(64);
    const cases: Array<[string, Block]> = [
      ['does not link', block2({ lastBlockId: new Uint8Array(32).fill(7) })],
      ['last commit: bad signature', block2({ commit: forged })],
      ['needs more than 2/3', block2({ commit: commitOf([0, 1]) })],
      ['not the BFT time', block2({ timeMs: 5_000 })],
      ['validatorsHash', block2({ validatorsHash: new Uint8Array(32) })],
      ['proposer is not a validator', block2({ proposer: new Uint8Array(20) })],
    ];
    for (const [reason, b] of cases) {
      const v = check(b);
      expect(v.ok, reason).toBe(false);
      if (!v.ok) expect(v.reason).toContain(reason);
    }
  });

  it('checks a synced block against the commit of its own height and block', () => {
    const c = commitOf([0, 1, 2]);
    expect(checkSyncedCommit(CHAIN, id1, 1, c, set, ledgerVerifier)).toEqual({ ok: true });
    expect(checkSyncedCommit(CHAIN, 'b2'.repeat(32), 1, c, set, ledgerVerifier).ok).toBe(false);
    expect(checkSyncedCommit(CHAIN, id1, 2, c, set, ledgerVerifier).ok).toBe(false);
    expect(checkSyncedCommit('other-chain', id1, 1, c, set, ledgerVerifier).ok).toBe(false);
  });

  it('accepts duplicate-vote evidence once, and refuses every malformed kind', () => {
    const a = precommit(3, null, 1_500);
    const b = precommit(3, id1, 1_501);
    const good = evidence(a, b);
    expect(checkEvidence(good, 2, rules, ledgerVerifier, CHAIN)).toEqual({ ok: true });
    expect(check(block2({ evidence: [good] }))).toEqual({ ok: true });
    expect(check(block2({ evidence: [good, good] })).ok).toBe(false);

    const forgedB = { ...b, signature: new Uint8Array(64) };
    const otherValidator = precommit(2, id1, 1_501);
    const otherRound = precommit(3, id1, 1_501, 1);
    const bad: Array<[string, EvidenceItem]> = [
      ['out of order', evidence(b, a)],
      ['same block', evidence(a, { ...a, timestampMs: 1_600 })],
      ['bad vote signature', evidence(a, forgedB)],
      ['named validator', evidence(a, otherValidator)],
      ['height, round or type', evidence(a, otherRound)],
      ['block time', evidence(a, b, 999)],
    ];
    for (const [reason, item] of bad) {
      const v = checkEvidence(item, 2, rules, ledgerVerifier, CHAIN);
      expect(v.ok, reason).toBe(false);
      if (!v.ok) expect(v.reason).toContain(reason);
    }
    expect(checkEvidence(good, 1, rules, ledgerVerifier, CHAIN)).toEqual({ ok: false, reason: 'evidence from a height not yet committed' });
  });
});
