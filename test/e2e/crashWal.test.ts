/**
 * WAL and double-sign guard crash test (issue 5): a child process plays a validator's consensus
 * IO (sign state saved before each own message, own messages appended with fsync, peers' large
 * proposals without) and is killed with SIGKILL at 20 seeded random moments. After each kill:
 * the WAL replays exactly the records written, in order, all acknowledged ones included and at
 * most one more; the sign-state file is whole, at or after the last acknowledged one, and never
 * behind an own message present in the WAL.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWal } from '../../src/node/wal/wal.ts';
import { loadSignState } from '../../src/node/wal/signState.ts';
import { bytesEqual } from '../../src/node/store/chainStore.ts';
import { EVENTS_PER_HEIGHT, KEEP_HEIGHTS, eventAt, recordsOfHeight } from './fixtures/consensusLog.ts';
import { runFixture, seededRandom } from './fixtures/childProcess.ts';

const KILLS = 20;
const SEED = 0x5eed_0005;
const root = mkdtempSync(path.join(tmpdir(), 'gl-crash-wal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ownEventIndex = (height: number, step: string): number => (height - 1) * EVENTS_PER_HEIGHT + (step === 'prevote' ? 1 : 3);

/** Events the child acknowledged (count, from its stdout), and the last sign state it acknowledged. */
function acknowledged(lines: string[]): { events: number; sign: number } {
  let events = 0;
  let sign = -1;
  for (const line of lines) {
    const [kind, h, p] = line.split(' ');
    if (kind === 'wal') events = (Number(h) - 1) * EVENTS_PER_HEIGHT + Number(p) + 1;
    if (kind === 'end') events = Number(h) * EVENTS_PER_HEIGHT;
    if (kind === 'sign') sign = ownEventIndex(Number(h), p ?? '');
  }
  return { events, sign };
}

/** Opens the WAL and sign state as a restarting node would, checks them, returns progress. */
function verify(dir: string): { events: number; sign: number; droppedBytes: number } {
  const wal = openWal({ dir: path.join(dir, 'wal'), startHeight: 1, keepHeights: KEEP_HEIGHTS });
  const height = wal.height();
  const got = wal.replay(1);
  const inHeight = got.filter((r) => r.height === height).length;
  const expected: Array<{ height: number; data: Uint8Array }> = [];
  for (let h = Math.max(1, height - KEEP_HEIGHTS + 1); h <= height; h++) {
    const all = recordsOfHeight(h);
    for (const data of h < height ? all : all.slice(0, inHeight)) expected.push({ height: h, data });
  }
  expect(got.map((r) => r.height)).toEqual(expected.map((r) => r.height));
  const wrong = got.filter((r, i) => !bytesEqual(r.data, (expected[i] as { data: Uint8Array }).data)).length;
  expect(wrong, 'records whose bytes differ from what was appended').toBe(0);
  const droppedBytes = wal.droppedBytesAtOpen;
  wal.close();

  const events = (height - 1) * EVENTS_PER_HEIGHT + inHeight;
  const state = loadSignState(path.join(dir, 'sign_state.json')); // throws if the file were torn
  let sign = -1;
  if (state !== undefined) {
    sign = ownEventIndex(state.height, state.step);
    const e = eventAt(sign);
    expect(e.kind === 'own' && bytesEqual(e.sign.signBytes, state.signBytes) && bytesEqual(e.sign.signature, state.signature) && e.sign.timestampMs === state.timestampMs).toBe(true);
  }
  // The guard is saved before the message is logged: it is never behind an own record in the WAL.
  for (let i = events - 1; i >= Math.max(0, events - EVENTS_PER_HEIGHT); i--) {
    if (eventAt(i).kind === 'own') {
      expect(sign, `sign state behind own WAL record ${i}`).toBeGreaterThanOrEqual(i);
      break;
    }
  }
  return { events, sign, droppedBytes };
}

describe('consensus WAL and sign state under SIGKILL', () => {
  it(`replay exactly what was written through ${KILLS} kills`, async () => {
    const random = seededRandom(SEED);
    const dir = path.join(root, 'node');
    let progress = { events: 0, sign: -1 };
    let torn = 0;
    let tmpLeft = 0;
    const stats: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = runFixture('crashConsensusWriter.ts', [dir, '1000000']);
      await child.waitForLine((l) => l.startsWith('ready'));
      const delayMs = Math.floor(random() * 120);
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill();
      const { signal } = await child.exited;
      expect(signal, child.stderr()).toBe('SIGKILL');
      const acked = acknowledged(child.lines);
      if (existsSync(path.join(dir, 'sign_state.json.tmp'))) tmpLeft++;

      const now = verify(dir);
      expect(now.events, 'no acknowledged WAL write lost').toBeGreaterThanOrEqual(Math.max(acked.events, progress.events));
      expect(now.events, 'at most the write in flight is extra').toBeLessThanOrEqual(Math.max(acked.events, progress.events) + 1);
      expect(now.sign, 'no acknowledged sign state lost').toBeGreaterThanOrEqual(Math.max(acked.sign, progress.sign));
      const nextOwn = [1, 2, 3, 4, 5, 6].map((d) => Math.max(acked.events, progress.events) - 1 + d).find((i) => eventAt(i).kind === 'own') ?? -1;
      expect(now.sign, 'at most the sign state in flight is extra').toBeLessThanOrEqual(Math.max(acked.sign, progress.sign, nextOwn));
      if (now.droppedBytes > 0) torn++;
      stats.push(`${delayMs}ms->e${now.events}${now.droppedBytes > 0 ? `(torn ${now.droppedBytes}B)` : ''}`);
      progress = { events: now.events, sign: now.sign };
    }

    const until = Math.floor(progress.events / EVENTS_PER_HEIGHT) + 3;
    const finish = runFixture('crashConsensusWriter.ts', [dir, String(until)]);
    expect((await finish.exited).code, finish.stderr()).toBe(0);
    const end = verify(dir);
    expect(end.events).toBe(until * EVENTS_PER_HEIGHT);
    expect(end.sign).toBe(ownEventIndex(until, 'precommit'));
    console.log(`WAL crash test: ${KILLS} kills, ${torn} torn WAL tails repaired, ${tmpLeft} sign-state temp files left; delay->events: ${stats.join(' ')}`);
  });
});
