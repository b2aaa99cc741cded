import { describe, expect, it } from 'vitest';
import { createEd25519Verifier } from './ed25519.ts';
import { ConsensusEngine } from './engine.ts';
import { verifyDuplicateVoteEvidence } from './evidence.ts';
import { GuardedSigner, memorySignStateStore } from './signGuard.ts';
import type { LastSignState } from './signGuard.ts';
import { voteSignBytes } from './signBytes.ts';
import { genesisSet, makeValidators, sha256Hex, signProposalRaw, signVoteRaw } from './testKit.ts';
import type { TestValidator } from './testKit.ts';
import type { ConsensusEvent, ConsensusOutput, DecideOutput, Hex, SignedVote, VoteType } from './types.ts';
import type { ValidatorSet } from './validatorSet.ts';

const CHAIN = 'engine-test';
const verifier = createEd25519Verifier();
const V = Buffer.from('value-v');
const W = Buffer.from('value-w');
const idV = sha256Hex(V);
const idW = sha256Hex(W);

function network(powers: number[] = [1, 1, 1, 1]): { vals: TestValidator[]; set: ValidatorSet; proposerOf(r: number): TestValidator } {
  const vals = makeValidators(powers);
  const set = genesisSet(vals);
  const byAddr = new Map(vals.map((v) => [v.address, v]));
  return { vals, set, proposerOf: (r) => byAddr.get(set.proposerForRound(r).address) as TestValidator };
}

interface Harness {
  engine: ConsensusEngine;
  me: TestValidator;
  others: TestValidator[];
  set: ValidatorSet;
  proposerOf(r: number): TestValidator;
  feed(e: ConsensusEvent, nowMs?: number): ConsensusOutput[];
  start(height?: number, prevBlockTimeMs?: number): ConsensusOutput[];
  proposal(round: number, value: Buffer, polRound?: number, height?: number): ConsensusOutput[];
  validated(blockId: Hex, valid?: boolean, blockTimeMs?: number, height?: number): ConsensusOutput[];
  vote(from: TestValidator, type: VoteType, round: number, blockId: Hex | null, height?: number): ConsensusOutput[];
  timeout(kind: 'propose' | 'prevote' | 'precommit', round: number, height?: number): ConsensusOutput[];
}

/**
 * One engine under test: validator number `role`, or the proposer of round `proposerOfRound`
 * (default 3, so that rounds 0-2 are proposed by others).
 */
function harness(
  opts: { role?: number; proposerOfRound?: number; powers?: number[]; signState?: LastSignState; follower?: boolean } = {},
): Harness {
  const { vals, set, proposerOf } = network(opts.powers);
  const me = opts.role === undefined ? proposerOf(opts.proposerOfRound ?? 3) : (vals[opts.role] as TestValidator);
  const store = memorySignStateStore(opts.signState);
  const engine = new ConsensusEngine({
    chainId: CHAIN,
    ...(opts.follower === true ? {} : { signer: new GuardedSigner(me.address, me.key, store) }),
    verifier,
    blockIdOf: sha256Hex,
  });
  const feed = (e: ConsensusEvent, nowMs = 1000): ConsensusOutput[] => engine.handle(e, nowMs);
  return {
    engine,
    me,
    others: vals.filter((v) => v !== me),
    set,
    proposerOf,
    feed,
    start: (height = 1, prevBlockTimeMs = 500) => feed({ type: 'start-height', height, validators: set, prevBlockTimeMs }),
    proposal: (round, value, polRound = -1, height = 1) =>
      feed({
        type: 'proposal',
        proposal: signProposalRaw(CHAIN, proposerOf(round), { height, round, polRound, blockId: sha256Hex(value), timestampMs: 900 }, value),
      }),
    validated: (blockId, valid = true, blockTimeMs = 600, height = 1) =>
      feed({ type: 'proposal-validated', height, blockId, valid, blockTimeMs }),
    vote: (from, type, round, blockId, height = 1) =>
      feed({ type: 'vote', vote: signVoteRaw(CHAIN, from, { type, height, round, blockId, timestampMs: 950 }) }),
    timeout: (kind, round, height = 1) => feed({ type: 'timeout', kind, height, round }),
  };
}

