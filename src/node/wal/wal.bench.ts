/**
 * Costs a consensus step pays for durability: a 200-byte WAL append with and without fdatasync,
 * and one atomic sign-state save (temp file, fsync, rename, directory fsync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from '../../../bench/harness.ts';
import { timeMedian } from '../../../bench/harness.ts';
import { openWal } from './wal.ts';
import { saveSignState } from './signState.ts';

const figure = (name: string, t: ReturnType<typeof timeMedian>, context: Record<string, unknown>): Figure => ({
  name,
  value: t.medianMs,
  unit: 'ms',
  runs: t.runs,
  min_ms: t.minMs,
  max_ms: t.maxMs,
  ...context,
});

export const benchmarks: Benchmark[] = [
  {
    names: ['wal.append.sync', 'wal.append.nosync', 'signstate.save'],
    run() {
      const dir = mkdtempSync(path.join(tmpdir(), 'gl-bench-wal-'));
      try {
        const wal = openWal({ dir: path.join(dir, 'wal'), startHeight: 1 });
        const record = new Uint8Array(200).fill(7);
        const synced = timeMedian(() => wal.append(record, { sync: true }), { minRuns: 200, minMs: 1000 });
        const unsynced = timeMedian(() => wal.append(record, { sync: false }), { minRuns: 2000, minMs: 500 });
        wal.close();
        let height = 0;
        const file = path.join(dir, 'sign_state.json');
        const save = timeMedian(
          () => saveSignState(file, { height: ++height, round: 0, step: 'prevote', signBytes: new Uint8Array(120).fill(1), signature: new Uint8Array(64).fill(2), timestampMs: height }),
          { minRuns: 200, minMs: 1000 },
        );
        return [
          figure('wal.append.sync', synced, { record_bytes: 200 }),
          figure('wal.append.nosync', unsynced, { record_bytes: 200 }),
          figure('signstate.save', save, {}),
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
