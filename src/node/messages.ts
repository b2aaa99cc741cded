/**
 * What nodes send each other, and what a node writes beside its blocks and into its consensus
 * log: dag-cbor maps with short keys, every decoded value checked with zod before use (bytes from
 * a peer or from disk are outside input). A decoder throws only GridLedgerError
 * `NODE_MSG_UNDECODABLE` (not CBOR, or the wrong shape); the caller penalizes the peer.
 *
 * Topics (one frame header byte, see src/net/transport.ts):
 *   1 proposal       a signed proposal carrying the whole block
 *   2 vote           a signed prevote or precommit
 *   3 txs            a batch of signed transactions
 *   4 evidence       duplicate-vote evidence, as the ledger's block body carries it
 *   5 status         {height: last committed, working: busy with height + 1}
 *   6 sync request   blocks [from, to]
 *   7 sync response  blocks with the commits that finalised them
 */
import * as dagCbor from '@ipld/dag-cbor';
import { z } from 'zod';
import type { Commit, Hex, SignedProposal, SignedVote, TimeoutKind, Validator } from '../consensus/index.ts';
import { GridLedgerError } from '../errors.ts';
import type { EvidenceItem } from '../ledger/index.ts';

export const TOPIC = { proposal: 1, vote: 2, txs: 3, evidence: 4, status: 5, syncRequest: 6, syncResponse: 7 } as const;

/**
 * The transport option `bulkTopics` of every node: transaction batches and block sync responses
 * are big, so they leave only when no vote, proposal or other message waits for the peer.
 */
export const BULK_TOPICS: readonly number[] = [TOPIC.txs, TOPIC.syncResponse];

const bytes = z.instanceof(Uint8Array);
const bytesN = (n: number): z.ZodType<Uint8Array> => bytes.refine((b) => b.length === n, `must be ${n} bytes`);
const hash32 = bytesN(32);
const address20 = bytesN(20);
const signature64 = bytesN(64);
const height = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const uint = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const hexOf = (b: Uint8Array): Hex => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const bytesOfHex = (h: Hex): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function encode(value: unknown): Uint8Array {
  return dagCbor.encode(value);
}

function decode<T>(schema: z.ZodType<T>, data: Uint8Array, what: string): T {
  let value: unknown;
  try {
    value = dagCbor.decode(data);
  } catch (e) {
    throw new GridLedgerError('NODE_MSG_UNDECODABLE', `${what}: not dag-cbor (${(e as Error).message})`, { cause: e });
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new GridLedgerError('NODE_MSG_UNDECODABLE', `${what}: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`);
  }
  return r.data;
}

// ---- votes and proposals ----

const voteWire = z.strictObject({ t: z.union([z.literal(1), z.literal(2)]), h: height, r: uint, b: hash32.nullable(), ts: time, v: address20, s: signature64 });
type VoteWire = z.infer<typeof voteWire>;

const toVoteWire = (v: SignedVote): VoteWire => ({
  t: v.type === 'prevote' ? 1 : 2,
  h: v.height,
  r: v.round,
  b: v.blockId === null ? null : bytesOfHex(v.blockId),
  ts: v.timestampMs,
  v: bytesOfHex(v.validator),
  s: v.signature,
});

const fromVoteWire = (w: VoteWire): SignedVote => ({
  type: w.t === 1 ? 'prevote' : 'precommit',
  height: w.h,
  round: w.r,
  blockId: w.b === null ? null : hexOf(w.b),
  timestampMs: w.ts,
  validator: hexOf(w.v),
  signature: w.s,
});

export const encodeVote = (v: SignedVote): Uint8Array => encode(toVoteWire(v));
export const decodeVote = (data: Uint8Array): SignedVote => fromVoteWire(decode(voteWire, data, 'vote'));

const proposalWire = z.strictObject({ h: height, r: uint, p: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER), b: hash32, ts: time, v: address20, s: signature64, block: bytes });

export function encodeProposal(p: SignedProposal): Uint8Array {
  return encode({ h: p.height, r: p.round, p: p.polRound, b: bytesOfHex(p.blockId), ts: p.timestampMs, v: bytesOfHex(p.proposer), s: p.signature, block: p.value });
}

export function decodeProposal(data: Uint8Array): SignedProposal {
  const w = decode(proposalWire, data, 'proposal');
  return { height: w.h, round: w.r, polRound: w.p, blockId: hexOf(w.b), timestampMs: w.ts, proposer: hexOf(w.v), signature: w.s, value: w.block };
}

// ---- commits ----