const votesOut = (outs: ConsensusOutput[]): SignedVote[] =>
  outs.flatMap((o) => (o.type === 'broadcast-vote' ? [o.vote] : []));
const voteSummary = (outs: ConsensusOutput[]): string[] => votesOut(outs).map((v) => `${v.type}:${v.round}:${v.blockId ?? 'nil'}`);
const timeouts = (outs: ConsensusOutput[]): string[] =>
  outs.flatMap((o) => (o.type === 'schedule-timeout' ? [`${o.kind}:${o.round}:${o.durationMs}`] : []));
const decision = (outs: ConsensusOutput[]): DecideOutput | undefined => outs.find((o): o is DecideOutput => o.type === 'decide');

/** Puts the harness in round 0, prevoted and then locked on V (line 36). */
function lockOnV(h: Harness): void {
  h.start();
  h.proposal(0, V);
  h.validated(idV);
  const [a, b] = h.others as [TestValidator, TestValidator];
  h.vote(a, 'prevote', 0, idV);
  expect(voteSummary(h.vote(b, 'prevote', 0, idV))).toEqual([`precommit:0:${idV}`]);
}

/** Moves a harness in round r to round r + 1 through 2f+1 precommits for nil and the precommit timeout. */
function nextRoundByTimeout(h: Harness, r: number): void {
  for (const o of h.others.slice(0, 3)) h.vote(o, 'precommit', r, null);
  expect(timeouts(h.timeout('precommit', r))[0]).toBe(`propose:${r + 1}:${3000 + 500 * (r + 1)}`);
  expect(h.engine.status().round).toBe(r + 1);
}

describe('StartRound (lines 11-21) and timeouts growing per round', () => {
  it('a non-proposer schedules timeoutPropose(0) = 3 s and waits', () => {
    const h = harness();
    const outs = h.start();
    expect(outs).toEqual([{ type: 'schedule-timeout', kind: 'propose', height: 1, round: 0, durationMs: 3000 }]);
    expect(h.engine.status()).toMatchObject({ height: 1, round: 0, step: 'propose', lockedRound: -1, validRound: -1 });
  });

  it('the proposer asks for a value, broadcasts <PROPOSAL, h, r, v, -1> and prevotes its own value', () => {
    const h = harness({ proposerOfRound: 0 });
    expect(h.start().map((o) => o.type)).toEqual(['request-value', 'schedule-timeout']);
    const ready = h.feed({ type: 'value-ready', height: 1, round: 0, value: V, blockTimeMs: 777 }, 1500);
    const prop = ready.find((o) => o.type === 'broadcast-proposal');
    expect(prop?.type === 'broadcast-proposal' && prop.proposal).toMatchObject({
      height: 1,
      round: 0,
      polRound: -1,
      blockId: idV,
      proposer: h.me.address,
    });
    // its own value is valid: prevote at once, stamped max(now, block time + 1)
    expect(voteSummary(ready)).toEqual([`prevote:0:${idV}`]);
    expect(votesOut(ready)[0]?.timestampMs).toBe(1500);
  });

  it('timeouts grow 0.5 s per round: propose 3 s + 0.5 r, prevote and precommit 1 s + 0.5 r', () => {
    const h = harness();
    h.start();
    nextRoundByTimeout(h, 0);
    nextRoundByTimeout(h, 1);
    h.timeout('propose', 2);
    const [a, b] = h.others as [TestValidator, TestValidator];
    expect(timeouts(h.vote(a, 'prevote', 2, idW))).toEqual([]);
    expect(timeouts(h.vote(b, 'prevote', 2, null))).toEqual(['prevote:2:2000']);
    const outs = [...h.timeout('prevote', 2), ...h.others.slice(0, 2).flatMap((o) => h.vote(o, 'precommit', 2, null))];
    expect(timeouts(outs)).toEqual(['precommit:2:2000']);
  });
});

