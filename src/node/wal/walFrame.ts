/**
 * WAL framing: u32 payload length ‖ u32 CRC-32 of (length bytes ‖ payload) ‖ payload, big-endian;
 * payload = kind byte ‖ body. A reader stops at the first frame that is short, over-long or fails
 * its checksum: after a crash only the tail can be torn, and that tail is dropped.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;
/** Bounds a frame's claimed length, so garbage in a torn tail cannot ask for a huge buffer. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export const FrameKind = { record: 1, endHeight: 2 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Frame {
  readonly kind: FrameKind;
  readonly body: Uint8Array;
}

export function encodeFrame(kind: FrameKind, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + 1 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1 + body.length);
  out[FRAME_HEADER_BYTES] = kind;
  out.set(body, FRAME_HEADER_BYTES + 1);
  view.setUint32(4, frameCrc(out, 0, 1 + body.length));
  return out;
}

// crc32(payload, crc32(lengthBytes)) = CRC-32 of the concatenation, without copying.
function frameCrc(bytes: Uint8Array, at: number, payloadLength: number): number {
  const start = at + FRAME_HEADER_BYTES;
  return crc32(bytes.subarray(start, start + payloadLength), crc32(bytes.subarray(at, at + 4)));
}

export interface DecodedFrames {
  readonly frames: Frame[];
  /** Bytes taken by whole, valid frames: the file's good prefix. */
  readonly validBytes: number;
}

export function decodeFrames(bytes: Uint8Array): DecodedFrames {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= bytes.length) {
    const length = view.getUint32(at);
    if (length < 1 || length > MAX_PAYLOAD_BYTES || at + FRAME_HEADER_BYTES + length > bytes.length) break;
    if (view.getUint32(at + 4) !== frameCrc(bytes, at, length)) break;
    const kind = bytes[at + FRAME_HEADER_BYTES];
    if (kind !== FrameKind.record && kind !== FrameKind.endHeight) break;
    frames.push({ kind, body: bytes.subarray(at + FRAME_HEADER_BYTES + 1, at + FRAME_HEADER_BYTES + length) });
    at += FRAME_HEADER_BYTES + length;
  }
  return { frames, validBytes: at };
}

export function encodeHeight(height: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(height));
  return out;
}

export function decodeHeight(body: Uint8Array): number | undefined {
  if (body.length !== 8) return undefined;
  const h = new DataView(body.buffer, body.byteOffset, 8).getBigUint64(0);
  return h <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(h) : undefined;
}
