/**
 * Blocks: header and body, their canonical encoding, and the hashes that bind the body to the
 * header. The block id is SHA-256 of the encoded header. Commit signatures are consensus's to
 * verify; these helpers check only what the ledger knows.
 *
 *   txsRoot        RFC 6962 root over the transactions' hashes (CometBFT's Txs.Hash)
 *   evidenceHash   RFC 6962 root over the encoded evidence items
 *   lastCommitHash SHA-256 of the encoded last commit
 *   validatorsHash RFC 6962 root over encoded {pubKey, power}, in the set's order
 */
import { z } from 'zod';
import { uint } from './amounts.ts';
import { bytesEqual } from './bytes.ts';
import { reject } from './codes.ts';
import { decodeWith, encodeCanonical } from './encoding.ts';
import { sha256 } from './hash.ts';
import { merkleRoot } from './merkle.ts';
import { addressBytes, anyBytes, hashBytes, signatureBytes } from './schemas.ts';
import type { Misbehaviour, VoteInfo } from './staking.ts';
import { txHash } from './tx/envelope.ts';

const headerSchema = z.strictObject({
  chainId: z.string().min(1).max(64),
  height: z.int().min(1),
  timeMs: uint,
  /** Id of the block at height − 1 (32 zero bytes at the first height). */
  lastBlockId: hashBytes,
  txsRoot: hashBytes,
  evidenceHash: hashBytes,
  /** State root after the previous block (CometBFT's convention). */
  appHash: hashBytes,
  proposer: addressBytes,
  validatorsHash: hashBytes,
  nextValidatorsHash: hashBytes,
  lastCommitHash: hashBytes,
});
export type BlockHeader = z.infer<typeof headerSchema>;

const commitSigSchema = z.strictObject({
  validator: addressBytes,
  timeMs: uint,
  /** null: the validator's precommit for the block is absent. */
  signature: signatureBytes.nullable(),
});

/** Precommits that finalised the previous block: every validator of its set, in set order. */
const lastCommitSchema = z.strictObject({
  height: uint,
  round: uint,
  blockId: hashBytes,
  signatures: z.array(commitSigSchema),
});
export type CommitSig = z.infer<typeof commitSigSchema>;
export type LastCommit = z.infer<typeof lastCommitSchema>;

/** Duplicate-vote evidence; the two votes are consensus's encoded signed votes, opaque here. */
const evidenceSchema = z.strictObject({
  type: z.literal('duplicate_vote'),
  validator: addressBytes,
  height: z.int().min(1),
  timeMs: uint,
  voteA: anyBytes,
  voteB: anyBytes,
});
export type EvidenceItem = z.infer<typeof evidenceSchema>;

const blockSchema = z.strictObject({
  header: headerSchema,
  txs: z.array(anyBytes),
  evidence: z.array(evidenceSchema),
  lastCommit: lastCommitSchema,
});
export type Block = z.infer<typeof blockSchema>;

export const ZERO_HASH: Uint8Array = new Uint8Array(32);

/** The last commit of the first block: there is none. */
export const EMPTY_COMMIT: LastCommit = { height: 0, round: 0, blockId: ZERO_HASH, signatures: [] };

export function encodeHeader(header: BlockHeader): Uint8Array {
  return encodeCanonical(header);
}

export function blockId(header: BlockHeader): Uint8Array {
  return sha256(encodeHeader(header));
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeCanonical(block);
}

/** Decodes a block from outside; throws GridLedgerError only. */
export function decodeBlock(bytes: Uint8Array): Block {
  return decodeWith(blockSchema, bytes, 'BLOCK_MALFORMED', 'block');
}

export function txsRoot(txs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txs.map(txHash));
}

export function evidenceHash(evidence: readonly EvidenceItem[]): Uint8Array {
  return merkleRoot(evidence.map((e) => encodeCanonical(e)));
}

export function lastCommitHash(commit: LastCommit): Uint8Array {
  return sha256(encodeCanonical(commit));
}

export function validatorSetHash(validators: readonly { pubKey: Uint8Array; power: number }[]): Uint8Array {
  return merkleRoot(validators.map((v) => encodeCanonical({ pubKey: v.pubKey, power: v.power })));
}

export interface BlockFields {
  chainId: string;
  height: number;
  timeMs: number;
  lastBlockId: Uint8Array;
  appHash: Uint8Array;
  proposer: Uint8Array;
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
}

/** Assembles a block, computing the body hashes its header must carry. */
export function makeBlock(fields: BlockFields, txs: Uint8Array[], evidence: EvidenceItem[], lastCommit: LastCommit): Block {
  return {
    header: {
      ...fields,
      txsRoot: txsRoot(txs),
      evidenceHash: evidenceHash(evidence),
      lastCommitHash: lastCommitHash(lastCommit),
    },
    txs,
    evidence,
    lastCommit,
  };
}

/** Byte size the protocol limits: the sum of the transactions' sizes. */
export function blockTxBytes(txs: readonly Uint8Array[]): number {
  let n = 0;
  for (const t of txs) n += t.length;
  return n;
}

/** Checks that the body matches the header's hashes. */
export function checkBlockBody(block: Block): void {
  const h = block.header;
  if (!bytesEqual(h.txsRoot, txsRoot(block.txs))) reject('BLOCK_TXS_ROOT_MISMATCH', 'transactions do not match the header\'s txsRoot');
  if (!bytesEqual(h.evidenceHash, evidenceHash(block.evidence))) reject('BLOCK_EVIDENCE_HASH_MISMATCH', 'evidence does not match the header');
  if (!bytesEqual(h.lastCommitHash, lastCommitHash(block.lastCommit))) reject('BLOCK_COMMIT_HASH_MISMATCH', 'last commit does not match the header');
}

/** Checks a block follows its parent: chain, height, parent id, time. */
export function checkBlockLink(block: Block, parent: { chainId: string; height: number; blockId: Uint8Array; timeMs: number }): void {
  const h = block.header;
  if (h.chainId !== parent.chainId) reject('BLOCK_WRONG_CHAIN', `block is for chain ${h.chainId}, not ${parent.chainId}`);
  if (h.height !== parent.height + 1) reject('BLOCK_HEIGHT_MISMATCH', `block height ${h.height} does not follow ${parent.height}`);
  if (!bytesEqual(h.lastBlockId, parent.blockId)) reject('BLOCK_LAST_ID_MISMATCH', 'block does not point at its parent');
  if (h.timeMs <= parent.timeMs && parent.height > 0) reject('BLOCK_TIME_NOT_INCREASING', `block time ${h.timeMs} is not after ${parent.timeMs}`);
}

/** The evidence as the state machine punishes it. */
export function misbehaviourOf(evidence: readonly EvidenceItem[]): Misbehaviour[] {
  return evidence.map((e) => ({ type: e.type, validator: e.validator, height: e.height, timeMs: e.timeMs }));
}

/** Who signed the previous block, for liveness tracking. */
export function votesOf(commit: LastCommit): VoteInfo[] {
  return commit.signatures.map((s) => ({ validator: s.validator, signed: s.signature !== null }));
}