describe('line 22: proposal with vr = -1', () => {
  it('waits for valid(v), then prevotes id(v)', () => {
    const h = harness();
    h.start();
    const outs = h.proposal(0, V);
    expect(outs.map((o) => o.type)).toEqual(['request-validation']);
    expect(voteSummary(h.validated(idV))).toEqual([`prevote:0:${idV}`]);
    expect(h.engine.status().step).toBe('prevote');
  });

  it('prevotes nil for an invalid value', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    expect(voteSummary(h.validated(idV, false))).toEqual(['prevote:0:nil']);
  });

  it('prevotes nil at once, without waiting for validation, when locked on another value', () => {
    const h = harness();
    lockOnV(h);
    nextRoundByTimeout(h, 0);
    const outs = h.proposal(1, W);
    expect(outs.map((o) => o.type)).toEqual(['request-validation', 'broadcast-vote']);
    expect(voteSummary(outs)).toEqual(['prevote:1:nil']);
  });

  it('prevotes its locked value when it is proposed again with vr = -1', () => {
    const h = harness();
    lockOnV(h);
    nextRoundByTimeout(h, 0);
    expect(voteSummary(h.proposal(1, V))).toEqual([`prevote:1:${idV}`]);
  });
});

describe('line 28: proposal with a POL round vr', () => {
  it('needs 2f+1 prevotes for v in round vr before it prevotes', () => {
    const h = harness();
    h.start();
    h.timeout('propose', 0);
    nextRoundByTimeout(h, 0);
    // round 1 proposal re-proposes W with vr = 0; round 0 saw no polka for W yet
    h.proposal(1, W, 0);
    expect(voteSummary(h.validated(idW))).toEqual([]);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'prevote', 0, idW);
    expect(voteSummary(h.vote(b, 'prevote', 0, idW))).toEqual([]);
    expect(voteSummary(h.vote(c, 'prevote', 0, idW))).toEqual([`prevote:1:${idW}`]);
  });

  it('unlocks: locked in round 0 on V, prevotes W proposed with a POL from round 1 > lockedRound', () => {
    const h = harness();
    lockOnV(h);
    nextRoundByTimeout(h, 0);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.proposal(1, W);
    h.validated(idW);
    h.timeout('propose', 1); // already prevoted nil (locked): the timeout changes nothing
    // the others saw a polka for W in round 1 that this node missed the end of
    for (const o of [a, b, c]) h.vote(o, 'prevote', 1, idW);
    // ... which relocks this node in round 1 (line 36) since it is still in the prevote step
    expect(h.engine.status()).toMatchObject({ lockedRound: 1, lockedBlockId: idW });
    nextRoundByTimeout(h, 1);
    expect(voteSummary(h.proposal(2, W, 1))).toEqual([`prevote:2:${idW}`]);
  });

  it('stays locked: locked in round 2 on V, prevotes nil for W with a POL from round 1', () => {
    const h = harness();
    h.start();
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.timeout('propose', 0);
    nextRoundByTimeout(h, 0);
    // round 1: a polka for W that this node sees only later
    h.timeout('propose', 1);
    nextRoundByTimeout(h, 1);
    // round 2: V proposed, polka for V, this node locks on V in round 2
    h.proposal(2, V);
    h.validated(idV);
    h.vote(a, 'prevote', 2, idV);
    h.vote(b, 'prevote', 2, idV);
    expect(h.engine.status()).toMatchObject({ lockedRound: 2, lockedBlockId: idV });
    for (const o of [a, b, c]) h.vote(o, 'prevote', 1, idW); // the late round-1 polka for W
    nextRoundByTimeout(h, 2);
    // round 3 is this node's own; round 4's proposer re-proposes W with vr = 1
    h.timeout('propose', 3);
    h.vote(a, 'prevote', 3, null);
    h.vote(b, 'prevote', 3, null);
    nextRoundByTimeout(h, 3);
    const outs = h.proposal(4, W, 1);
    expect(voteSummary(outs)).toEqual(['prevote:4:nil']);
    expect(h.engine.status()).toMatchObject({ lockedRound: 2, lockedBlockId: idV });
  });

  it('ignores a proposal whose vr is not below its round', () => {
    const h = harness();
    h.start();
    const outs = h.proposal(0, V, 0);
    expect(outs.map((o) => o.type)).toEqual(['invalid-message']);
  });
});

