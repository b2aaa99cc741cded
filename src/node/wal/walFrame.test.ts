import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FRAME_HEADER_BYTES, FrameKind, decodeFrames, decodeHeight, encodeFrame, encodeHeight } from './walFrame.ts';

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('WAL frames', () => {
  it('round-trips any sequence of records and markers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 40 }))), (items) => {
        const frames = items.map((x) => (typeof x === 'number' ? encodeFrame(FrameKind.endHeight, encodeHeight(x)) : encodeFrame(FrameKind.record, x)));
        const bytes = concat(frames);
        const decoded = decodeFrames(bytes);
        expect(decoded.validBytes).toBe(bytes.length);
        expect(decoded.frames.map((f) => (f.kind === FrameKind.endHeight ? decodeHeight(f.body) : [...f.body]))).toEqual(
          items.map((x) => (typeof x === 'number' ? x : [...x])),
        );
      }),
    );
  });

  it('stops at the first damaged frame and keeps the frames before it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (records, pick, flip) => {
          const frames = records.map((r) => encodeFrame(FrameKind.record, r));
          const target = pick % frames.length;
          const damaged = (frames[target] as Uint8Array).slice();
          const at = pick % damaged.length;
          damaged[at] = (damaged[at] as number) ^ flip;
          frames[target] = damaged;
          const decoded = decodeFrames(concat(frames));
          expect(decoded.frames.map((f) => [...f.body])).toEqual(records.slice(0, target).map((r) => [...r]));
          expect(decoded.validBytes).toBe(frames.slice(0, target).reduce((n, f) => n + f.length, 0));
        },
      ),
    );
  });

  it('rejects zero-filled and over-long headers without reading past the end', () => {
    expect(decodeFrames(new Uint8Array(64)).frames).toEqual([]);
    const huge = new Uint8Array(FRAME_HEADER_BYTES + 4);
    new DataView(huge.buffer).setUint32(0, 0xffffffff);
    expect(decodeFrames(huge).validBytes).toBe(0);
  });

  it('decodes only 8-byte safe heights', () => {
    expect(decodeHeight(encodeHeight(42))).toBe(42);
    expect(decodeHeight(new Uint8Array(7))).toBeUndefined();
    expect(decodeHeight(new Uint8Array(8).fill(0xff))).toBeUndefined();
  });
});
