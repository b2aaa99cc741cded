import { describe, expect, it } from 'vitest';
import { ValidatorSet } from '../consensus/index.ts';
import type { Commit, SignedVote } from '../consensus/index.ts';
import { signVoteRaw } from '../consensus/testKit.ts';
import type { TestValidator } from '../consensus/testKit.ts';
import { blockId, decodeBlock, defaultParams, EMPTY_COMMIT, fromHex, Mempool, toHex, ZERO_HASH } from '../ledger/index.ts';
import type { EvidenceItem, Params, Signer } from '../ledger/index.ts';
import { devNet } from '../ledger/testkit.ts';
import type { DevNet } from '../ledger/testkit.ts';
import { checkBlockLinks, headerSetHash } from './blockValidation.ts';
import type { ChainTip, EvidenceRules } from './blockValidation.ts';
import { encodeVote } from './messages.ts';
import { ledgerVerifier } from './nodeRuntime.ts';
import { assembleProposal } from './proposalAssembly.ts';
import type { ProposalInputs } from './proposalAssembly.ts';
import { advanceSets, genesisSets } from './validatorSets.ts';
import type { ValidatorSets } from './validatorSets.ts';

const CHAIN = 'assembly-1';

/** A devNet of four validators at height 0, its genesis sets, and a mempool holding three transfers of alice. */
function setup(params?: Params): { net: DevNet; vals: TestValidator[]; sets: ValidatorSets; mempool: Mempool; txs: Uint8Array[]; tip: ChainTip } {
  const net = devNet({ chainId: CHAIN, validators: 4, ...(params === undefined ? {} : { params }) });
  const vals = net.chain.validators.map((s: Signer) => ({ key: s, address: toHex(s.address), publicKey: s.publicKey, votingPower: 10 }));
  const sets = genesisSets(ValidatorSet.genesis(vals));
  const mempool = new Mempool(net.app);
  const alice = net.chain.accounts.alice as Signer;
  const bob = net.chain.accounts.bob as Signer;
  const txs = [0, 1, 2].map(() => net.tx(alice, 'transfer', { to: bob.address, amountUc: 5 }));
  for (const tx of txs) expect(mempool.add(tx).code).toBe(0);
  const g = net.chain.genesis;
  const tip: ChainTip = { chainId: CHAIN, genesisTimeMs: g.genesisTimeMs, height: 0, blockId: ZERO_HASH, timeMs: g.genesisTimeMs };
  return { net, vals, sets, mempool, txs, tip };
}

function inputs(s: ReturnType<typeof setup>, over: Partial<ProposalInputs> = {}): ProposalInputs {
  return {
    height: s.tip.height + 1,
    proposer: fromHex((s.vals[0] as TestValidator).address),
    tip: s.tip,
    lastCommit: undefined,
    sets: s.sets,
    app: s.net.app,
    mempool: s.mempool,
    maxBlockBytes: 1 << 20,
    evidence: () => [],
    ...over,
  };
}

const noEvidence: EvidenceRules = { publicKeyOf: () => undefined, blockTimeAt: () => undefined, setAt: () => undefined };

