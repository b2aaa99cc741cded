import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidatorSet } from '../consensus/index.ts';
import type { ConsensusEvent } from '../consensus/index.ts';
import { makeValidators, signProposalRaw } from '../consensus/testKit.ts';
import type { TestValidator } from '../consensus/testKit.ts';
import * as ledger from '../ledger/index.ts';
import { blockId, EMPTY_COMMIT, encodeBlock, fromHex, makeBlock, toHex, ZERO_HASH } from '../ledger/index.ts';
import type { Block } from '../ledger/index.ts';
import { BlockValues } from './blockValues.ts';

// The real decoder, counted: BlockValues must decode each bytes object once.
vi.mock('../ledger/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ledger/index.ts')>();
  return { ...real, decodeBlock: vi.fn(real.decodeBlock) };
});
const decodeCalls = (): number => vi.mocked(ledger.decodeBlock).mock.calls.length;

const CHAIN = 'values-1';
const [val] = makeValidators([10], 'values') as [TestValidator];
const set = ValidatorSet.genesis([val]);

function block(height: number, timeMs = 1_000): Block {
  return makeBlock(
    { chainId: CHAIN, height, timeMs, lastBlockId: ZERO_HASH, appHash: new Uint8Array(32), proposer: fromHex(val.address), validatorsHash: set.hash(), nextValidatorsHash: set.hash() },
    [],
    [],
    EMPTY_COMMIT,
  );
}
const idOf = (b: Block): string => toHex(blockId(b.header));
const valueReady = (height: number, value: Uint8Array): ConsensusEvent => ({ type: 'value-ready', height, round: 0, value, blockTimeMs: 1_000 });
function proposal(height: number, value: Uint8Array, id: string): ConsensusEvent {
  return { type: 'proposal', proposal: signProposalRaw(CHAIN, val, { height, round: 0, polRound: -1, blockId: id, timestampMs: 1_000 }, value) };
}
const startHeight = (height: number): ConsensusEvent => ({ type: 'start-height', height, validators: set, prevBlockTimeMs: 1_000 });

beforeEach(() => {
  vi.mocked(ledger.decodeBlock).mockClear();
});

describe('BlockValues', () => {
  it('decodes each block bytes object once, however often the id is asked', () => {
    const values = new BlockValues();
    const b = block(3);
    const bytes = encodeBlock(b);
    const first = values.decode(bytes);
    expect(first?.id).toBe(idOf(b));
    expect(first?.block.header.height).toBe(3);
    for (let i = 0; i < 5; i++) expect(values.decode(bytes)).toBe(first);
    expect(decodeCalls()).toBe(1);
    // Equal bytes in another array are another value: decoded on their own, to the same block.
    const copy = bytes.slice();
    expect(values.decode(copy)?.id).toBe(idOf(b));
    expect(decodeCalls()).toBe(2);
  });

  it('remembers that bytes do not decode, without trying again', () => {
    const values = new BlockValues();
    const junk = Uint8Array.of(0xff, 0x00, 0x13);
    expect(values.decode(junk)).toBeUndefined();
    expect(values.decode(junk)).toBeUndefined();
    expect(decodeCalls()).toBe(1);
  });

  it('a block the node made itself is never decoded', () => {
    const values = new BlockValues();
    const b = block(4);
    const bytes = encodeBlock(b);
    values.remember(bytes, b);
    expect(values.decode(bytes)).toEqual({ block: b, id: idOf(b) });
    expect(decodeCalls()).toBe(0);
  });

  it('keeps the blocks an own value or a matching proposal brings, by id', () => {
    const values = new BlockValues();
    const own = encodeBlock(block(5, 1_000));
    const peer = encodeBlock(block(5, 2_000));
    const lying = encodeBlock(block(5, 3_000));
    const ownId = idOf(block(5, 1_000));
    const peerId = idOf(block(5, 2_000));
    values.noteInput(valueReady(5, own));
    values.noteInput(proposal(5, peer, peerId));
    // A proposal whose block id is not its block's: nothing is kept under either id.
    values.noteInput(proposal(5, lying, 'ab'.repeat(32)));
    expect(values.valueOf(ownId)).toBe(own);
    expect(values.valueOf(peerId)).toBe(peer);
    expect(values.valueOf('ab'.repeat(32))).toBeUndefined();
    expect(values.valueOf(idOf(block(5, 3_000)))).toBeUndefined();
  });

  it('a new height drops the blocks of older heights, and keeps those that came for it early', () => {
    const values = new BlockValues();
    const old = block(5);
    const early = block(6);
    const later = block(7);
    values.noteInput(valueReady(5, encodeBlock(old)));
    values.noteInput(proposal(6, encodeBlock(early), idOf(early)));
    values.noteInput(proposal(7, encodeBlock(later), idOf(later)));
    values.noteInput(startHeight(6));
    expect(values.valueOf(idOf(old))).toBeUndefined();
    expect(values.valueOf(idOf(early))).toBeDefined();
    expect(values.valueOf(idOf(later))).toBeDefined();
  });
});
