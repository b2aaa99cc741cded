import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { thrownCode } from '../../errors.ts';
import { crashingFileIo } from './crashingFileIo.ts';
import { loadEvidenceFile, memoryEvidenceStore, openEvidenceFile, saveEvidenceFile } from './evidenceFile.ts';
import { nodeFileIo } from './fileIo.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-evidence-'));
let n = 0;
const freshFile = (): string => {
  const dir = path.join(root, `d${n++}`);
  nodeFileIo.mkdirp(dir);
  return path.join(dir, 'evidence.json');
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

const item = (k: number, len = 40): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (k * 31 + i) & 0xff);
describe('pending evidence file', () => {
  it('holds nothing before the first save, then exactly the last list saved', () => {
    const store = openEvidenceFile(freshFile());
    expect(store.load()).toEqual([]);
    store.save([item(1), item(2, 7)]);
    expect(store.load()).toEqual([item(1), item(2, 7)]);
    store.save([item(2, 7)]);
    expect(store.load()).toEqual([item(2, 7)]);
    store.save([]);
    expect(store.load()).toEqual([]);
  });

  it('refuses a damaged or hand-edited file', () => {
    const file = freshFile();
    saveEvidenceFile(file, [item(1), item(2)]);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { items: string[] };
    // Two items swapped: each is well-formed, the checksum is not.
    writeFileSync(file, JSON.stringify({ ...json, items: [json.items[1], json.items[0]] }));
    expect(thrownCode(() => loadEvidenceFile(file))).toBe('EVIDENCE_FILE_CORRUPT');
    writeFileSync(file, '{"version":1,"items":[');
    expect(thrownCode(() => loadEvidenceFile(file))).toBe('EVIDENCE_FILE_CORRUPT');
    writeFileSync(file, JSON.stringify({ version: 2, items: [], sha256: '00'.repeat(32) }));
    expect(thrownCode(() => loadEvidenceFile(file))).toBe('EVIDENCE_FILE_CORRUPT');
  });

  it('a crash at any point of a save leaves the old list or the new one', () => {
    const before = [item(1), item(2)];
    const after = [item(2), item(3), item(4, 300)];
    const probe = crashingFileIo(nodeFileIo);
    saveEvidenceFile(freshFile(), after, probe.io);
    const points = probe.ops();
    expect(points).toBeGreaterThanOrEqual(5); // open, write, fsync, rename, directory fsync
    const seen = new Set<string>();
    for (let at = 0; at < points; at++) {
      for (const partialWriteBytes of [0, 17]) {
        const file = freshFile();
        saveEvidenceFile(file, before);
        const crashing = crashingFileIo(nodeFileIo, { crashAtOp: at, partialWriteBytes });
        expect(thrownCode(() => saveEvidenceFile(file, after, crashing.io))).toBe('SIMULATED_CRASH');
        const got = loadEvidenceFile(file);
        expect([before, after]).toContainEqual(got);
        seen.add(got.length === before.length ? 'old' : 'new');
      }
    }
    // The rename is the switch: crashes before it keep the old list, after it the new one.
    expect(seen).toEqual(new Set(['old', 'new']));
  });

  it('in memory: copies in and out, so callers cannot change what was saved', () => {
    const store = memoryEvidenceStore();
    const a = item(5);
    store.save([a]);
    a[0] = 99;
    const loaded = store.load();
    expect(loaded).toEqual([item(5)]);
    (loaded[0] as Uint8Array)[1] = 99;
    expect(store.load()).toEqual([item(5)]);
  });
});
