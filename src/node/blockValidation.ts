/**
 * What a node checks of a block before it votes for it or applies it from block sync, beyond
 * what the ledger's processProposal checks (chain, height, app hash, body hashes, limits, every
 * transaction's signature): that it links to this node's last block, names the validator sets
 * of its height and the next, carries a valid commit of the previous block with the BFT time
 * that commit gives, and only valid evidence. Pure functions of their arguments.
 */
import type { Commit, Hex, SignatureVerifier, SignedVote, ValidatorSet } from '../consensus/index.ts';
import { commitTimeMs, verifyCommit, voteSignBytes } from '../consensus/index.ts';
import type { Verdict } from '../consensus/index.ts';
import { bytesEqual, fromHex, toHex, validatorSetHash } from '../ledger/index.ts';
import type { Block, EvidenceItem, LastCommit } from '../ledger/index.ts';
import { decodeVote } from './messages.ts';

/** The last committed block, as the next one must follow it. */
export interface ChainTip {
  readonly chainId: string;
  readonly genesisTimeMs: number;
  /** Last committed height (0 before the first block). */
  readonly height: number;
  /** Its block id (32 zero bytes at height 0). */
  readonly blockId: Uint8Array;
  readonly timeMs: number;
}

/** Validator sets around the next height S + 1. */
export interface HeightSets {
  /** Set of height S (signed the last commit); undefined at S = 0. */
  readonly last: ValidatorSet | undefined;
  /** Set of height S + 1. */
  readonly current: ValidatorSet;
  /** Set of height S + 2. */
  readonly next: ValidatorSet;
}

const fail = (reason: string): Verdict => ({ ok: false, reason });
const OK: Verdict = { ok: true };

/** The header's validator-set hash (the ledger's encoding, in the set's order). */
export function headerSetHash(set: ValidatorSet): Uint8Array {
  return validatorSetHash(set.validators.map((v) => ({ pubKey: v.publicKey, power: v.votingPower })));
}

/** A commit as a block's last commit: every validator of `set`, in set order, null where absent. */
export function toLastCommit(commit: Commit, set: ValidatorSet): LastCommit {
  const byValidator = new Map(commit.precommits.map((v) => [v.validator, v]));
  return {
    height: commit.height,
    round: commit.round,
    blockId: fromHex(commit.blockId),
    signatures: set.validators.map((v) => {
      const vote = byValidator.get(v.address);
      return { validator: fromHex(v.address), timeMs: vote?.timestampMs ?? 0, signature: vote?.signature ?? null };
    }),
  };
}

/** A block's last commit as consensus verifies it: its present precommits. */
export function fromLastCommit(lc: LastCommit): Commit {
  const blockId = toHex(lc.blockId);
  const precommits: SignedVote[] = [];
  for (const s of lc.signatures) {
    if (s.signature === null) continue;
    precommits.push({ type: 'precommit', height: lc.height, round: lc.round, blockId, timestampMs: s.timeMs, validator: toHex(s.validator), signature: s.signature });
  }
  return { height: lc.height, round: lc.round, blockId, precommits };
}

/** Time of block S + 1: genesis time for the first block, else the BFT time of S's commit. */
export function nextBlockTimeMs(tip: ChainTip, lastCommit: Commit | undefined, lastSet: ValidatorSet | undefined): number {
  if (tip.height === 0 || lastCommit === undefined || lastSet === undefined) return tip.genesisTimeMs;
  return commitTimeMs(lastCommit, lastSet);
}

