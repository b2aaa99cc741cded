import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Commit, SignedProposal, SignedVote } from '../consensus/index.ts';
import { ValidatorSet } from '../consensus/index.ts';
import { isGridLedgerError } from '../errors.ts';
import {
  decodeCommit,
  decodeCommitRecord,
  decodeEvidence,
  decodeProposal,
  decodeStatus,
  decodeSyncRequest,
  decodeSyncResponse,
  decodeTxBatch,
  decodeVote,
  decodeWalEntry,
  encodeCommit,
  encodeCommitRecord,
  encodeEvidence,
  encodeProposal,
  encodeStatus,
  encodeSyncRequest,
  encodeSyncResponse,
  encodeTxBatch,
  encodeVote,
  encodeWalEntry,
} from './messages.ts';
import type { WalEntry } from './messages.ts';

const hex = (n: number, byteHex: string): string => byteHex.repeat(n);
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

const vote: SignedVote = { type: 'precommit', height: 7, round: 2, blockId: hex(32, 'ab'), timestampMs: 1_767_225_600_123, validator: hex(20, '0c'), signature: bytes(64, 9) };
const nilVote: SignedVote = { ...vote, type: 'prevote', blockId: null };
const proposal: SignedProposal = { height: 7, round: 1, polRound: -1, blockId: hex(32, 'cd'), timestampMs: 5, proposer: hex(20, '0e'), signature: bytes(64, 3), value: bytes(1000, 7) };
const commit: Commit = { height: 7, round: 2, blockId: hex(32, 'ab'), precommits: [vote, { ...vote, validator: hex(20, '0d'), signature: bytes(64, 4) }] };

describe('wire messages', () => {
  it('round-trip', () => {
    expect(decodeVote(encodeVote(vote))).toEqual(vote);
    expect(decodeVote(encodeVote(nilVote))).toEqual(nilVote);
    expect(decodeProposal(encodeProposal(proposal))).toEqual(proposal);
    expect(decodeProposal(encodeProposal({ ...proposal, polRound: 0 })).polRound).toBe(0);
    expect(decodeCommit(encodeCommit(commit))).toEqual(commit);
    expect(decodeTxBatch(encodeTxBatch([bytes(3, 1), bytes(200, 2)]))).toEqual([bytes(3, 1), bytes(200, 2)]);
    expect(decodeStatus(encodeStatus({ height: 12, working: true }))).toEqual({ height: 12, working: true });
    expect(decodeSyncRequest(encodeSyncRequest({ fromHeight: 3, toHeight: 9 }))).toEqual({ fromHeight: 3, toHeight: 9 });
    expect(decodeSyncResponse(encodeSyncResponse([{ block: bytes(50, 5), commit }]))).toEqual([{ block: bytes(50, 5), commit }]);
    const ev = { type: 'duplicate_vote' as const, validator: bytes(20, 12), height: 7, timeMs: 99, voteA: Uint8Array.from(encodeVote(nilVote)), voteB: Uint8Array.from(encodeVote(vote)) };
    expect(decodeEvidence(encodeEvidence(ev))).toEqual(ev);
  });

  it('WAL entries round-trip', () => {
    const entries: WalEntry[] = [
      { nowMs: 10, own: true, kind: 'proposal', proposal },
      { nowMs: 11, own: false, kind: 'vote', vote: nilVote },
      { nowMs: 12, own: false, kind: 'timeout', timeout: { kind: 'prevote', height: 7, round: 3 } },
      { nowMs: 13, own: false, kind: 'value-ready', height: 7, round: 3, value: bytes(10, 1), blockTimeMs: 8 },
    ];
    for (const e of entries) expect(decodeWalEntry(encodeWalEntry(e))).toEqual(e);
  });

  it('the commit record keeps proposer priorities exactly, int64 range included', () => {
    const set = ValidatorSet.fromValidators([
      { address: hex(20, '01'), publicKey: bytes(32, 1), votingPower: 10, proposerPriority: -(2n ** 62n) },
      { address: hex(20, '02'), publicKey: bytes(32, 2), votingPower: 5, proposerPriority: 2n ** 62n + 7n },
    ]);
    const r = decodeCommitRecord(
      encodeCommitRecord({ commit, appHash: bytes(32, 1), results: [{ code: 0, log: 'ok' }, { code: 209, log: 'nonce' }], validators: set.validators, nextBeforeIncrement: set.validators, afterNextBeforeIncrement: set.validators }),
    );
    expect(r.commit).toEqual(commit);
    expect(r.results).toEqual([{ code: 0, log: 'ok' }, { code: 209, log: 'nonce' }]);
    expect(r.validators.map((v) => v.proposerPriority)).toEqual(set.validators.map((v) => v.proposerPriority));
    expect(r.afterNextBeforeIncrement.map((v) => v.votingPower)).toEqual([10, 5]);
  });

  it('refuses wrong shapes with NODE_MSG_UNDECODABLE', () => {
    const bad = [
      dagCbor.encode({ ...dagCbor.decode(encodeVote(vote)) as object, t: 3 }),
      dagCbor.encode({ ...dagCbor.decode(encodeVote(vote)) as object, h: 0 }),
      dagCbor.encode({ ...dagCbor.decode(encodeVote(vote)) as object, s: bytes(63, 1) }),
      dagCbor.encode({ ...dagCbor.decode(encodeVote(vote)) as object, extra: 1 }),
      dagCbor.encode({ ...dagCbor.decode(encodeVote(vote)) as object, h: 2 ** 60 }),
      new Uint8Array([0xff, 0x00]),
    ];
    for (const b of bad) expect(() => decodeVote(b)).toThrow(expect.objectContaining({ code: 'NODE_MSG_UNDECODABLE' }));
    expect(() => decodeSyncRequest(encodeSyncRequest({ fromHeight: 9, toHeight: 3 }))).toThrow(expect.objectContaining({ code: 'NODE_MSG_UNDECODABLE' }));
    expect(() => decodeProposal(encodeVote(vote))).toThrow(expect.objectContaining({ code: 'NODE_MSG_UNDECODABLE' }));
  });

  it('decoders throw only NODE_MSG_UNDECODABLE on random and mutated bytes', () => {
    const decoders = [decodeVote, decodeProposal, decodeCommit, decodeTxBatch, decodeStatus, decodeSyncRequest, decodeSyncResponse, decodeEvidence, decodeWalEntry, decodeCommitRecord];
    const seeds = [encodeVote(vote), encodeProposal(proposal), encodeCommit(commit), encodeStatus({ height: 1, working: false })];
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, i, b]) => {
        const m = s.slice();
        m[i % m.length] = b;
        return m;
      }),
    );
    fc.assert(
      fc.property(input, (data) => {
        for (const decode of decoders) {
          try {
            decode(data);
          } catch (e) {
            if (!isGridLedgerError(e) || e.code !== 'NODE_MSG_UNDECODABLE') return false;
          }
        }
        return true;
      }),
      { numRuns: 2_000 },
    );
  });
});