describe('assembleProposal', () => {
  it('height 1: mempool transactions, no last commit, the genesis time, and a block the validators accept', () => {
    const s = setup();
    const asked: number[] = [];
    const { block, value, timeMs } = assembleProposal(inputs(s, { evidence: (h) => (asked.push(h), []) }));
    expect(block.txs).toEqual(s.txs);
    expect(block.lastCommit).toEqual(EMPTY_COMMIT);
    expect(timeMs).toBe(s.net.chain.genesis.genesisTimeMs);
    expect(block.header.timeMs).toBe(timeMs);
    expect(block.header.height).toBe(1);
    expect(block.header.lastBlockId).toEqual(ZERO_HASH);
    expect(block.header.appHash).toEqual(s.net.app.info().appHash);
    expect(toHex(block.header.proposer)).toBe((s.vals[0] as TestValidator).address);
    expect(asked).toEqual([1]);
    const decoded = decodeBlock(value);
    expect(blockId(decoded.header)).toEqual(blockId(block.header));
    expect(decoded.txs.map(toHex)).toEqual(s.txs.map(toHex));
    expect(checkBlockLinks(block, s.tip, s.sets, ledgerVerifier, noEvidence)).toEqual({ ok: true });
    expect(s.net.app.processProposal(block)).toEqual({ accept: true });
  });

  it('stays within the node budget and the chain limits on bytes and count', () => {
    const s = setup();
    const twoTxBytes = (s.txs[0]?.length ?? 0) + (s.txs[1]?.length ?? 0);
    // The node's frame budget below the chain's limit.
    expect(assembleProposal(inputs(s, { maxBlockBytes: twoTxBytes })).block.txs).toEqual(s.txs.slice(0, 2));
    expect(assembleProposal(inputs(s, { maxBlockBytes: twoTxBytes - 1 })).block.txs).toEqual(s.txs.slice(0, 1));

    const p = defaultParams();
    // The chain's byte limit below the node's budget.
    const bytesLimited = setup({ ...p, limits: { maxTxBytes: twoTxBytes, maxBlockBytes: twoTxBytes, maxBlockTxs: 100 } });
    expect(assembleProposal(inputs(bytesLimited)).block.txs).toEqual(bytesLimited.txs.slice(0, 2));
    // The chain's count limit.
    const countLimited = setup({ ...p, limits: { ...p.limits, maxBlockTxs: 2 } });
    expect(assembleProposal(inputs(countLimited)).block.txs).toEqual(countLimited.txs.slice(0, 2));
  });

  it('after height 1: every validator of the last set in the last commit, the BFT time, both set hashes, the evidence', () => {
    const s = setup();
    const b1 = s.net.block([]); // the app commits height 1 at genesis + 1,000
    expect(b1.txResults).toEqual([]);
    const t1 = s.net.timeMs;
    const id1 = 'c4'.repeat(32);
    const tip: ChainTip = { ...s.tip, height: 1, blockId: fromHex(id1), timeMs: t1 };
    const val = (i: number): TestValidator => s.vals[i] as TestValidator;
    const precommit = (i: number, at: number): SignedVote => signVoteRaw(CHAIN, val(i), { type: 'precommit', height: 1, round: 0, blockId: id1, timestampMs: t1 + at });
    // Validator 2 is absent. Weighted median (power 10 each): half of 30 is 15; the earliest time
    // (0 ms) covers 10 of it, the next (17 ms) the rest.
    const commit: Commit = { height: 1, round: 0, blockId: id1, precommits: [precommit(0, 30), precommit(1, 0), precommit(3, 17)] };
    // Block 1 raised validator 0's power: the set of height 3 differs from that of height 2.
    const sets = advanceSets(s.sets, [{ pubKey: val(0).publicKey, power: 7 }]);
    expect(toHex(headerSetHash(sets.next))).not.toBe(toHex(headerSetHash(sets.current)));
    // Validator 3 prevoted nil and the block at height 1.
    const nil = signVoteRaw(CHAIN, val(3), { type: 'prevote', height: 1, round: 0, blockId: null, timestampMs: t1 + 5 });
    const yes = signVoteRaw(CHAIN, val(3), { type: 'prevote', height: 1, round: 0, blockId: id1, timestampMs: t1 + 6 });
    const item: EvidenceItem = { type: 'duplicate_vote', validator: fromHex(val(3).address), height: 1, timeMs: t1, voteA: encodeVote(nil), voteB: encodeVote(yes) };

    const { block, timeMs } = assembleProposal(inputs(s, { height: 2, tip, lastCommit: commit, sets, evidence: (h) => (h === 2 ? [item] : []) }));
    expect(timeMs).toBe(t1 + 17);
    expect(block.header.timeMs).toBe(t1 + 17);
    expect(block.header.lastBlockId).toEqual(fromHex(id1));
    expect(block.header.validatorsHash).toEqual(headerSetHash(sets.current));
    expect(block.header.nextValidatorsHash).toEqual(headerSetHash(sets.next));
    expect(block.evidence).toEqual([item]);
    const lastSet = sets.last as ValidatorSet;
    expect(block.lastCommit.signatures.map((x) => toHex(x.validator))).toEqual(lastSet.validators.map((v) => v.address));
    expect(block.lastCommit.signatures.map((x) => x.signature === null)).toEqual(lastSet.validators.map((v) => v.address === val(2).address));

    const rules: EvidenceRules = {
      publicKeyOf: (a) => s.vals.find((v) => v.address === toHex(a))?.publicKey,
      blockTimeAt: (h) => (h === 1 ? t1 : undefined),
      setAt: (h) => (h === 1 ? lastSet : undefined),
    };
    expect(checkBlockLinks(block, tip, sets, ledgerVerifier, rules)).toEqual({ ok: true });
    expect(s.net.app.processProposal(block)).toEqual({ accept: true });
  });
});
