/**
 * The in-process transport: a hub connects any number of transports inside one process (tests,
 * single-process chains) with the same session, queue, score and redial behaviour as libp2p,
 * since both share transportCore.ts. Frames cross a link asynchronously, as copies, in the order
 * the send queue gives them (bulk topics after the rest).
 * Fault hooks drop or delay frames; a delayed link stays first-in first-out, like a TCP stream
 * (reordering and partitions belong to the simulated network of src/net/memory).
 */
import { GridLedgerError } from '../../errors.ts';
import { copyBytes } from '../frame.ts';
import type { Frame } from '../frame.ts';
import { resolveOptions } from '../options.ts';
import type { TransportOptions } from '../options.ts';
import { createSendQueue } from '../sendQueue.ts';
import { createTransport } from '../transportCore.ts';
import type { DriverHooks, Link } from '../transportCore.ts';
import type { PeerId, PeerTransport, Topic } from '../transport.ts';

export interface InprocFrame {
  from: PeerId;
  to: PeerId;
  topic: Topic;
  bytes: Uint8Array;
}

export interface InprocFaults {
  /** True drops the frame. */
  drop?(frame: InprocFrame): boolean;
  /** Milliseconds before delivery; a frame never overtakes an earlier one on its link. */
  delayMs?(frame: InprocFrame): number;
}

export interface InprocHub {
  /** A transport known on this hub as `peerId`; it is reachable once started. */
  createTransport(peerId: PeerId, options?: TransportOptions): PeerTransport;
  /** The address other transports dial to reach `peerId`. */
  addressOf(peerId: PeerId): string;
  /** Replaces the fault hooks (applied from the next frame on). */
  setFaults(faults: InprocFaults): void;
}

const PEER_ID = /^[A-Za-z0-9._-]+$/;
const ADDRESS = /^\/inproc\/([A-Za-z0-9._-]+)$/;

interface Endpoint {
  peerId: PeerId;
  hooks: DriverHooks;
  /** This endpoint's half of each open link, by remote peer. */
  links: Map<PeerId, LinkHalf>;
}

interface LinkHalf extends Link {
  /** Shuts this half without telling its own endpoint. */
  shut(): void;
}

