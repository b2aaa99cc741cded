import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { blockId, checkBlockBody, checkBlockLink, decodeBlock, EMPTY_COMMIT, encodeBlock, makeBlock, misbehaviourOf, txsRoot, validatorSetHash, votesOf, ZERO_HASH } from './block.ts';
import type { Block } from './block.ts';
import { toHex } from './bytes.ts';
import { encodeCanonical } from './encoding.ts';
import { sha256 } from './hash.ts';
import { merkleRoot } from './merkle.ts';
import { devSigner } from './testkit.ts';

const proposer = devSigner('p').address;

function sample(txs: Uint8Array[] = [new Uint8Array([1, 2]), new Uint8Array([3])]): Block {
  return makeBlock(
    { chainId: 'dev-1', height: 5, timeMs: 1_000, lastBlockId: new Uint8Array(32).fill(4), appHash: new Uint8Array(32).fill(5), proposer, validatorsHash: ZERO_HASH, nextValidatorsHash: ZERO_HASH },
    txs,
    [{ type: 'duplicate_vote', validator: proposer, height: 3, timeMs: 900, voteA: new Uint8Array([1]), voteB: new Uint8Array([2]) }],
    { height: 4, round: 0, blockId: new Uint8Array(32).fill(4), signatures: [{ validator: proposer, timeMs: 990, signature: new Uint8Array(64) }, { validator: devSigner('q').address, timeMs: 0, signature: null }] },
  );
}


describe('blocks', () => {
  it('encode and decode round trip; the id is SHA-256 of the encoded header', () => {
    const b = sample();
    const back = decodeBlock(encodeBlock(b));
    expect(back).toEqual(b);
    expect(toHex(blockId(back.header))).toBe(toHex(sha256(encodeCanonical(b.header))));
  });

  it('txsRoot is the RFC 6962 root over the transactions\' hashes', () => {
    const txs = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
    expect(toHex(txsRoot(txs))).toBe(toHex(merkleRoot(txs.map((t) => sha256(t)))));
    expect(toHex(txsRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('the header binds the body: any change to txs, evidence or last commit is caught', () => {
    const b = sample();
    expect(() => checkBlockBody(b)).not.toThrow();
    expect(thrownCode(() => checkBlockBody({ ...b, txs: [...b.txs].reverse() }))).toBe('BLOCK_TXS_ROOT_MISMATCH');
    expect(thrownCode(() => checkBlockBody({ ...b, evidence: [] }))).toBe('BLOCK_EVIDENCE_HASH_MISMATCH');
    expect(thrownCode(() => checkBlockBody({ ...b, lastCommit: EMPTY_COMMIT }))).toBe('BLOCK_COMMIT_HASH_MISMATCH');
  });

  it('checks the link to the parent: chain, height, parent id, time', () => {
    const b = sample();
    const parent = { chainId: 'dev-1', height: 4, blockId: new Uint8Array(32).fill(4), timeMs: 999 };
    expect(() => checkBlockLink(b, parent)).not.toThrow();
    expect(thrownCode(() => checkBlockLink(b, { ...parent, chainId: 'x' }))).toBe('BLOCK_WRONG_CHAIN');
    expect(thrownCode(() => checkBlockLink(b, { ...parent, height: 5 }))).toBe('BLOCK_HEIGHT_MISMATCH');
    expect(thrownCode(() => checkBlockLink(b, { ...parent, blockId: ZERO_HASH }))).toBe('BLOCK_LAST_ID_MISMATCH');
    expect(thrownCode(() => checkBlockLink(b, { ...parent, timeMs: 1_000 }))).toBe('BLOCK_TIME_NOT_INCREASING');
  });

  it('turns evidence and the last commit into what the state machine punishes', () => {
    const b = sample();
    expect(misbehaviourOf(b.evidence)).toEqual([{ type: 'duplicate_vote', validator: proposer, height: 3, timeMs: 900 }]);
    expect(votesOf(b.lastCommit).map((v) => v.signed)).toEqual([true, false]);
  });

  it('validator set hash depends on order, keys and powers', () => {
    const a = { pubKey: devSigner('a').publicKey, power: 10 };
    const c = { pubKey: devSigner('c').publicKey, power: 5 };
    const h = toHex(validatorSetHash([a, c]));
    expect(toHex(validatorSetHash([c, a]))).not.toBe(h);
    expect(toHex(validatorSetHash([{ ...a, power: 11 }, c]))).not.toBe(h);
  });

  it('decoding garbage or a block with a bad field gives BLOCK_MALFORMED or an encoding error, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const c = thrownCode(() => decodeBlock(bytes));
        expect(c === undefined || ['BLOCK_MALFORMED', 'ENCODING_INVALID', 'ENCODING_NOT_CANONICAL'].includes(c)).toBe(true);
      }),
    );
    const b = sample();
    expect(thrownCode(() => decodeBlock(encodeCanonical({ ...b, header: { ...b.header, height: 0 } })))).toBe('BLOCK_MALFORMED');
  });
});