describe('lines 34 and 61: prevote timeout', () => {
  it('schedules timeoutPrevote once on 2f+1 prevotes of any kind, then precommits nil when it fires', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'prevote', 0, null);
    expect(timeouts(h.vote(b, 'prevote', 0, idW))).toEqual(['prevote:0:1000']);
    expect(timeouts(h.vote(c, 'prevote', 0, null))).toEqual([]); // for the first time only
    expect(voteSummary(h.timeout('prevote', 0))).toEqual(['precommit:0:nil']);
    expect(h.engine.status().step).toBe('precommit');
  });

  it('ignores a timeout of another round or step', () => {
    const h = harness();
    h.start();
    expect(h.timeout('prevote', 0)).toEqual([]);
    expect(h.timeout('propose', 5)).toEqual([]);
    expect(h.engine.status()).toMatchObject({ round: 0, step: 'propose' });
  });
});

describe('line 36: polka for the proposal', () => {
  it('in prevote: locks, precommits id(v) and records the valid value', () => {
    const h = harness();
    lockOnV(h);
    expect(h.engine.status()).toMatchObject({ step: 'precommit', lockedRound: 0, lockedBlockId: idV, validRound: 0, validBlockId: idV });
  });

  it('already in precommit: only updates validValue and validRound', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'prevote', 0, null);
    h.vote(b, 'prevote', 0, idV);
    h.timeout('prevote', 0); // precommit nil
    const outs = h.vote(c, 'prevote', 0, idV); // now 3 of 4 prevoted V
    expect(votesOut(outs)).toEqual([]);
    expect(h.engine.status()).toMatchObject({ lockedRound: -1, lockedBlockId: null, validRound: 0, validBlockId: idV });
  });

  it('waits for valid(v) before locking', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.timeout('propose', 0); // prevote nil while validation is pending
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    for (const o of [a, b, c]) h.vote(o, 'prevote', 0, idV);
    expect(h.engine.status().lockedRound).toBe(-1);
    expect(voteSummary(h.validated(idV))).toEqual([`precommit:0:${idV}`]);
    expect(h.engine.status()).toMatchObject({ lockedRound: 0, validRound: 0 });
  });

  it('a proposer with a valid value re-proposes it with vr = validRound (line 16), without getValue', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'prevote', 0, idV);
    h.vote(b, 'prevote', 0, idV); // locks V in round 0
    nextRoundByTimeout(h, 0);
    h.timeout('propose', 1);
    nextRoundByTimeout(h, 1);
    h.timeout('propose', 2);
    h.vote(a, 'prevote', 2, null);
    h.vote(b, 'prevote', 2, null);
    h.vote(c, 'precommit', 2, null);
    h.vote(a, 'precommit', 2, null);
    const outs = h.timeout('precommit', 2); // round 3: this node proposes
    expect(outs.map((o) => o.type)).not.toContain('request-value');
    const prop = outs.find((o) => o.type === 'broadcast-proposal');
    expect(prop?.type === 'broadcast-proposal' && { polRound: prop.proposal.polRound, blockId: prop.proposal.blockId }).toEqual({
      polRound: 0,
      blockId: idV,
    });
    expect(voteSummary(outs)).toEqual([`prevote:3:${idV}`]); // line 28 on its own proposal
  });
});

describe('line 44: polka for nil', () => {
  it('precommits nil on 2f+1 prevotes for nil', () => {
    const h = harness();
    h.start();
    h.timeout('propose', 0);
    const [a, b] = h.others as [TestValidator, TestValidator];
    h.vote(a, 'prevote', 0, null);
    expect(voteSummary(h.vote(b, 'prevote', 0, null))).toEqual(['precommit:0:nil']);
  });
});

describe('lines 47 and 65: precommit timeout', () => {
  it('schedules timeoutPrecommit once on 2f+1 precommits of any kind; firing starts the next round', () => {
    const h = harness();
    h.start();
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'precommit', 0, idV);
    h.vote(b, 'precommit', 0, null);
    expect(timeouts(h.vote(c, 'precommit', 0, null))).toEqual(['precommit:0:1000']);
    // still in the propose step of round 0: line 47 has no step condition
    expect(h.engine.status()).toMatchObject({ round: 0, step: 'propose' });
    expect(timeouts(h.timeout('precommit', 0))).toEqual(['propose:1:3500']);
    expect(h.engine.status()).toMatchObject({ round: 1, step: 'propose' });
  });
});

