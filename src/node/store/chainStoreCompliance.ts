/**
 * The ChainStore contract as one test suite, run against every implementation (js-libp2p's
 * pattern for transports): `describeChainStoreCompliance('lmdb', makeStore)`. Each test opens
 * fresh stores through `makeStore` and closes them afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BlockCommit, ChainGenesis, ChainStore, StateChange } from './chainStore.ts';
import { stateDigest } from './stateDigest.ts';
import { thrownCode } from '../../errors.ts';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

const genesis = (changes: StateChange[] = [], initialHeight = 1): ChainGenesis => ({
  chainId: 'test-chain',
  genesisHash: b(0xaa, 0xbb),
  initialHeight,
  stateChanges: changes,
});

const block = (height: number, changes: StateChange[] = [], extra: Partial<BlockCommit> = {}): BlockCommit => ({
  height,
  blockId: b(0xb1, height & 0xff, height >> 8),
  blockBytes: text(`block ${height}`),
  stateChanges: changes,
  ...extra,
});

const allState = (s: ChainStore, prefix = b()): Array<[number[], number[]]> => [...s.iterateState(prefix)].map(([k, v]) => [[...k], [...v]]);

export function describeChainStoreCompliance(name: string, makeStore: () => ChainStore): void {
  describe(`ChainStore compliance: ${name}`, () => {
    const opened: ChainStore[] = [];
    const fresh = (): ChainStore => {
      const s = makeStore();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('starts empty', () => {
      const s = fresh();
      expect(s.latestHeight()).toBe(0);
      expect(s.chainMeta()).toBeUndefined();
      expect(s.getBlock(1)).toBeUndefined();
      expect(s.getState(b(1))).toBeUndefined();
      expect(allState(s)).toEqual([]);
    });

    it('refuses a block before initChain', () => {
      const s = fresh();
      expect(thrownCode(() => s.commitBlock(block(1)))).toBe('STORE_NOT_INITIALISED');
      expect(s.latestHeight()).toBe(0);
    });

    it('initChain writes metadata and genesis state once, and refuses another chain', () => {
      const s = fresh();
      s.initChain(genesis([[b(1), b(10)], [b(2), b(20)]]));
      expect(s.chainMeta()).toEqual({ chainId: 'test-chain', genesisHash: b(0xaa, 0xbb), initialHeight: 1 });
      expect(s.latestHeight()).toBe(0);
      expect(allState(s)).toEqual([[[1], [10]], [[2], [20]]]);
      s.initChain(genesis([[b(3), b(30)]])); // same metadata: no-op, genesis state not re-applied
      expect(allState(s)).toEqual([[[1], [10]], [[2], [20]]]);
      expect(thrownCode(() => s.initChain({ ...genesis(), chainId: 'other' }))).toBe('STORE_CHAIN_MISMATCH');
      expect(thrownCode(() => s.initChain({ ...genesis(), genesisHash: b(1) }))).toBe('STORE_CHAIN_MISMATCH');
      expect(thrownCode(() => s.initChain({ ...genesis(), chainId: '' }))).toBe('STORE_BAD_META');
    });

    it('honours an initial height above 1', () => {
      const s = fresh();
      s.initChain(genesis([], 5));
      expect(s.latestHeight()).toBe(4);
      expect(thrownCode(() => s.commitBlock(block(1)))).toBe('STORE_HEIGHT_GAP');
      s.commitBlock(block(5));
      expect(s.latestHeight()).toBe(5);
    });

    it('commits blocks with their ids, seen commits, tx index and state', () => {
      const s = fresh();
      s.initChain(genesis([[b(1), b(10)]]));
      s.commitBlock(block(1, [[b(1), b(11)], [b(2), b(21)]], { seenCommit: b(0xc1), txIndex: [{ hash: b(0xf1), height: 1, index: 0 }] }));
      s.commitBlock(block(2, [[b(1), null]], { txIndex: [{ hash: b(0xf2), height: 2, index: 0 }, { hash: b(0xf3), height: 2, index: 7 }] }));
      expect(s.latestHeight()).toBe(2);
      expect(s.getBlock(1)).toEqual(text('block 1'));
      expect(s.getBlock(2)).toEqual(text('block 2'));
      expect(s.getBlock(3)).toBeUndefined();
      expect(s.getBlockIdAt(2)).toEqual(b(0xb1, 2, 0));
      expect(s.getSeenCommit(1)).toEqual(b(0xc1));
      expect(s.getSeenCommit(2)).toBeUndefined();
      expect(s.getTxLocation(b(0xf1))).toEqual({ height: 1, index: 0 });
      expect(s.getTxLocation(b(0xf3))).toEqual({ height: 2, index: 7 });
      expect(s.getTxLocation(b(0xf4))).toBeUndefined();
      expect(s.getState(b(1))).toBeUndefined();
      expect(s.getState(b(2))).toEqual(b(21));
    });

    it('returns undefined for heights that cannot exist', () => {
      const s = fresh();
      s.initChain(genesis());
      s.commitBlock(block(1));
      for (const h of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
        expect(s.getBlock(h)).toBeUndefined();
        expect(s.getBlockIdAt(h)).toBeUndefined();
      }
      expect(s.getState(b())).toBeUndefined();
      expect(s.getTxLocation(b())).toBeUndefined();
    });

    it('refuses gaps, repeats and bad input, writing nothing of a refused block', () => {
      const s = fresh();
      s.initChain(genesis([[b(1), b(10)]]));
      s.commitBlock(block(1));
      const before = stateDigest(s);
      expect(thrownCode(() => s.commitBlock(block(1)))).toBe('STORE_HEIGHT_GAP');
      expect(thrownCode(() => s.commitBlock(block(3)))).toBe('STORE_HEIGHT_GAP');
      // A bad key after good changes: the whole block must be refused.
      expect(thrownCode(() => s.commitBlock(block(2, [[b(1), b(99)], [b(), b(1)]])))).toBe('STORE_BAD_KEY');
      expect(thrownCode(() => s.commitBlock(block(2, [[b(1), b(99)], [new Uint8Array(2000), b(1)]])))).toBe('STORE_BAD_KEY');
      expect(thrownCode(() => s.commitBlock(block(2, [[b(1), b(99)]], { txIndex: [{ hash: b(9), height: 3, index: 0 }] })))).toBe('STORE_BAD_BLOCK');
      expect(thrownCode(() => s.commitBlock(block(2, [], { blockId: b() })))).toBe('STORE_BAD_BLOCK');
      expect(s.latestHeight()).toBe(1);
      expect(s.getBlock(2)).toBeUndefined();
      expect(s.getTxLocation(b(9))).toBeUndefined();
      expect(stateDigest(s)).toEqual(before);
      s.commitBlock(block(2, [[b(1), b(12)]]));
      expect(s.getState(b(1))).toEqual(b(12));
    });

    it('applies changes in order: the last write to a key wins, deletes of absent keys are harmless', () => {
      const s = fresh();
      s.initChain(genesis());
      s.commitBlock(block(1, [[b(5), b(1)], [b(5), null], [b(6), null], [b(7), b(1)], [b(7), b()], [b(8), null], [b(8), b(3)]]));
      expect(allState(s)).toEqual([[[7], []], [[8], [3]]]);
      expect(s.getState(b(5))).toBeUndefined();
      expect(s.getState(b(7))).toEqual(b());
    });

    it('iterates by key bytes and by prefix', () => {
      const s = fresh();
      s.initChain(genesis());
      const keys = [b(0xff), b(1, 2), b(1), b(0), b(1, 0), b(2), b(1, 0xff, 0), b(0xff, 0xff)];
      s.commitBlock(block(1, keys.map((k, i) => [k, b(i)] as const)));
      expect(allState(s).map(([k]) => k)).toEqual([[0], [1], [1, 0], [1, 2], [1, 0xff, 0], [2], [0xff], [0xff, 0xff]]);
      expect(allState(s, b(1)).map(([k]) => k)).toEqual([[1], [1, 0], [1, 2], [1, 0xff, 0]]);
      expect(allState(s, b(1, 0xff)).map(([k]) => k)).toEqual([[1, 0xff, 0]]);
      expect(allState(s, b(0xff)).map(([k]) => k)).toEqual([[0xff], [0xff, 0xff]]);
      expect(allState(s, b(3))).toEqual([]);
      expect(allState(s, b(1, 0xff, 0, 0))).toEqual([]);
    });

    it('iterates one snapshot even when a block commits mid-iteration', () => {
      const s = fresh();
      s.initChain(genesis([[b(1), b(1)], [b(2), b(2)], [b(3), b(3)]]));
      const it1 = s.iterateState(b());
      const first = it1.next();
      expect(first.done).toBe(false);
      s.commitBlock(block(1, [[b(2), null], [b(3), b(33)], [b(4), b(4)]]));
      const rest = [...it1].map(([k, v]) => [[...k], [...v]]);
      expect(rest).toEqual([[[2], [2]], [[3], [3]]]);
      expect(allState(s)).toEqual([[[1], [1]], [[3], [33]], [[4], [4]]]);
    });

    it('does not alias caller buffers', () => {
      const s = fresh();
      s.initChain(genesis());
      const key = b(1);
      const value = b(10);
      const bytes = text('block 1');
      s.commitBlock({ ...block(1, [[key, value]]), blockBytes: bytes });
      key[0] = 9;
      value[0] = 99;
      bytes[0] = 0;
      const got = s.getState(b(1));
      expect(got).toEqual(b(10));
      (got as Uint8Array)[0] = 77;
      expect(s.getState(b(1))).toEqual(b(10));
      expect(s.getBlock(1)).toEqual(text('block 1'));
    });

    it('matches a sorted-map model under random blocks (property)', () => {
      const keyPool = [b(1), b(1, 0), b(1, 1), b(1, 1, 1), b(2), b(2, 0xff), b(0xff), b(0x80, 0)];
      const change = fc.tuple(fc.integer({ min: 0, max: keyPool.length - 1 }), fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }));
      fc.assert(
        fc.property(fc.array(fc.array(change, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), (blocks) => {
          const s = fresh();
          s.initChain(genesis());
          const model = new Map<number, Uint8Array>();
          blocks.forEach((changes, i) => {
            s.commitBlock(block(i + 1, changes.map(([k, v]) => [keyPool[k] as Uint8Array, v] as const)));
            for (const [k, v] of changes) {
              if (v === null) model.delete(k);
              else model.set(k, v);
            }
          });
          const expected = [...model.entries()]
            .map(([k, v]) => [keyPool[k] as Uint8Array, v] as const)
            .sort((x, y) => compareBytes(x[0], y[0]))
            .map(([k, v]) => [[...k], [...v]]);
          expect(allState(s)).toEqual(expected);
          expect(allState(s, b(1))).toEqual(expected.filter(([k]) => k?.[0] === 1));
          keyPool.forEach((k, i) => expect(s.getState(k)).toEqual(model.get(i)));
          expect(s.latestHeight()).toBe(blocks.length);
        }),
        { numRuns: 40 },
      );
    });

    it('refuses use after close', async () => {
      const s = makeStore();
      s.initChain(genesis());
      await s.close();
      expect(thrownCode(() => s.latestHeight())).toBe('STORE_CLOSED');
      expect(thrownCode(() => s.getState(b(1)))).toBe('STORE_CLOSED');
      expect(thrownCode(() => s.commitBlock(block(1)))).toBe('STORE_CLOSED');
    });
  });
}
