/**
 * Node crash test on the real ledger (the store crash test, crash.test.ts, runs a toy chain): a
 * child process runs a one-validator node (LMDB, file WAL, double-sign guard file) that makes
 * blocks of alice-to-bob transfers, and is killed with SIGKILL at 20 seeded random moments,
 * restarting each time. After every kill: every acknowledged block is there (at most the one in
 * flight extra), blocks seen after earlier kills are unchanged. At the end the chain, the state
 * root after every block and the stored state equal those of a run that was never killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/node/store/chainStore.ts';
import type { ChainStore } from '../../src/node/store/chainStore.ts';
import { openLmdbChainStore } from '../../src/node/store/lmdbChainStore.ts';
import { stateDigest } from '../../src/node/store/stateDigest.ts';
import { decodeCommitRecord } from '../../src/node/messages.ts';
import { runFixture, seededRandom } from './fixtures/childProcess.ts';

const KILLS = 20;
const SEED = 0x5eed_0005;
const root = mkdtempSync(path.join(tmpdir(), 'gl-crash-node-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hex = (b: Uint8Array | undefined): string => (b === undefined ? 'missing' : Buffer.from(b).toString('hex'));
const stateRootAt = (store: ChainStore, h: number): string => {
  const r = store.getSeenCommit(h);
  return r === undefined ? 'missing' : hex(decodeCommitRecord(r).appHash);
};

describe('a real node under SIGKILL', () => {
  it(`keeps every acknowledged block and ends on the chain of an uninterrupted run through ${KILLS} kills`, async () => {
    const random = seededRandom(SEED);
    const killedDir = path.join(root, 'killed');
    const seen = new Map<number, string>();
    let height = 0;
    const stats: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = runFixture('crashNodeWriter.ts', [killedDir, '1000000']);
      await child.waitForLine((l) => l.startsWith('ready'));
      const delayMs = Math.floor(random() * 150);
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill();
      const { signal } = await child.exited;
      expect(signal, child.stderr()).toBe('SIGKILL');
      // "ready H" acknowledges H too: a restart may finish the height the last run was killed in.
      const acked = Math.max(height, ...child.lines.map((l) => /^(?:ready|committed) (\d+)$/.exec(l)?.[1]).filter((x) => x !== undefined).map(Number));

      const store = openLmdbChainStore({ path: path.join(killedDir, 'data') });
      const latest = store.latestHeight();
      expect(latest, 'no acknowledged block is lost').toBeGreaterThanOrEqual(acked);
      expect(latest, 'at most the block being committed is extra').toBeLessThanOrEqual(acked + 1);
      for (let h = 1; h <= latest; h++) {
        const id = hex(store.getBlockIdAt(h));
        expect(seen.get(h) ?? id, `block ${h} changed after a restart`).toBe(id);
        seen.set(h, id);
      }
      await store.close();
      stats.push(`${delayMs}ms->h${latest}`);
      height = latest;
    }

    const finalHeight = height + 10;
    const finish = runFixture('crashNodeWriter.ts', [killedDir, String(finalHeight)]);
    expect((await finish.exited).code, finish.stderr()).toBe(0);
    const clean = runFixture('crashNodeWriter.ts', [path.join(root, 'uninterrupted'), String(finalHeight)]);
    expect((await clean.exited).code, clean.stderr()).toBe(0);

    const killed = openLmdbChainStore({ path: path.join(killedDir, 'data') });
    const uninterrupted = openLmdbChainStore({ path: path.join(root, 'uninterrupted', 'data') });
    expect(killed.latestHeight()).toBe(finalHeight);
    expect(uninterrupted.latestHeight()).toBe(finalHeight);
    const mismatches: string[] = [];
    for (let h = 1; h <= finalHeight; h++) {
      if (!bytesEqual(killed.getBlock(h) ?? new Uint8Array(0), uninterrupted.getBlock(h) ?? new Uint8Array(1))) mismatches.push(`block ${h}`);
      if (stateRootAt(killed, h) !== stateRootAt(uninterrupted, h)) mismatches.push(`state root after ${h}`);
    }
    expect(mismatches).toEqual([]);
    expect(hex(stateDigest(killed))).toBe(hex(stateDigest(uninterrupted)));
    await killed.close();
    await uninterrupted.close();
    console.log(`node crash test: ${KILLS} kills (delay->height after restart): ${stats.join(' ')}; final height ${finalHeight}`);
  }, 180_000);
});
