import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrameDecoder, FRAME_HEADER_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import { createSendQueue } from './sendQueue.ts';

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

describe('send queue lanes', () => {
  const URGENT = 2;
  const BULK = 3;
  const size = 10 + FRAME_HEADER_BYTES;
  const urgent = (id: number, bytes = 10): Frame => ({ topic: URGENT, payload: new Uint8Array(bytes).fill(id) });
  const bulk = (id: number, bytes = 10): Frame => ({ topic: BULK, payload: new Uint8Array(bytes).fill(id) });
  const lanes = (limit: number, policy: 'drop-oldest' | 'disconnect' = 'drop-oldest') => createSendQueue(limit, policy, [BULK]);

  it('sends every other frame before any bulk frame, each lane in order', () => {
    const q = lanes(1 << 20);
    q.push(bulk(1));
    q.push(bulk(2));
    q.push(urgent(10));
    q.push(bulk(3));
    q.push({ topic: 5, payload: new Uint8Array(10).fill(11) }); // any topic not listed is not bulk
    expect(q.frames).toBe(5);
    expect(q.bytes).toBe(5 * size);
    const all = q.takeAll();
    expect(ids(all)).toEqual([10, 11, 1, 2, 3]);
    expect(all.map((f) => f.topic)).toEqual([URGENT, 5, BULK, BULK, BULK]);
    expect(q.frames).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('fills a batch with urgent frames first and goes on with bulk ones up to the limit', () => {
    const q = lanes(1 << 20);
    for (let i = 1; i <= 4; i++) q.push(bulk(i));
    q.push(urgent(10));
    q.push(urgent(11));
    expect(ids(decode(q.takeBatch(3 * size)))).toEqual([10, 11, 1]);
    expect(q.frames).toBe(3);
    expect(q.bytes).toBe(3 * size);
    // An urgent frame queued between two batches overtakes the bulk frames still waiting.
    q.push(urgent(12));
    expect(ids(decode(q.takeBatch(2 * size)))).toEqual([12, 2]);
    expect(ids(decode(q.takeBatch(1 << 20)))).toEqual([3, 4]);
    expect(q.frames).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('takes one frame even above the limit, from the urgent lane first', () => {
    const q = lanes(1 << 20);
    q.push(bulk(1, 100));
    q.push(urgent(10, 100));
    expect(ids(decode(q.takeBatch(1)))).toEqual([10]);
    expect(ids(decode(q.takeBatch(1)))).toEqual([1]);
  });

  it('drop-oldest drops the oldest bulk frames first, then the oldest urgent ones', () => {
    const q = lanes(4 * size);
    q.push(urgent(10));
    q.push(bulk(1));
    q.push(urgent(11));
    q.push(bulk(2));
    // Full: a new urgent frame pushes out bulk 1, though urgent 10 is older.
    expect(q.push(urgent(12))).toEqual({ queued: true, dropped: 1 });
    expect(q.bytes).toBe(4 * size);
    // A double-size frame needs two slots: bulk 2, then (no bulk left) urgent 10.
    expect(q.push(urgent(13, 10 + size))).toEqual({ queued: true, dropped: 2 });
    expect(q.frames).toBe(3);
    expect(q.bytes).toBe(4 * size);
    expect(ids(q.takeAll())).toEqual([11, 12, 13]);
  });

  it('drop-oldest makes room for a bulk frame by dropping older bulk frames before urgent ones', () => {
    const q = lanes(3 * size);
    q.push(bulk(1));
    q.push(urgent(10));
    q.push(bulk(2));
    expect(q.push(bulk(3))).toEqual({ queued: true, dropped: 1 });
    expect(ids(q.takeAll())).toEqual([10, 2, 3]);
  });

  it('one byte bound covers both lanes; the disconnect policy refuses either kind that does not fit', () => {
    const q = lanes(3 * size, 'disconnect');
    q.push(bulk(1));
    q.push(bulk(2));
    q.push(urgent(10));
    expect(q.push(urgent(11))).toEqual({ queued: false, dropped: 0 });
    expect(q.push(bulk(3))).toEqual({ queued: false, dropped: 0 });
    expect(q.frames).toBe(3);
    expect(q.bytes).toBe(3 * size);
    expect(ids(decode(q.takeBatch(size)))).toEqual([10]);
    expect(q.push(bulk(3))).toEqual({ queued: true, dropped: 0 });
    expect(ids(q.takeAll())).toEqual([1, 2, 3]);
  });

  it('clear empties both lanes', () => {
    const q = lanes(1 << 20);
    q.push(bulk(1));
    q.push(urgent(10));
    q.clear();
    expect(q.frames).toBe(0);
    expect(q.bytes).toBe(0);
    expect(q.takeAll()).toEqual([]);
    q.push(bulk(2));
    expect(ids(q.takeAll())).toEqual([2]);
  });

  it('keeps the bound, the counters, each lane’s order and urgent-first batches over random use', () => {
    type Op = { kind: 'push'; bulk: boolean; bytes: number } | { kind: 'take'; limit: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), bulk: fc.boolean(), bytes: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('take' as const), limit: fc.integer({ min: 1, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom('drop-oldest' as const, 'disconnect' as const), (ops: Op[], policy) => {
        const bound = 150;
        const q = createSendQueue(bound, policy, [BULK]);
        // Sequence numbers in the first 2 payload bytes; the model holds what should be queued.
        const model = { urgent: [] as number[], bulk: [] as number[] };
        const sizes = new Map<number, number>();
        let seq = 0;
        const seqOf = (f: Frame): number => ((f.payload[0] ?? 0) << 8) | (f.payload[1] ?? 0);
        const check = (taken: Frame[]): void => {
          const kinds = taken.map((f) => f.topic === BULK);
          // Urgent frames first; a bulk frame goes out only once no urgent frame waits.
          expect(kinds).toEqual([...kinds].sort((a, b) => Number(a) - Number(b)));
          if (kinds.includes(true)) expect(model.urgent.length).toBe(kinds.filter((k) => !k).length);
          for (const f of taken) {
            const lane = f.topic === BULK ? model.bulk : model.urgent;
            expect(seqOf(f)).toBe(lane.shift());
          }
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            const id = seq++;
            const payload = new Uint8Array(Math.max(2, o.bytes));
            payload[0] = id >> 8;
            payload[1] = id & 0xff;
            sizes.set(id, payload.length + FRAME_HEADER_BYTES);
            const before = model.urgent.length + model.bulk.length;
            const r = q.push({ topic: o.bulk ? BULK : URGENT, payload });
            if (r.queued) {
              // Dropped frames: the oldest bulk ones, then the oldest urgent ones.
              const fromBulk = Math.min(r.dropped, model.bulk.length);
              model.bulk.splice(0, fromBulk);
              model.urgent.splice(0, r.dropped - fromBulk);
              (o.bulk ? model.bulk : model.urgent).push(id);
            } else {
              expect(policy).toBe('disconnect');
            }
            expect(q.frames).toBe(model.urgent.length + model.bulk.length);
            expect(q.frames).toBeLessThanOrEqual(before + 1);
          } else {
            check(decode(q.takeBatch(o.limit)));
          }
          const expectedBytes = [...model.urgent, ...model.bulk].reduce((n, id) => n + (sizes.get(id) ?? 0), 0);
          expect(q.bytes).toBe(expectedBytes);
          expect(q.bytes).toBeLessThanOrEqual(bound);
        }
        check(q.takeAll());
        expect(model.urgent.length + model.bulk.length).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
