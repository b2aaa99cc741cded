/**
 * A peer's bounded outgoing queue. Frames wait here until the link can take them; the bound
 * (in bytes, headers included) and the overflow policy keep one slow peer from eating memory.
 *
 * Two lanes share the bound: frames of the "bulk" topics (big and never urgent, such as
 * transaction batches) leave only when no other frame waits, so a vote does not wait behind
 * megabytes of them. Each lane is first-in first-out; drop-oldest drops bulk frames first.
 */
import { encodeFrames, FRAME_HEADER_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import type { OverflowPolicy, Topic } from './transport.ts';

export interface PushResult {
  /** False only under the disconnect policy, when the frame did not fit. */
  queued: boolean;
  /** Frames dropped (bulk lane first, oldest first) to make room, under the drop-oldest policy. */
  dropped: number;
}

export interface SendQueue {
  push(frame: Frame): PushResult;
  /**
   * Removes frames, up to about `maxBytes` (always at least one), as one buffer: the other lane's
   * frames first, then bulk ones.
   */
  takeBatch(maxBytes: number): Uint8Array;
  /** Removes and returns every queued frame, in the order takeBatch would send them. */
  takeAll(): Frame[];
  clear(): void;
  readonly frames: number;
  readonly bytes: number;
}

const frameSize = (f: Frame): number => FRAME_HEADER_BYTES + f.payload.length;

/** One first-in first-out lane; the queue keeps the byte count across lanes. */
interface Lane {
  peek(): Frame | undefined;
  shift(): Frame | undefined;
  push(frame: Frame): void;
  drain(into: Frame[]): void;
  clear(): void;
  readonly length: number;
}

function createLane(): Lane {
  let items: Array<Frame | undefined> = [];
  let head = 0;
  const clear = (): void => {
    items = [];
    head = 0;
  };
  return {
    peek: () => items[head],
    shift() {
      const f = items[head];
      if (f === undefined) return undefined;
      items[head] = undefined; // release the payload
      head++;
      // Drop consumed slots now and then, so the array does not grow without bound.
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return f;
    },
    push(frame) {
      items.push(frame);
    },
    drain(into) {
      for (let i = head; i < items.length; i++) {
        const f = items[i];
        if (f !== undefined) into.push(f);
      }
      clear();
    },
    clear,
    get length() {
      return items.length - head;
    },
  };
}

export function createSendQueue(maxBytes: number, policy: OverflowPolicy, bulkTopics: readonly Topic[] = []): SendQueue {
  const bulk = new Set(bulkTopics);
  const urgent = createLane();
  const later = createLane();
  let bytes = 0;

  const laneOf = (f: Frame): Lane => (bulk.has(f.topic) ? later : urgent);

  const sendOrder = [urgent, later] as const;
  const dropOrder = [later, urgent] as const;
  // Removes the oldest frame, bulk first; false when the queue is empty.
  const dropOne = (): boolean => {
    for (const lane of dropOrder) {
      const f = lane.shift();
      if (f !== undefined) {
        bytes -= frameSize(f);
        return true;
      }
    }
    return false;
  };

  return {
    push(frame: Frame): PushResult {
      const size = frameSize(frame);
      let dropped = 0;
      if (bytes + size > maxBytes) {
        if (policy === 'disconnect') return { queued: false, dropped: 0 };
        while (bytes + size > maxBytes && dropOne()) dropped++;
      }
      laneOf(frame).push(frame);
      bytes += size;
      return { queued: true, dropped };
    },
    takeBatch(limit: number): Uint8Array {
      const batch: Frame[] = [];
      let size = 0;
      for (const lane of sendOrder) {
        for (let f = lane.peek(); f !== undefined; f = lane.peek()) {
          if (batch.length > 0 && size + frameSize(f) > limit) return encodeFrames(batch);
          lane.shift();
          batch.push(f);
          size += frameSize(f);
          bytes -= frameSize(f);
        }
      }
      return encodeFrames(batch);
    },
    takeAll(): Frame[] {
      const all: Frame[] = [];
      for (const lane of sendOrder) lane.drain(all);
      bytes = 0;
      return all;
    },
    clear(): void {
      for (const lane of sendOrder) lane.clear();
      bytes = 0;
    },
    get frames(): number {
      return urgent.length + later.length;
    },
    get bytes(): number {
      return bytes;
    },
  };
}
