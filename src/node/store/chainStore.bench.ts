/**
 * Block commit cost: one block of 2 KiB with 100 state changes (32-byte keys, 64-byte values)
 * and 20 tx index entries, committed to LMDB (fsync'd) beside the in-memory store as a baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from '../../../bench/harness.ts';
import { timeMedian } from '../../../bench/harness.ts';
import type { BlockCommit, ChainStore, StateChange } from './chainStore.ts';
import { createMemoryChainStore } from './memoryChainStore.ts';
import { openLmdbChainStore } from './lmdbChainStore.ts';

const CHANGES = 100;

// Keys and hashes made once, so the timed part is the commit, not building its input.
const pool = Array.from({ length: 5000 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 13 + j * 7 + (i >> 8)) & 0xff));

function blockAt(height: number): BlockCommit {
  const value = new Uint8Array(64).fill(height & 0xff);
  const stateChanges: StateChange[] = Array.from({ length: CHANGES }, (_, i) => [pool[(height * 7 + i) % pool.length] as Uint8Array, value]);
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, height);
  return {
    height,
    blockId: id,
    blockBytes: new Uint8Array(2048).fill(height & 0xff),
    stateChanges,
    txIndex: Array.from({ length: 20 }, (_, index) => ({ hash: pool[(height * 20 + index) % pool.length] as Uint8Array, height, index })),
  };
}

function commitFigure(name: string, store: ChainStore, context: Record<string, unknown>): Figure {
  store.initChain({ chainId: 'bench', genesisHash: new Uint8Array(32), initialHeight: 1, stateChanges: [] });
  let h = 0;
  const t = timeMedian(() => store.commitBlock(blockAt(++h)), { minRuns: 200, minMs: 1000 });
  return { name, value: t.medianMs, unit: 'ms', runs: t.runs, min_ms: t.minMs, max_ms: t.maxMs, state_changes: CHANGES, ...context };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['store.commit.lmdb', 'store.commit.memory'],
    async run() {
      const dir = mkdtempSync(path.join(tmpdir(), 'gl-bench-store-'));
      try {
        const lmdb = openLmdbChainStore({ path: dir });
        const durable = commitFigure('store.commit.lmdb', lmdb, { fsync: true });
        await lmdb.close();
        const memory = createMemoryChainStore();
        const baseline = commitFigure('store.commit.memory', memory, { fsync: false });
        await memory.close();
        return [durable, baseline];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
