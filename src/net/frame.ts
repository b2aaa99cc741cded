/**
 * Length-prefixed frames on one long-lived stream: a 4-byte big-endian payload length, one topic
 * byte, then the payload. Topic 0 carries the transport's control frames.
 */
import { GridLedgerError } from '../errors.ts';

export const FRAME_HEADER_BYTES = 5;
export const CONTROL_TOPIC = 0;

export interface Frame {
  topic: number;
  payload: Uint8Array;
}

/** Writes one frame at `offset` of `target`; returns the offset after it. */
function writeFrame(target: Uint8Array, offset: number, frame: Frame): number {
  const n = frame.payload.length;
  target[offset] = (n >>> 24) & 0xff;
  target[offset + 1] = (n >>> 16) & 0xff;
  target[offset + 2] = (n >>> 8) & 0xff;
  target[offset + 3] = n & 0xff;
  target[offset + 4] = frame.topic;
  target.set(frame.payload, offset + FRAME_HEADER_BYTES);
  return offset + FRAME_HEADER_BYTES + n;
}

export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += FRAME_HEADER_BYTES + f.payload.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const f of frames) offset = writeFrame(out, offset, f);
  return out;
}

/** A plain Uint8Array copy (a Buffer's slice would be a Buffer, and keep its pooled memory). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

export interface FrameDecoder {
  /**
   * Feeds bytes as they arrive (any chunking); calls `onFrame` for every frame completed, with a
   * payload it may keep. Throws NET_FRAME_TOO_LARGE on a header above the limit: the stream is
   * then unusable.
   */
  push(chunk: Uint8Array): void;
}

export function createFrameDecoder(maxFrameBytes: number, onFrame: (frame: Frame) => void): FrameDecoder {
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  let headerFill = 0;
  // The frame being filled across chunks; a large frame is allocated once, never re-concatenated.
  let body: Uint8Array | undefined;
  let bodyFill = 0;
  let bodyTopic = 0;

  const readLength = (b: Uint8Array, at: number): number =>
    ((b[at] ?? 0) * 0x1000000) + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0));

  return {
    push(chunk: Uint8Array): void {
      let off = 0;
      while (off < chunk.length) {
        if (body === undefined) {
          let length: number;
          let topic: number;
          if (headerFill === 0 && chunk.length - off >= FRAME_HEADER_BYTES) {
            length = readLength(chunk, off);
            topic = chunk[off + 4] ?? 0;
            off += FRAME_HEADER_BYTES;
          } else {
            const n = Math.min(FRAME_HEADER_BYTES - headerFill, chunk.length - off);
            header.set(chunk.subarray(off, off + n), headerFill);
            headerFill += n;
            off += n;
            if (headerFill < FRAME_HEADER_BYTES) return;
            headerFill = 0;
            length = readLength(header, 0);
            topic = header[4] ?? 0;
          }
          if (length > maxFrameBytes) {
            throw new GridLedgerError('NET_FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the ${maxFrameBytes}-byte limit`, {
              details: { length, maxFrameBytes },
            });
          }
          if (chunk.length - off >= length) {
            // Whole frame inside this chunk: copy it out so the handler may keep it without
            // pinning the chunk.
            onFrame({ topic, payload: copyBytes(chunk.subarray(off, off + length)) });
            off += length;
            continue;
          }
          body = new Uint8Array(length);
          bodyFill = 0;
          bodyTopic = topic;
        }
        const n = Math.min(body.length - bodyFill, chunk.length - off);
        body.set(chunk.subarray(off, off + n), bodyFill);
        bodyFill += n;
        off += n;
        if (bodyFill === body.length) {
          const payload = body;
          body = undefined;
          onFrame({ topic: bodyTopic, payload });
        }
      }
    },
  };
}
