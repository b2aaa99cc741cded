import { describe, expect, it } from 'vitest';
import { createFrameDecoder, FRAME_HEADER_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import { createSendQueue } from './send-queue.ts';

const frame = (id: number, size = 10): Frame => ({ topic: 1, payload: new Uint8Array(size).fill(id) });
const ids = (frames: Frame[]): number[] => frames.map((f) => f.payload[0] ?? -1);

function decode(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  createFrameDecoder(1 << 20, (f) => out.push(f)).push(bytes);
  return out;
}

describe('send queue', () => {
  const size = 10 + FRAME_HEADER_BYTES;

  it('keeps frames in order and counts bytes with headers', () => {
    const q = createSendQueue(10 * size, 'drop-oldest');
    for (let i = 0; i < 4; i++) expect(q.push(frame(i))).toEqual({ queued: true, dropped: 0 });
    expect(q.frames).toBe(4);
    expect(q.bytes).toBe(4 * size);
    expect(ids(q.takeAll())).toEqual([0, 1, 2, 3]);
    expect(q.bytes).toBe(0);
  });

  it('drop-oldest makes room by dropping from the head', () => {
    const q = createSendQueue(3 * size, 'drop-oldest');
    for (let i = 0; i < 3; i++) q.push(frame(i));
    expect(q.push(frame(3))).toEqual({ queued: true, dropped: 1 });
    expect(q.push(frame(4, 2 * 10 + FRAME_HEADER_BYTES))).toEqual({ queued: true, dropped: 2 });
    expect(ids(q.takeAll())).toEqual([3, 4]);
  });

  it('disconnect policy refuses the frame that does not fit and keeps the rest', () => {
    const q = createSendQueue(2 * size, 'disconnect');
    q.push(frame(0));
    q.push(frame(1));
    expect(q.push(frame(2))).toEqual({ queued: false, dropped: 0 });
    expect(ids(q.takeAll())).toEqual([0, 1]);
  });

  it('takes batches up to the byte limit, at least one frame each, as encoded frames', () => {
    const q = createSendQueue(1 << 20, 'drop-oldest');
    for (let i = 0; i < 5; i++) q.push(frame(i));
    q.push(frame(5, 100));
    expect(ids(decode(q.takeBatch(2 * size)))).toEqual([0, 1]);
    expect(ids(decode(q.takeBatch(3 * size + 1)))).toEqual([2, 3, 4]);
    expect(ids(decode(q.takeBatch(1)))).toEqual([5]);
    expect(q.frames).toBe(0);
    expect(q.takeBatch(100).length).toBe(0);
  });

  it('stays correct over many push and take cycles (head compaction)', () => {
    const q = createSendQueue(1 << 20, 'drop-oldest');
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(frame(next++ & 0xff, 1));
      for (const f of decode(q.takeBatch(60 * (1 + FRAME_HEADER_BYTES)))) expect(f.payload[0]).toBe(expected++ & 0xff);
    }
    expect(q.frames).toBe(next - expected);
    expect(q.bytes).toBe((next - expected) * (1 + FRAME_HEADER_BYTES));
  });
});