const commitWire = z.strictObject({ h: height, r: uint, b: hash32, sigs: z.array(z.strictObject({ v: address20, ts: time, s: signature64 })) });
type CommitWire = z.infer<typeof commitWire>;

const toCommitWire = (c: Commit): CommitWire => ({
  h: c.height,
  r: c.round,
  b: bytesOfHex(c.blockId),
  sigs: c.precommits.map((v) => ({ v: bytesOfHex(v.validator), ts: v.timestampMs, s: v.signature })),
});

const fromCommitWire = (w: CommitWire): Commit => {
  const blockId = hexOf(w.b);
  return {
    height: w.h,
    round: w.r,
    blockId,
    precommits: w.sigs.map((s) => ({ type: 'precommit', height: w.h, round: w.r, blockId, timestampMs: s.ts, validator: hexOf(s.v), signature: s.s })),
  };
};

export const encodeCommit = (c: Commit): Uint8Array => encode(toCommitWire(c));
export const decodeCommit = (data: Uint8Array): Commit => fromCommitWire(decode(commitWire, data, 'commit'));

// ---- transactions, evidence, status, block sync ----

const txBatchWire = z.strictObject({ txs: z.array(bytes) });
export const encodeTxBatch = (txs: readonly Uint8Array[]): Uint8Array => encode({ txs });
export const decodeTxBatch = (data: Uint8Array): Uint8Array[] => decode(txBatchWire, data, 'tx batch').txs;

const evidenceWire = z.strictObject({ type: z.literal('duplicate_vote'), validator: address20, height, timeMs: time, voteA: bytes, voteB: bytes });
export const encodeEvidence = (e: EvidenceItem): Uint8Array => encode(e);
export const decodeEvidence = (data: Uint8Array): EvidenceItem => decode(evidenceWire, data, 'evidence');

export interface StatusMessage {
  /** Last committed height. */
  height: number;
  /** Running consensus for height + 1 (a peer idle on an on-demand chain wakes up for it). */
  working: boolean;
}
const statusWire = z.strictObject({ height: uint, working: z.boolean() });
export const encodeStatus = (s: StatusMessage): Uint8Array => encode({ height: s.height, working: s.working });
export const decodeStatus = (data: Uint8Array): StatusMessage => decode(statusWire, data, 'status');

export interface SyncRequest {
  fromHeight: number;
  toHeight: number;
}
const syncRequestWire = z.strictObject({ from: height, to: height }).refine((r) => r.to >= r.from, 'to must not be below from');
export const encodeSyncRequest = (r: SyncRequest): Uint8Array => encode({ from: r.fromHeight, to: r.toHeight });
export function decodeSyncRequest(data: Uint8Array): SyncRequest {
  const w = decode(syncRequestWire, data, 'sync request');
  return { fromHeight: w.from, toHeight: w.to };
}

export interface SyncedBlock {
  /** The block's encoding, as its proposer made it. */
  block: Uint8Array;
  /** Precommits of > 2/3 of the block's validator set for it. */
  commit: Commit;
}
const syncResponseWire = z.strictObject({ blocks: z.array(z.strictObject({ block: bytes, commit: commitWire })) });
export const encodeSyncResponse = (blocks: readonly SyncedBlock[]): Uint8Array =>
  encode({ blocks: blocks.map((b) => ({ block: b.block, commit: toCommitWire(b.commit) })) });
export const decodeSyncResponse = (data: Uint8Array): SyncedBlock[] =>
  decode(syncResponseWire, data, 'sync response').blocks.map((b) => ({ block: b.block, commit: fromCommitWire(b.commit) }));

// ---- the commit record: what a node keeps beside each block ----

/** A validator with its proposer priority (an int64, kept as decimal text). */
const validatorWire = z.strictObject({ k: bytesN(32), p: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), pr: z.string().regex(/^-?\d{1,19}$/) });
type ValidatorWire = z.infer<typeof validatorWire>;
const toValidatorWire = (v: Validator): ValidatorWire => ({ k: v.publicKey, p: v.votingPower, pr: v.proposerPriority.toString() });

export interface StoredValidator {
  publicKey: Uint8Array;
  votingPower: number;
  proposerPriority: bigint;
}

export interface TxOutcome {
  code: number;
  log: string;
}

/**
 * Stored as the block's "seen commit" (the store keeps it opaque): the commit that finalised the
 * block, the state root after it (checked against the restored state on restart), each
 * transaction's result (for `getTx`), and the validator sets a restart needs to continue:
 * the set of this height, and the sets of the next two heights as they were before their
 * proposer-priority increment (the increment is recomputed, so the round-0 proposer comes out
 * exactly as it did).
 */