/** Everything about a block at S + 1 that does not need the ledger's state. */
export function checkBlockLinks(block: Block, tip: ChainTip, sets: HeightSets, verifier: SignatureVerifier, evidence: EvidenceRules): Verdict {
  const h = block.header;
  if (h.chainId !== tip.chainId) return fail(`block is for chain ${h.chainId}`);
  if (h.height !== tip.height + 1) return fail(`block height ${h.height}, expected ${tip.height + 1}`);
  if (!bytesEqual(h.lastBlockId, tip.blockId)) return fail('block does not link to the last committed block');
  if (!bytesEqual(h.validatorsHash, headerSetHash(sets.current))) return fail('validatorsHash is not the set of this height');
  if (!bytesEqual(h.nextValidatorsHash, headerSetHash(sets.next))) return fail('nextValidatorsHash is not the set of the next height');
  if (sets.current.getByAddress(toHex(h.proposer)) === undefined) return fail('proposer is not a validator of this height');
  const lc = block.lastCommit;
  if (tip.height === 0) {
    if (lc.height !== 0 || lc.round !== 0 || lc.signatures.length !== 0 || !bytesEqual(lc.blockId, new Uint8Array(32))) return fail('the first block carries a last commit');
    if (h.timeMs !== tip.genesisTimeMs) return fail('the first block must carry the genesis time');
  } else {
    const last = sets.last;
    if (last === undefined) return fail('no validator set for the last height');
    if (lc.height !== tip.height || !bytesEqual(lc.blockId, tip.blockId)) return fail('last commit is not for the last block');
    if (lc.signatures.length !== last.size) return fail('last commit does not list every validator of its set');
    for (let i = 0; i < lc.signatures.length; i++) {
      if (toHex((lc.signatures[i] as LastCommit['signatures'][number]).validator) !== (last.validators[i] as { address: Hex }).address) {
        return fail('last commit is not in validator-set order');
      }
    }
    const commit = fromLastCommit(lc);
    const verdict = verifyCommit(tip.chainId, last, commit, verifier);
    if (!verdict.ok) return fail(`last commit: ${verdict.reason}`);
    if (h.timeMs !== commitTimeMs(commit, last)) return fail('block time is not the BFT time of the last commit');
  }
  const keys = new Set<string>();
  for (const item of block.evidence) {
    const v = checkEvidence(item, h.height, evidence, verifier, tip.chainId);
    if (!v.ok) return fail(`evidence: ${v.reason}`);
    const key = evidenceKey(item);
    if (keys.has(key)) return fail('the same evidence twice');
    keys.add(key);
  }
  return OK;
}

/** A block from block sync: its commit must be > 2/3 of its height's set, for this very block. */
export function checkSyncedCommit(chainId: string, blockIdHex: Hex, height: number, commit: Commit, set: ValidatorSet, verifier: SignatureVerifier): Verdict {
  if (commit.height !== height) return fail(`commit is for height ${commit.height}, block is ${height}`);
  if (commit.blockId !== blockIdHex) return fail('commit is for another block');
  const v = verifyCommit(chainId, set, commit, verifier);
  return v.ok ? OK : fail(`commit: ${v.reason}`);
}

/** What checking evidence needs from the node: the ledger's keys, stored block times, recent sets. */
export interface EvidenceRules {
  /** Public key of a validator the ledger knows (its record outlives its membership). */
  publicKeyOf(address: Uint8Array): Uint8Array | undefined;
  /** Time of the committed block at `height`. */
  blockTimeAt(height: number): number | undefined;
  /** The validator set of `height`, if the node still holds it. */
  setAt(height: number): ValidatorSet | undefined;
}

export function evidenceKey(item: EvidenceItem): string {
  const a = decodeVote(item.voteA);
  return `${toHex(item.validator)}/${a.height}/${a.round}/${a.type}`;
}

/**
 * Duplicate-vote evidence (CometBFT spec/consensus/evidence.md): two votes of one validator at
 * one height, round and type for different block ids (nil first), both signed by its key, from a
 * height already committed, carrying that block's time.
 */
export function checkEvidence(item: EvidenceItem, includedAtHeight: number, rules: EvidenceRules, verifier: SignatureVerifier, chainId: string): Verdict {
  let a: SignedVote;
  let b: SignedVote;
  try {
    a = decodeVote(item.voteA);
    b = decodeVote(item.voteB);
  } catch {
    return fail('votes do not decode');
  }
  const validator = toHex(item.validator);
  if (a.validator !== validator || b.validator !== validator) return fail('votes are not of the named validator');
  if (a.height !== item.height || b.height !== item.height || a.round !== b.round || a.type !== b.type) return fail('votes differ in height, round or type');
  if ((a.blockId ?? '') >= (b.blockId ?? '')) return fail('votes are for the same block or out of order');
  if (item.height >= includedAtHeight) return fail('evidence from a height not yet committed');
  if (rules.blockTimeAt(item.height) !== item.timeMs) return fail('time is not the block time at the evidence height');
  const set = rules.setAt(item.height);
  if (set !== undefined && set.getByAddress(validator) === undefined) return fail('not a validator at the evidence height');
  const key = rules.publicKeyOf(item.validator);
  if (key === undefined) return fail('unknown validator');
  for (const v of [a, b]) if (!verifier.verify(key, voteSignBytes(chainId, v), v.signature)) return fail('bad vote signature');
  return OK;
}