describe('line 49: decision', () => {
  it('decides on the proposal and 2f+1 precommits for it, with the commit certificate', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV, true, 600);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'precommit', 0, idV);
    h.vote(b, 'precommit', 0, null);
    expect(decision(h.vote(c, 'precommit', 0, idV))).toBeUndefined(); // a and c: 2 of 4
    h.vote(a, 'prevote', 0, idV);
    const dec = decision(h.vote(c, 'prevote', 0, idV)); // polka -> own precommit -> 3 of 4
    expect(dec).toMatchObject({ height: 1, round: 0, blockId: idV, blockTimeMs: 600 });
    expect(Buffer.from(dec?.value ?? []).equals(V)).toBe(true);
    expect(dec?.commit.precommits.map((v) => v.validator)).toEqual([a.address, c.address, h.me.address].sort());
  });

  it('counts an equivocator for each block it votes for, as Algorithm 1 counts messages, but once in "any"', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(b, 'precommit', 0, null);
    const outs = h.vote(b, 'precommit', 0, idV); // b equivocates
    expect(outs.map((o) => o.type)).toEqual([]); // evidence waits for the decision's block time
    expect(timeouts(h.vote(a, 'precommit', 0, idV))).toEqual([]); // a, b: two validators of any kind
    const dec = decision(h.vote(c, 'precommit', 0, idV)); // a, b, c for V
    expect(dec?.commit.precommits.map((v) => v.validator)).toEqual([a.address, b.address, c.address].sort());
    expect(h.engine.status().decided).toBe(true);
  });

  it('decides a value from an earlier round while in a later one', () => {
    const h = harness();
    h.start();
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'prevote', 1, null);
    h.vote(b, 'prevote', 1, null); // f+1 in round 1: skip there
    expect(h.engine.status().round).toBe(1);
    h.proposal(0, V);
    h.validated(idV);
    for (const o of [a, b]) h.vote(o, 'precommit', 0, idV);
    const dec = decision(h.vote(c, 'precommit', 0, idV));
    expect(dec).toMatchObject({ round: 0, blockId: idV });
  });

  it('waits for valid(v) and never decides an invalid value', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    const outs = h.others.flatMap((o) => h.vote(o, 'precommit', 0, idV));
    expect(decision(outs)).toBeUndefined();
    expect(decision(h.validated(idV, false))).toBeUndefined();
    expect(h.engine.status().decided).toBe(false);
  });

  it('a follower without a key decides and never sends', () => {
    const h = harness({ follower: true });
    const outs = [...h.start(), ...h.proposal(0, V), ...h.validated(idV), ...h.others.flatMap((o) => h.vote(o, 'precommit', 0, idV))];
    expect(votesOut(outs)).toEqual([]);
    expect(decision(outs)?.blockId).toBe(idV);
  });

  it('counts voting power, not heads: 5 of 8 is no quorum, 6 of 8 is', () => {
    const h = harness({ role: 3, powers: [5, 1, 1, 1] });
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    const big = h.others.find((o) => o.votingPower === 5) as TestValidator;
    const small = h.others.find((o) => o.votingPower === 1) as TestValidator;
    expect(decision(h.vote(big, 'precommit', 0, idV))).toBeUndefined();
    expect(decision(h.vote(small, 'precommit', 0, idV))?.blockId).toBe(idV);
  });
});

describe('an equivocating proposer', () => {
  it('a node that first got one version still decides the version the others committed', () => {
    const h = harness();
    h.start();
    h.proposal(0, V);
    h.validated(idV);
    h.proposal(0, W); // the proposer's second, conflicting proposal
    h.validated(idW);
    const dec = decision(h.others.flatMap((o) => h.vote(o, 'precommit', 0, idW)));
    expect(dec).toMatchObject({ round: 0, blockId: idW });
  });

  it('keeps two proposals of a round, and a further one only when more than 1/3 of the power votes for it', () => {
    const h = harness();
    h.start();
    const X = Buffer.from('value-x');
    h.proposal(0, V);
    h.proposal(0, W);
    expect(h.proposal(0, X).map((o) => o.type)).toEqual([]); // a third unbacked version is dropped
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.vote(a, 'precommit', 0, sha256Hex(X));
    h.vote(b, 'precommit', 0, sha256Hex(X));
    expect(h.proposal(0, X).map((o) => o.type)).toEqual(['request-validation']);
    h.validated(sha256Hex(X));
    expect(decision(h.vote(c, 'precommit', 0, sha256Hex(X)))?.blockId).toBe(sha256Hex(X));
  });
});

