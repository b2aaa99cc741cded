import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SignState, compareSignPosition, loadSignState, openSignStateFile, saveSignState } from './signState.ts';
import { type FileIo, nodeFileIo } from './fileIo.ts';
import { crashingFileIo } from './crashingFileIo.ts';
import { thrownCode } from '../../errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-sign-'));
let n = 0;
const freshFile = (): string => {
  const dir = path.join(root, `d${n++}`);
  nodeFileIo.mkdirp(dir);
  return path.join(dir, 'sign_state.json');
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

const state = (height: number, round = 0, step: SignState['step'] = 'prevote'): SignState => ({
  height,
  round,
  step,
  signBytes: Uint8Array.from([height & 0xff, round, 1, 2, 3]),
  signature: new Uint8Array(64).fill(height & 0xff),
  timestampMs: 1_700_000_000_000 + height * 1000 + round,
});
describe('sign state file', () => {
  it('round-trips and is absent before the first signature', () => {
    const file = freshFile();
    expect(loadSignState(file)).toBeUndefined();
    saveSignState(file, state(7, 2, 'precommit'));
    expect(loadSignState(file)).toEqual(state(7, 2, 'precommit'));
    saveSignState(file, state(8));
    expect(loadSignState(file)).toEqual(state(8));
    expect(readdirSync(path.dirname(file))).toEqual(['sign_state.json']);
  });

  it('fsyncs the temp file, renames, then fsyncs the directory', () => {
    const calls: string[] = [];
    const spy: FileIo = {
      ...nodeFileIo,
      write: (fd, d) => (calls.push('write'), nodeFileIo.write(fd, d)),
      fsync: (fd) => (calls.push('fsync'), nodeFileIo.fsync(fd)),
      rename: (a, b) => (calls.push('rename'), nodeFileIo.rename(a, b)),
      syncDir: (d) => (calls.push('syncDir'), nodeFileIo.syncDir(d)),
    };
    saveSignState(freshFile(), state(1), spy);
    expect(calls).toEqual(['write', 'fsync', 'rename', 'syncDir']);
  });

  it('leaves the old or the new state after a crash at any operation', () => {
    const counter = crashingFileIo(nodeFileIo);
    const probe = freshFile();
    saveSignState(probe, state(1));
    saveSignState(probe, state(2), counter.io);
    const ops = counter.ops();
    const names = counter.opNames();
    expect(names).toEqual(['openTruncate', 'write', 'fsync', 'rename', 'syncDir']);
    for (let op = 0; op < ops; op++) {
      for (const partialWriteBytes of names[op] === 'write' ? [0, 1, 20, 10_000] : [0]) {
        const file = freshFile();
        saveSignState(file, state(1));
        const crashing = crashingFileIo(nodeFileIo, { crashAtOp: op, partialWriteBytes });
        expect(thrownCode(() => saveSignState(file, state(2), crashing.io))).toBe('SIMULATED_CRASH');
        expect([state(1), state(2)]).toContainEqual(loadSignState(file));
        // A restart saves over any leftover temp file.
        saveSignState(file, state(3));
        expect(loadSignState(file)).toEqual(state(3));
      }
    }
  });

  it('refuses a damaged file rather than signing blind', () => {
    const file = freshFile();
    saveSignState(file, state(5));
    const good = JSON.parse(Buffer.from(nodeFileIo.readFile(file) as Uint8Array).toString('utf8')) as Record<string, unknown>;
    const variants: unknown[] = [
      { ...good, signBytes: '0102' },
      { ...good, step: 'commit' },
      { ...good, height: 0 },
      { ...good, round: -1 },
      { ...good, signature: 'XYZ' },
      { ...good, version: 2 },
      { ...good, timestampMs: 1.5 },
    ];
    for (const v of variants) {
      writeFileSync(file, JSON.stringify(v));
      expect(thrownCode(() => loadSignState(file))).toBe('SIGN_STATE_CORRUPT');
    }
    writeFileSync(file, '{"height": 5, "rou');
    expect(thrownCode(() => loadSignState(file))).toBe('SIGN_STATE_CORRUPT');
  });

  it('orders height, round, step', () => {
    expect(compareSignPosition(state(1, 5, 'precommit'), state(2, 0, 'propose'))).toBeLessThan(0);
    expect(compareSignPosition(state(2, 1, 'propose'), state(2, 0, 'precommit'))).toBeGreaterThan(0);
    expect(compareSignPosition(state(2, 0, 'prevote'), state(2, 0, 'precommit'))).toBeLessThan(0);
    expect(compareSignPosition(state(2, 0, 'prevote'), state(2, 0, 'prevote'))).toBe(0);
  });

  it('never records a step behind the last one, across restarts', () => {
    const file = freshFile();
    const guard = openSignStateFile(file);
    expect(guard.last()).toBeUndefined();
    guard.record(state(3, 1, 'prevote'));
    guard.record(state(3, 1, 'prevote')); // same step again: the engine decides if the bytes may be re-signed
    guard.record(state(3, 1, 'precommit'));
    const restarted = openSignStateFile(file);
    expect(restarted.last()).toEqual(state(3, 1, 'precommit'));
    expect(thrownCode(() => restarted.record(state(3, 1, 'prevote')))).toBe('SIGN_STATE_REGRESSION');
    expect(thrownCode(() => restarted.record(state(3, 0, 'precommit')))).toBe('SIGN_STATE_REGRESSION');
    expect(loadSignState(file)).toEqual(state(3, 1, 'precommit'));
    expect(thrownCode(() => restarted.record({ ...state(4), round: -1 }))).toBe('SIGN_STATE_INVALID');
  });
});