export interface CommitRecord {
  commit: Commit;
  appHash: Uint8Array;
  results: TxOutcome[];
  validators: StoredValidator[];
  nextBeforeIncrement: StoredValidator[];
  afterNextBeforeIncrement: StoredValidator[];
}

const commitRecordWire = z.strictObject({
  commit: commitWire,
  appHash: hash32,
  results: z.array(z.strictObject({ c: uint, l: z.string() })),
  vals: z.array(validatorWire).min(1),
  next: z.array(validatorWire).min(1),
  next2: z.array(validatorWire).min(1),
});

const fromValidatorWire = (w: ValidatorWire): StoredValidator => ({ publicKey: w.k, votingPower: w.p, proposerPriority: BigInt(w.pr) });

export function encodeCommitRecord(r: {
  commit: Commit;
  appHash: Uint8Array;
  results: readonly TxOutcome[];
  validators: readonly Validator[];
  nextBeforeIncrement: readonly Validator[];
  afterNextBeforeIncrement: readonly Validator[];
}): Uint8Array {
  return encode({
    commit: toCommitWire(r.commit),
    appHash: r.appHash,
    results: r.results.map((x) => ({ c: x.code, l: x.log })),
    vals: r.validators.map(toValidatorWire),
    next: r.nextBeforeIncrement.map(toValidatorWire),
    next2: r.afterNextBeforeIncrement.map(toValidatorWire),
  });
}

export function decodeCommitRecord(data: Uint8Array): CommitRecord {
  const w = decode(commitRecordWire, data, 'commit record');
  return {
    commit: fromCommitWire(w.commit),
    appHash: w.appHash,
    results: w.results.map((x) => ({ code: x.c, log: x.l })),
    validators: w.vals.map(fromValidatorWire),
    nextBeforeIncrement: w.next.map(fromValidatorWire),
    afterNextBeforeIncrement: w.next2.map(fromValidatorWire),
  };
}

// ---- the consensus write-ahead log ----

/** One input the engine acted on (or, `own`, a message this node signed), with the clock reading it saw. */
export type WalEntry =
  | { nowMs: number; own: boolean; kind: 'proposal'; proposal: SignedProposal }
  | { nowMs: number; own: boolean; kind: 'vote'; vote: SignedVote }
  | { nowMs: number; own: false; kind: 'timeout'; timeout: { kind: TimeoutKind; height: number; round: number } }
  | { nowMs: number; own: false; kind: 'value-ready'; height: number; round: number; value: Uint8Array; blockTimeMs: number };

const walWire = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('p'), ms: time, own: z.boolean(), d: bytes }),
  z.strictObject({ k: z.literal('v'), ms: time, own: z.boolean(), d: bytes }),
  z.strictObject({ k: z.literal('t'), ms: time, step: z.enum(['propose', 'prevote', 'precommit']), h: height, r: uint }),
  z.strictObject({ k: z.literal('r'), ms: time, h: height, r: uint, value: bytes, bt: time }),
]);

export function encodeWalEntry(e: WalEntry): Uint8Array {
  switch (e.kind) {
    case 'proposal':
      return encode({ k: 'p', ms: e.nowMs, own: e.own, d: encodeProposal(e.proposal) });
    case 'vote':
      return encode({ k: 'v', ms: e.nowMs, own: e.own, d: encodeVote(e.vote) });
    case 'timeout':
      return encode({ k: 't', ms: e.nowMs, step: e.timeout.kind, h: e.timeout.height, r: e.timeout.round });
    case 'value-ready':
      return encode({ k: 'r', ms: e.nowMs, h: e.height, r: e.round, value: e.value, bt: e.blockTimeMs });
  }
}

export function decodeWalEntry(data: Uint8Array): WalEntry {
  const w = decode(walWire, data, 'WAL record');
  switch (w.k) {
    case 'p':
      return { nowMs: w.ms, own: w.own, kind: 'proposal', proposal: decodeProposal(w.d) };
    case 'v':
      return { nowMs: w.ms, own: w.own, kind: 'vote', vote: decodeVote(w.d) };
    case 't':
      return { nowMs: w.ms, own: false, kind: 'timeout', timeout: { kind: w.step, height: w.h, round: w.r } };
    case 'r':
      return { nowMs: w.ms, own: false, kind: 'value-ready', height: w.h, round: w.r, value: w.value, blockTimeMs: w.bt };
  }
}