describe('line 55: round skip on f+1 messages of a higher round', () => {
  it('one validator of four (1/4 <= 1/3) is not enough; two are', () => {
    const h = harness();
    h.start();
    const [a, b] = h.others as [TestValidator, TestValidator];
    h.vote(a, 'prevote', 3, null);
    expect(h.engine.status().round).toBe(0);
    const outs = h.vote(b, 'precommit', 3, null);
    expect(h.engine.status().round).toBe(3);
    expect(timeouts(outs)).toContain('propose:3:4500');
  });

  it('counts the proposal sender too', () => {
    const h = harness();
    h.start();
    h.proposal(2, V);
    expect(h.engine.status().round).toBe(0);
    const other = h.others.find((o) => o.address !== h.proposerOf(2).address) as TestValidator;
    h.vote(other, 'prevote', 2, null);
    expect(h.engine.status().round).toBe(2);
  });

  it('weights by power: one validator with 5 of 8 moves the round alone', () => {
    const h = harness({ role: 3, powers: [5, 1, 1, 1] });
    h.start();
    h.vote(h.others.find((o) => o.votingPower === 5) as TestValidator, 'prevote', 4, null);
    expect(h.engine.status().round).toBe(4);
  });
});

describe('line 57: propose timeout', () => {
  it('prevotes nil when no proposal came', () => {
    const h = harness();
    h.start();
    expect(voteSummary(h.timeout('propose', 0))).toEqual(['prevote:0:nil']);
    expect(h.engine.status().step).toBe('prevote');
    expect(voteSummary(h.proposal(0, V))).toEqual([]); // too late: line 22 needs step = propose
  });
});

describe('vote times (BFT time)', () => {
  it('stamps a block vote max(now, block time + 1) and a nil vote max(now, previous block time + 1)', () => {
    const h = harness();
    h.start(1, 2000);
    h.proposal(0, V);
    const v = votesOut(h.validated(idV, true, 5000))[0];
    expect(v?.timestampMs).toBe(5001); // now is 1000
    const h2 = harness();
    h2.start(1, 2000);
    expect(votesOut(h2.timeout('propose', 0))[0]?.timestampMs).toBe(2001);
    const h3 = harness();
    h3.start(1, 200);
    expect(votesOut(h3.feed({ type: 'timeout', kind: 'propose', height: 1, round: 0 }, 7777))[0]?.timestampMs).toBe(7777);
  });
});

describe('checks on received messages', () => {
  it('reports bad signatures, strangers, wrong proposers and mismatched block ids, and ignores them', () => {
    const h = harness();
    h.start();
    const [a] = h.others as [TestValidator];
    const good = signVoteRaw(CHAIN, a, { type: 'prevote', height: 1, round: 0, blockId: null, timestampMs: 1 });
    const forged = { ...good, signature: new Uint8Array(64) };
    const stranger = makeValidators([1], 'stranger')[0] as TestValidator;
    const wrongProposer = h.others.find((o) => o.address !== h.proposerOf(0).address) as TestValidator;
    const reasons = [
      ...h.feed({ type: 'vote', vote: forged }),
      ...h.vote(stranger, 'prevote', 0, null),
      ...h.feed({
        type: 'proposal',
        proposal: signProposalRaw(CHAIN, wrongProposer, { height: 1, round: 0, polRound: -1, blockId: idV, timestampMs: 1 }, V),
      }),
      ...h.feed({
        type: 'proposal',
        proposal: signProposalRaw(CHAIN, h.proposerOf(0), { height: 1, round: 0, polRound: -1, blockId: idW, timestampMs: 1 }, V),
      }),
    ].map((o) => (o.type === 'invalid-message' ? o.reason : o.type));
    expect(reasons).toEqual(['bad signature', 'not a validator', 'not the proposer of the round', 'block id does not match the value']);
    // the real proposal is still accepted afterwards
    expect(h.proposal(0, V).map((o) => o.type)).toEqual(['request-validation']);
  });

  it('keeps messages of the next height until that height starts', () => {
    const h = harness();
    h.start();
    expect(h.proposal(0, V, -1, 2)).toEqual([]);
    h.proposal(0, W);
    h.validated(idW);
    h.others.forEach((o) => h.vote(o, 'precommit', 0, idW));
    const outs = h.start(2, 600);
    expect(outs.filter((o) => o.type === 'request-validation').map((o) => o.type === 'request-validation' && o.height)).toEqual([2]);
  });
});

