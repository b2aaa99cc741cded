/**
 * A session's link over one libp2p stream: frames out through the bounded queue, written in
 * batches (one `send` per event-loop turn, not one per frame) and paused while the stream asks
 * for drain; frames in through the decoder.
 */
import type { Stream } from '@libp2p/interface';
import { GridLedgerError } from '../../errors.ts';
import { createFrameDecoder } from '../frame.ts';
import type { Frame } from '../frame.ts';
import type { TransportSettings } from '../options.ts';
import { createSendQueue } from '../sendQueue.ts';
import type { Link } from '../transportCore.ts';

/** Bytes handed to the stream per `send`; yamux cuts them into its own 64 KiB messages. */
const BATCH_BYTES = 256 * 1024;

export interface StreamLinkHandlers {
  onFrame(frame: Frame): void;
  /** The remote or the network ended the stream, or it broke; never called after `close()`. */
  onClose(): void;
  /** The remote broke the framing; the link closes itself (and calls onClose) right after. */
  onMalformed(err: unknown): void;
}

export interface StreamLink extends Link {
  readonly isClosed: boolean;
}

export function createStreamLink(
  stream: Stream,
  settings: Pick<TransportSettings, 'maxFrameBytes' | 'maxQueueBytes' | 'overflow' | 'bulkTopics'>,
  handlers: StreamLinkHandlers,
): StreamLink {
  const queue = createSendQueue(settings.maxQueueBytes, settings.overflow, settings.bulkTopics);
  let closed = false;
  let flushScheduled = false;
  let awaitingDrain = false;

  const decoder = createFrameDecoder(settings.maxFrameBytes, (frame) => {
    if (!closed) handlers.onFrame(frame);
  });

  // Ends the stream; `report` tells the session owner when the end did not come from it.
  const end = (err: Error, report: boolean): void => {
    if (closed) return;
    closed = true;
    queue.clear();
    stream.abort(err);
    if (report) handlers.onClose();
  };

  const flush = (): void => {
    flushScheduled = false;
    while (!closed && !awaitingDrain && queue.frames > 0) {
      let more: boolean;
      try {
        more = stream.send(queue.takeBatch(BATCH_BYTES));
      } catch (err) {
        end(err instanceof Error ? err : new GridLedgerError('NET_STREAM_FAILED', String(err)), true);
        return;
      }
      if (!more) {
        awaitingDrain = true;
        stream.onDrain().then(
          () => {
            awaitingDrain = false;
            flush();
          },
          () => undefined, // the stream closed: its close event reports it
        );
      }
    }
  };

  stream.addEventListener('message', (e) => {
    if (closed) return;
    try {
      decoder.push(e.data instanceof Uint8Array ? e.data : e.data.subarray());
    } catch (err) {
      handlers.onMalformed(err);
      end(err instanceof Error ? err : new GridLedgerError('NET_MALFORMED_FRAME', String(err)), true);
    }
  });
  stream.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    queue.clear();
    handlers.onClose();
  });

  return {
    enqueue(frame) {
      if (closed) return { queued: true, dropped: 0 };
      const r = queue.push(frame);
      if (r.queued && !flushScheduled && !awaitingDrain) {
        flushScheduled = true;
        setImmediate(flush);
      }
      return r;
    },
    close() {
      end(new GridLedgerError('NET_SESSION_CLOSED', 'session closed locally'), false);
    },
    get isClosed() {
      return closed;
    },
  };
}
