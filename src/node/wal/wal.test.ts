import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Wal, openWal } from './wal.ts';
import { type FileIo, nodeFileIo } from './fileIo.ts';
import { crashingFileIo } from './crashingFileIo.ts';
import { FRAME_HEADER_BYTES } from './walFrame.ts';
import { thrownCode } from '../../errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-wal-'));
let n = 0;
const freshDir = (): string => path.join(root, `w${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rec = (i: number, size = 10 + (i % 7) * 5): Uint8Array => Uint8Array.from({ length: size }, (_, j) => (i * 31 + j) & 0xff);
const view = (records: Array<{ height: number; data: Uint8Array }>): Array<[number, number[]]> => records.map((r) => [r.height, [...r.data]]);
const segmentFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('wal-')).sort();

describe('WAL', () => {
  it('replays what was appended, across heights and reopen', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 1, keepHeights: 10 });
    wal.append(rec(0), { sync: false });
    wal.append(rec(1), { sync: true });
    wal.endHeight(1);
    wal.append(rec(2), { sync: true });
    wal.append(new Uint8Array(0), { sync: false });
    expect(wal.height()).toBe(2);
    expect(view(wal.replay(1))).toEqual(view([{ height: 1, data: rec(0) }, { height: 1, data: rec(1) }, { height: 2, data: rec(2) }, { height: 2, data: new Uint8Array(0) }]));
    expect(view(wal.replay(2))).toEqual(view([{ height: 2, data: rec(2) }, { height: 2, data: new Uint8Array(0) }]));
    wal.close();
    const again = openWal({ dir, startHeight: 99, keepHeights: 10 });
    expect(again.droppedBytesAtOpen).toBe(0);
    expect(again.height()).toBe(2);
    expect(again.replay(1)).toHaveLength(4);
    expect(again.replay(3)).toEqual([]);
    again.close();
  });

  it('keeps only the last keepHeights segments', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 1, keepHeights: 2 });
    for (let h = 1; h <= 4; h++) {
      wal.append(rec(h), { sync: false });
      wal.endHeight(h);
    }
    expect(segmentFiles(dir)).toEqual(['wal-0000000000000004.log', 'wal-0000000000000005.log']);
    expect(view(wal.replay(1))).toEqual(view([{ height: 4, data: rec(4) }]));
    wal.close();
  });

  it('prunes on open what a crash before pruning left behind', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 1, keepHeights: 10 });
    for (let h = 1; h <= 4; h++) wal.endHeight(h);
    wal.close();
    expect(segmentFiles(dir)).toHaveLength(5);
    openWal({ dir, startHeight: 1, keepHeights: 2 }).close();
    expect(segmentFiles(dir)).toEqual(['wal-0000000000000004.log', 'wal-0000000000000005.log']);
  });

  it('jumps ahead after block sync and refuses to go back', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 1 });
    wal.endHeight(10);
    expect(wal.height()).toBe(11);
    expect(thrownCode(() => wal.endHeight(5))).toBe('WAL_HEIGHT_REGRESSION');
    expect(thrownCode(() => wal.endHeight(0))).toBe('WAL_BAD_HEIGHT');
    wal.close();
    expect(thrownCode(() => wal.append(rec(1), { sync: false }))).toBe('WAL_CLOSED');
  });

  it('fdatasyncs a synced append before returning, and only then', () => {
    const calls: string[] = [];
    const spy: FileIo = { ...nodeFileIo, write: (fd, d) => (calls.push('write'), nodeFileIo.write(fd, d)), fdatasync: (fd) => (calls.push('fdatasync'), nodeFileIo.fdatasync(fd)) };
    const wal = openWal({ dir: freshDir(), startHeight: 1, io: spy });
    calls.length = 0;
    wal.append(rec(1), { sync: false });
    expect(calls).toEqual(['write']);
    wal.append(rec(2), { sync: true });
    expect(calls).toEqual(['write', 'write', 'fdatasync']);
    calls.length = 0;
    wal.endHeight(1); // the marker is synced before the next segment exists
    expect(calls).toEqual(['write', 'fdatasync']);
    wal.close();
  });

  it('opens a sealed last segment by starting the next height', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 3 });
    wal.append(rec(1), { sync: true });
    wal.endHeight(3);
    wal.close();
    rmSync(path.join(dir, 'wal-0000000000000004.log')); // as if the crash came before the new segment
    const again = openWal({ dir, startHeight: 1 });
    expect(again.height()).toBe(4);
    expect(view(again.replay(3))).toEqual(view([{ height: 3, data: rec(1) }]));
    again.close();
  });

  it('drops a torn tail cut at every byte offset, and appends after it', () => {
    const base = freshDir();
    const wal = openWal({ dir: base, startHeight: 1 });
    const records = [rec(0, 3), rec(1, 0), rec(2, 20), rec(3, 9)];
    const ends: number[] = [];
    let size = 0;
    for (const r of records) {
      wal.append(r, { sync: false });
      size += FRAME_HEADER_BYTES + 1 + r.length;
      ends.push(size);
    }
    wal.close();
    const file = 'wal-0000000000000001.log';
    expect(readFileSync(path.join(base, file)).length).toBe(size);
    for (let cut = 0; cut <= size; cut++) {
      for (const tail of ['cut', 'zeros', 'garbage'] as const) {
        const dir = freshDir();
        cpSync(base, dir, { recursive: true });
        const f = path.join(dir, file);
        truncateSync(f, cut);
        // Power loss can leave the lost part as zeros or stale bytes rather than a short file.
        if (tail !== 'cut' && cut < size) writeFileSync(f, Uint8Array.from({ length: size - cut }, (_, i) => (tail === 'zeros' ? 0 : (i * 97 + cut) & 0xff)), { flag: 'a' });
        const whole = ends.filter((e) => e <= cut).length;
        const w = openWal({ dir, startHeight: 1 });
        expect(w.droppedBytesAtOpen).toBe((tail === 'cut' ? cut : size) - (ends[whole - 1] ?? 0));
        expect(view(w.replay(1))).toEqual(view(records.slice(0, whole).map((data) => ({ height: 1, data }))));
        w.append(rec(9), { sync: true });
        expect(view(w.replay(1)).at(-1)).toEqual([1, [...rec(9)]]);
        expect(w.replay(1)).toHaveLength(whole + 1);
        w.close();
        rmSync(dir, { recursive: true });
      }
    }
  });

  it('refuses a damaged frame inside an ended segment', () => {
    const dir = freshDir();
    const wal = openWal({ dir, startHeight: 1, keepHeights: 5 });
    wal.append(rec(1), { sync: false });
    wal.append(rec(2), { sync: false });
    wal.endHeight(1);
    wal.close();
    const f = path.join(dir, 'wal-0000000000000001.log');
    const bytes = readFileSync(f);
    bytes.writeUInt8(bytes.readUInt8(FRAME_HEADER_BYTES + 3) ^ 0x40, FRAME_HEADER_BYTES + 3);
    writeFileSync(f, bytes);
    const again = openWal({ dir, startHeight: 1, keepHeights: 5 });
    expect(thrownCode(() => again.replay(1))).toBe('WAL_CORRUPT');
    expect(again.replay(2)).toEqual([]);
    again.close();
  });

  it('refuses records too large for a frame', () => {
    const wal = openWal({ dir: freshDir(), startHeight: 1 });
    expect(thrownCode(() => wal.append(new Uint8Array(64 * 1024 * 1024), { sync: false }))).toBe('WAL_RECORD_TOO_LARGE');
    wal.close();
  });

  describe('crash injected before every file operation', () => {
    // A consensus-like run: own messages synced, peers' not, heights ended as blocks commit.
    type Step = { kind: 'append'; data: Uint8Array; sync: boolean } | { kind: 'end'; height: number };
    const steps: Step[] = [];
    let h = 1;
    for (let i = 0; i < 12; i++) {
      steps.push({ kind: 'append', data: rec(i, 5 + i * 3), sync: i % 3 === 0 });
      if (i % 4 === 3) steps.push({ kind: 'end', height: h++ });
    }

    /** Runs the steps until the io crashes; returns the records whose append returned, and the one cut short. */
    function run(wal: () => Wal): { acked: Array<[number, number[]]>; inflight: [number, number[]] | undefined } {
      const acked: Array<[number, number[]]> = [];
      let w: Wal;
      try {
        w = wal();
      } catch {
        return { acked, inflight: undefined };
      }
      for (const s of steps) {
        const at = w.height();
        try {
          if (s.kind === 'append') w.append(s.data, { sync: s.sync });
          else w.endHeight(s.height);
        } catch {
          return { acked, inflight: s.kind === 'append' ? [at, [...s.data]] : undefined };
        }
        if (s.kind === 'append') acked.push([at, [...s.data]]);
      }
      try {
        w.close();
      } catch {
        // a crash in the final fdatasync: every record was already acknowledged
      }
      return { acked, inflight: undefined };
    }

    const counter = crashingFileIo(nodeFileIo);
    const full = run(() => openWal({ dir: freshDir(), startHeight: 1, keepHeights: 100, io: counter.io }));
    const totalOps = counter.ops();
    const opNames = counter.opNames();

    it('has crash points to try', () => {
      expect(totalOps).toBeGreaterThan(steps.length);
      expect(full.acked).toHaveLength(12);
    });

    it('replays exactly the records whose append completed (plus a whole in-flight one)', () => {
      let crashes = 0;
      const partials = [0, 1, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 2, 1000];
      for (let op = 0; op < totalOps; op++) {
        // Only a write can be torn: other operations crash one way.
        for (const partialWriteBytes of opNames[op] === 'write' ? partials : [0]) {
          const dir = freshDir();
          const crashing = crashingFileIo(nodeFileIo, { crashAtOp: op, partialWriteBytes });
          const { acked, inflight } = run(() => openWal({ dir, startHeight: 1, keepHeights: 100, io: crashing.io }));
          expect(crashing.crashed()).toBe(true);
          crashes++;
          const w = openWal({ dir, startHeight: 1, keepHeights: 100 });
          const got = view(w.replay(1));
          const withInflight = inflight === undefined ? acked : [...acked, inflight];
          expect([acked, withInflight]).toContainEqual(got);
          // The repaired WAL takes new records and heights.
          w.append(rec(99), { sync: true });
          w.endHeight(w.height());
          expect(view(w.replay(1)).at(-1)?.[1]).toEqual([...rec(99)]);
          w.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const writes = opNames.filter((o) => o === 'write').length;
      expect(writes).toBeGreaterThan(12);
      expect(crashes).toBe(totalOps + writes * (partials.length - 1));
    });
  });

  it('refuses further writes after a failed one, until reopened', () => {
    const dir = freshDir();
    openWal({ dir, startHeight: 1 }).close();
    const counting = crashingFileIo(nodeFileIo);
    const probe = openWal({ dir, startHeight: 1, io: counting.io });
    const opsToOpen = counting.ops();
    probe.close();
    const crashing = crashingFileIo(nodeFileIo, { crashAtOp: opsToOpen, partialWriteBytes: 3 });
    const w = openWal({ dir, startHeight: 1, io: crashing.io });
    expect(thrownCode(() => w.append(rec(1), { sync: false }))).toBe('WAL_WRITE_FAILED');
    expect(thrownCode(() => w.append(rec(2), { sync: false }))).toBe('WAL_FAILED');
    expect(thrownCode(() => w.endHeight(1))).toBe('WAL_FAILED');
    const again = openWal({ dir, startHeight: 1 });
    expect(again.droppedBytesAtOpen).toBe(3);
    expect(again.replay(1)).toEqual([]);
    again.close();
  });
});