describe('evidence of equivocation', () => {
  it('emits DuplicateVoteEvidence with the block time once the height is decided, and it verifies', () => {
    const h = harness();
    h.start();
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.proposal(0, V);
    h.validated(idV, true, 640);
    h.vote(a, 'prevote', 0, idV);
    expect(h.vote(a, 'prevote', 0, idW).filter((o) => o.type === 'evidence')).toEqual([]);
    h.vote(a, 'prevote', 0, idW); // the same conflict again: reported once
    const outs = [b, c, a].flatMap((o) => h.vote(o, 'precommit', 0, idV));
    const ev = outs.flatMap((o) => (o.type === 'evidence' ? [o.evidence] : []));
    expect(ev).toHaveLength(1);
    const e = ev[0];
    if (e === undefined) throw new Error('no evidence');
    expect(e).toMatchObject({ validatorPower: 1, totalVotingPower: 4, timestampMs: 640 });
    expect([e.voteA.blockId, e.voteB.blockId]).toEqual([idV, idW].sort());
    const ctx = {
      chainId: CHAIN,
      validators: h.set,
      verifier,
      blockTimeMs: 640,
      currentHeight: 2,
      currentTimeMs: 2000,
      maxAgeNumBlocks: 100,
      maxAgeDurationMs: 60_000,
    };
    expect(verifyDuplicateVoteEvidence(e, ctx)).toEqual({ ok: true });
  });

  it('still catches a conflicting vote of the previous height after the next one started', () => {
    const h = harness();
    h.start();
    const [a, b, c] = h.others as [TestValidator, TestValidator, TestValidator];
    h.proposal(0, V);
    h.validated(idV, true, 640);
    for (const o of [a, b, c]) h.vote(o, 'precommit', 0, idV);
    h.start(2, 640);
    const outs = h.vote(c, 'precommit', 0, null, 1);
    const ev = outs.find((o) => o.type === 'evidence');
    expect(ev?.type === 'evidence' && ev.evidence).toMatchObject({ timestampMs: 640, voteA: { blockId: null, validator: c.address } });
  });
});

describe('the double-sign guard inside the engine', () => {
  it('refuses to sign a prevote that conflicts with one signed before a restart', () => {
    const { proposerOf } = network();
    const me = proposerOf(3);
    const earlier = { type: 'prevote' as const, height: 1, round: 0, blockId: idW, timestampMs: 1000, validator: me.address };
    const signBytes = voteSignBytes(CHAIN, earlier);
    const signState: LastSignState = { height: 1, round: 0, step: 2, signBytes, signature: me.key.sign(signBytes), timestampMs: 1000 };
    const h = harness({ signState });
    h.start();
    const outs = h.timeout('propose', 0); // wants prevote nil
    expect(votesOut(outs)).toEqual([]);
    expect(outs.find((o) => o.type === 'sign-refused')).toMatchObject({ height: 1, round: 0, step: 'prevote' });
  });

  it('re-sends the stored signature when only the timestamp differs', () => {
    const { proposerOf } = network();
    const me = proposerOf(3);
    const earlier = { type: 'prevote' as const, height: 1, round: 0, blockId: null, timestampMs: 800, validator: me.address };
    const signBytes = voteSignBytes(CHAIN, earlier);
    const signature = me.key.sign(signBytes);
    const h = harness({ signState: { height: 1, round: 0, step: 2, signBytes, signature, timestampMs: 800 } });
    h.start(1, 100);
    const v = votesOut(h.feed({ type: 'timeout', kind: 'propose', height: 1, round: 0 }, 5000))[0];
    expect(v?.timestampMs).toBe(800);
    expect(Buffer.from(v?.signature ?? []).equals(signature)).toBe(true);
  });
});
