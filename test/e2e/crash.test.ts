/**
 * Store crash test (issue 4): a child process commits blocks to the LMDB chain store and is
 * killed with SIGKILL at 20 seeded random moments, restarting each time. After every kill the
 * store must hold every block the child acknowledged, each block equal to the deterministic
 * replay, and a state equal to the replay's at the store's height; at the end, the state and chain
 * equal those of a run without crashes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLmdbChainStore } from '../../src/node/store/lmdbChainStore.ts';
import { createMemoryChainStore } from '../../src/node/store/memoryChainStore.ts';
import { stateDigest } from '../../src/node/store/stateDigest.ts';
import { type ChainStore, type TxIndexEntry, bytesEqual } from '../../src/node/store/chainStore.ts';
import { toyChain } from './fixtures/toyChain.ts';
import { runFixture, seededRandom } from './fixtures/childProcess.ts';

const KILLS = 20;
const SEED = 0x5eed_0004;
const root = mkdtempSync(path.join(tmpdir(), 'gl-crash-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The crash-free replay, extended on demand, with the state digest after every height. */
function reference(): { upTo(height: number): void; store: ChainStore; digests: Uint8Array[]; txs: Array<readonly TxIndexEntry[]> } {
  const store = createMemoryChainStore();
  store.initChain(toyChain.genesis);
  const digests = [stateDigest(store)];
  const txs: Array<readonly TxIndexEntry[]> = [[]];
  return {
    store,
    digests,
    txs,
    upTo(height) {
      for (let h = store.latestHeight() + 1; h <= height; h++) {
        const block = toyChain.nextBlock(h, store.getBlockIdAt(h - 1), (k) => store.getState(k));
        store.commitBlock(block);
        digests.push(stateDigest(store));
        txs.push(block.txIndex ?? []);
      }
    },
  };
}

/** Compares every block, id, seen commit and tx location with the replay, and the state at the top. */
function expectSameChain(actual: ChainStore, ref: ReturnType<typeof reference>): void {
  const top = actual.latestHeight();
  ref.upTo(top);
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && bytesEqual(a, b);
  const mismatches: string[] = [];
  for (let h = 1; h <= top; h++) {
    if (!same(actual.getBlock(h), ref.store.getBlock(h))) mismatches.push(`block ${h}`);
    if (!same(actual.getBlockIdAt(h), ref.store.getBlockIdAt(h))) mismatches.push(`block id ${h}`);
    if (!same(actual.getSeenCommit(h), ref.store.getSeenCommit(h))) mismatches.push(`seen commit ${h}`);
    for (const tx of ref.txs[h] ?? []) {
      const loc = actual.getTxLocation(tx.hash);
      if (loc?.height !== h || loc.index !== tx.index) mismatches.push(`tx ${h}/${tx.index}`);
    }
  }
  expect(mismatches).toEqual([]);
  expect(actual.getBlock(top + 1)).toBeUndefined();
  expect(stateDigest(actual), `state at height ${top}`).toEqual(ref.digests[top]);
}

describe('LMDB chain store under SIGKILL', () => {
  it(`keeps every acknowledged block and the replayed state through ${KILLS} kills`, async () => {
    const random = seededRandom(SEED);
    const dbPath = path.join(root, 'killed');
    const ref = reference();
    let height = 0;
    const stats: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const t0 = performance.now();
      const child = runFixture('crashStoreWriter.ts', [dbPath, '1000000']);
      await child.waitForLine((l) => l.startsWith('ready'));
      const delayMs = Math.floor(random() * 150);
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill();
      const { signal } = await child.exited;
      expect(signal, child.stderr()).toBe('SIGKILL');
      const acked = Math.max(height, ...child.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.slice(10))));

      const store = openLmdbChainStore({ path: dbPath });
      const latest = store.latestHeight();
      expect(latest, 'no acknowledged block is lost').toBeGreaterThanOrEqual(acked);
      expect(latest, 'at most the block being committed is extra').toBeLessThanOrEqual(acked + 1);
      expect(latest).toBeGreaterThanOrEqual(height);
      expectSameChain(store, ref);
      await store.close();
      stats.push(`${delayMs}ms->h${latest}${latest > acked ? '+' : ''}(${Math.round(performance.now() - t0)}ms)`);
      height = latest;
    }

    const finalHeight = height + 25;
    const finish = runFixture('crashStoreWriter.ts', [dbPath, String(finalHeight)]);
    expect((await finish.exited).code, finish.stderr()).toBe(0);
    const clean = runFixture('crashStoreWriter.ts', [path.join(root, 'uninterrupted'), String(finalHeight)]);
    expect((await clean.exited).code, clean.stderr()).toBe(0);

    const crashed = openLmdbChainStore({ path: dbPath });
    const uninterrupted = openLmdbChainStore({ path: path.join(root, 'uninterrupted') });
    expect(crashed.latestHeight()).toBe(finalHeight);
    expect(uninterrupted.latestHeight()).toBe(finalHeight);
    expectSameChain(crashed, ref);
    expect(stateDigest(crashed)).toEqual(stateDigest(uninterrupted));
    const idsDiffer = Array.from({ length: finalHeight }, (_, i) => i + 1).filter((h) => !bytesEqual(crashed.getBlockIdAt(h) ?? new Uint8Array(0), uninterrupted.getBlockIdAt(h) ?? new Uint8Array(1)));
    expect(idsDiffer).toEqual([]);
    await crashed.close();
    await uninterrupted.close();
    console.log(`store crash test: ${KILLS} kills (delay->height after restart, + = committed but not yet acknowledged, cycle time): ${stats.join(' ')}; final height ${finalHeight}`);
  });
});