export function createInprocHub(initialFaults: InprocFaults = {}): InprocHub {
  let faults = initialFaults;
  const endpoints = new Map<PeerId, Endpoint>();

  // One direction of a link: frames from `from` queue here and are delivered to `to`.
  const createHalf = (from: Endpoint, to: Endpoint, peerHalf: () => LinkHalf, closeBoth: () => void): LinkHalf => {
    const { maxQueueBytes, overflow, bulkTopics } = from.hooks.settings;
    const queue = createSendQueue(maxQueueBytes, overflow, bulkTopics);
    const delayed: Array<{ dueAt: number; frame: Frame }> = [];
    let lastDueAt = 0;
    let timer: NodeJS.Timeout | undefined;
    let flushScheduled = false;
    let shut = false;

    const deliver = (frame: Frame): void => {
      if (!shut) to.hooks.received(from.peerId, peerHalf(), frame.topic, copyBytes(frame.payload));
    };

    const drainDelayed = (): void => {
      timer = undefined;
      const t = Date.now();
      while (!shut && delayed.length > 0 && (delayed[0]?.dueAt ?? Infinity) <= t) {
        const next = delayed.shift();
        if (next !== undefined) deliver(next.frame);
      }
      const head = delayed[0];
      if (!shut && head !== undefined) timer = setTimeout(drainDelayed, Math.max(0, head.dueAt - t));
    };

    const flush = (): void => {
      flushScheduled = false;
      for (const frame of queue.takeAll()) {
        if (shut) return;
        const info: InprocFrame = { from: from.peerId, to: to.peerId, topic: frame.topic, bytes: frame.payload };
        if (faults.drop?.(info) === true) continue;
        const delay = faults.delayMs?.(info) ?? 0;
        if (delay <= 0 && delayed.length === 0) {
          deliver(frame);
          continue;
        }
        lastDueAt = Math.max(lastDueAt, Date.now() + Math.max(0, delay));
        delayed.push({ dueAt: lastDueAt, frame });
        if (timer === undefined) timer = setTimeout(drainDelayed, Math.max(0, lastDueAt - Date.now()));
      }
    };

    return {
      enqueue(frame) {
        if (shut) return { queued: true, dropped: 0 };
        const r = queue.push(frame);
        if (r.queued && !flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
        return r;
      },
      close: closeBoth,
      shut() {
        shut = true;
        queue.clear();
        delayed.length = 0;
        clearTimeout(timer);
        timer = undefined;
      },
    };
  };

  // Links a and b both ways. Closing either half (as the core does) shuts both and tells the
  // other endpoint, a moment later as a network would.
  const link = (a: Endpoint, b: Endpoint): [LinkHalf, LinkHalf] => {
    let closed = false;
    const closeFrom = (closer: Endpoint): void => {
      if (closed) return;
      closed = true;
      ab.shut();
      ba.shut();
      if (a.links.get(b.peerId) === ab) a.links.delete(b.peerId);
      if (b.links.get(a.peerId) === ba) b.links.delete(a.peerId);
      const [other, otherHalf, otherPeer] = closer === a ? [b, ba, a.peerId] : [a, ab, b.peerId];
      setImmediate(() => other.hooks.closed(otherPeer, otherHalf));
    };
    const ab: LinkHalf = createHalf(a, b, () => ba, () => closeFrom(a));
    const ba: LinkHalf = createHalf(b, a, () => ab, () => closeFrom(b));
    return [ab, ba];
  };

  return {
    addressOf: (peerId) => `/inproc/${peerId}`,
    setFaults(f) {
      faults = f;
    },
    createTransport(peerId, options = {}) {
      if (!PEER_ID.test(peerId)) throw new GridLedgerError('NET_BAD_PEER_ID', `in-process peer ids are [A-Za-z0-9._-]+, got "${peerId}"`);
      return createTransport(resolveOptions(options), (hooks) => {
        const self: Endpoint = { peerId, hooks, links: new Map() };
        return {
          peerId,
          listenAddresses: () => [`/inproc/${peerId}`],
          addressPeer(address) {
            const m = ADDRESS.exec(address);
            if (m?.[1] === undefined) throw new GridLedgerError('NET_BAD_ADDRESS', `an in-process address is /inproc/PEER_ID: ${address}`);
            return m[1];
          },
          async start() {
            if (endpoints.has(peerId)) throw new GridLedgerError('NET_PEER_ID_IN_USE', `peer id ${peerId} is already started on this hub`);
            endpoints.set(peerId, self);
          },
          async stop() {
            for (const half of [...self.links.values()]) half.close();
            if (endpoints.get(peerId) === self) endpoints.delete(peerId);
          },
          async connect(peer) {
            // Let the caller register handlers before a session opens, as over a real network.
            await new Promise<void>((resolve) => setImmediate(resolve));
            const remote = endpoints.get(peer);
            if (endpoints.get(peerId) !== self) throw new GridLedgerError('NET_STOPPED', 'transport stopped');
            if (remote === undefined) throw new GridLedgerError('NET_DIAL_FAILED', `no transport ${peer} is started on this hub`);
            if (remote.hooks.isBanned(peerId)) throw new GridLedgerError('NET_STREAM_REFUSED', `${peer} refused the session`);
            if (self.links.has(peer)) return;
            const [mine, theirs] = link(self, remote);
            self.links.set(peer, mine);
            remote.links.set(peerId, theirs);
            remote.hooks.opened(peerId, theirs);
            if (!remote.hooks.hasSession(peerId)) throw new GridLedgerError('NET_STREAM_REFUSED', `${peer} refused the session`);
            hooks.opened(peer, mine);
            if (!hooks.hasSession(peer)) throw new GridLedgerError('NET_SESSION_REFUSED', 'session refused');
          },
          evict(peer) {
            self.links.get(peer)?.close();
          },
        };
      });
    },
  };
}
