/**
 * A peer's bounded outgoing queue. Frames wait here until the link can take them; the bound
 * (in bytes, headers included) and the overflow policy keep one slow peer from eating memory.
 */
import { encodeFrames, FRAME_HEADER_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import type { OverflowPolicy } from './transport.ts';

export interface PushResult {
  /** False only under the disconnect policy, when the frame did not fit. */
  queued: boolean;
  /** Frames dropped (oldest first) to make room, under the drop-oldest policy. */
  dropped: number;
}

export interface SendQueue {
  push(frame: Frame): PushResult;
  /** Removes frames from the head, up to about `maxBytes` (always at least one), as one buffer. */
  takeBatch(maxBytes: number): Uint8Array;
  /** Removes and returns every queued frame. */
  takeAll(): Frame[];
  clear(): void;
  readonly frames: number;
  readonly bytes: number;
}

const frameSize = (f: Frame): number => FRAME_HEADER_BYTES + f.payload.length;

export function createSendQueue(maxBytes: number, policy: OverflowPolicy): SendQueue {
  let items: Array<Frame | undefined> = [];
  let head = 0;
  let bytes = 0;

  // Drop consumed slots now and then, so the array does not grow without bound.
  const compact = (): void => {
    if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
  };

  const shift = (): Frame | undefined => {
    const f = items[head];
    if (f === undefined) return undefined;
    items[head] = undefined; // release the payload
    head++;
    bytes -= frameSize(f);
    return f;
  };

  return {
    push(frame: Frame): PushResult {
      const size = frameSize(frame);
      let dropped = 0;
      if (bytes + size > maxBytes) {
        if (policy === 'disconnect') return { queued: false, dropped: 0 };
        while (bytes + size > maxBytes && shift() !== undefined) dropped++;
        compact();
      }
      items.push(frame);
      bytes += size;
      return { queued: true, dropped };
    },
    takeBatch(limit: number): Uint8Array {
      const batch: Frame[] = [];
      let size = 0;
      while (head < items.length) {
        const f = items[head];
        if (f === undefined) break;
        if (batch.length > 0 && size + frameSize(f) > limit) break;
        shift();
        batch.push(f);
        size += frameSize(f);
      }
      compact();
      return encodeFrames(batch);
    },
    takeAll(): Frame[] {
      const all: Frame[] = [];
      for (let i = head; i < items.length; i++) {
        const f = items[i];
        if (f !== undefined) all.push(f);
      }
      items = [];
      head = 0;
      bytes = 0;
      return all;
    },
    clear(): void {
      items = [];
      head = 0;
      bytes = 0;
    },
    get frames(): number {
      return items.length - head;
    },
    get bytes(): number {
      return bytes;
    },
  };
}
