import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import { createFrameDecoder, encodeFrames, FRAME_HEADER_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';

function decodeAll(bytes: Uint8Array, cuts: number[], max = 1 << 20): Frame[] {
  const out: Frame[] = [];
  const d = createFrameDecoder(max, (f) => out.push(f));
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((x, y) => x - y).concat(bytes.length)) {
    d.push(bytes.subarray(at, cut));
    at = cut;
  }
  return out;
}

const frameArb = fc.record({ topic: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 700 }) });

describe('frames', () => {
  it('lays out a 4-byte big-endian length, the topic, then the payload', () => {
    const bytes = encodeFrames([{ topic: 9, payload: Uint8Array.of(0xaa, 0xbb) }, { topic: 1, payload: new Uint8Array(300) }]);
    expect([...bytes.subarray(0, 7)]).toEqual([0, 0, 0, 2, 9, 0xaa, 0xbb]);
    expect([...bytes.subarray(7, 12)]).toEqual([0, 0, 1, 44, 1]);
    expect(bytes.length).toBe(2 * FRAME_HEADER_BYTES + 302);
  });

  it('decodes what it encodes, however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 20 }), fc.array(fc.nat({ max: 15_000 }), { maxLength: 40 }), (frames, cuts) => {
        const decoded = decodeAll(encodeFrames(frames), cuts);
        expect(decoded.map((f) => ({ topic: f.topic, payload: [...f.payload] }))).toEqual(
          frames.map((f) => ({ topic: f.topic, payload: [...f.payload] })),
        );
      }),
    );
  });

  it('decodes one byte at a time, a frame larger than any chunk included', () => {
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    const bytes = encodeFrames([{ topic: 3, payload: big }, { topic: 4, payload: new Uint8Array(0) }]);
    const decoded = decodeAll(bytes, Array.from({ length: bytes.length }, (_, i) => i));
    expect(decoded).toHaveLength(2);
    expect(decoded[0]?.payload).toEqual(big);
    expect(decoded[1]).toEqual({ topic: 4, payload: new Uint8Array(0) });
  });

  it('hands out payloads that do not alias the chunk and are plain Uint8Arrays', () => {
    const chunk = Buffer.from(encodeFrames([{ topic: 1, payload: Uint8Array.of(1, 2, 3) }]));
    const [f] = decodeAll(chunk, []);
    chunk.fill(0);
    expect(f?.payload).toEqual(Uint8Array.of(1, 2, 3));
    expect(Buffer.isBuffer(f?.payload)).toBe(false);
  });

  it('accepts a frame of exactly the limit and throws NET_FRAME_TOO_LARGE on a header above it', () => {
    const max = 2048;
    expect(decodeAll(encodeFrames([{ topic: 1, payload: new Uint8Array(max) }]), [3], max)).toHaveLength(1);
    const d = createFrameDecoder(max, () => undefined);
    let code: string | undefined;
    try {
      d.push(Uint8Array.of(0, 0, 8, 1)); // a split header
      d.push(Uint8Array.of(1));
    } catch (e) {
      code = isGridLedgerError(e) ? e.code : undefined;
    }
    expect(code).toBe('NET_FRAME_TOO_LARGE');
  });
});
