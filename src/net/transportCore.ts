/**
 * What both transports share: the session table (at most one open session per peer), redial with
 * backoff, scores and bans, frame checks, events and counters. A driver (libp2p, in-process)
 * supplies the wire: it opens sessions and reports them through DriverHooks.
 */
import { GridLedgerError } from '../errors.ts';
import type { Frame } from './frame.ts';
import { createListeners } from './listeners.ts';
import type { ResolvedOptions, TransportSettings } from './options.ts';
import { createScoreBook } from './peerScore.ts';
import type { PushResult } from './sendQueue.ts';
import { MAX_TOPIC, MIN_TOPIC } from './transport.ts';
import type { NetLogger, PeerId, PeerTransport, PenaltyReason, Topic, TransportStats } from './transport.ts';

/** One open session with a peer, as a driver implements it. */
export interface Link {
  /** Queues a frame behind the ones already queued in its lane (the bounded queue of sendQueue.ts). */
  enqueue(frame: Frame): PushResult;
  /** Ends the session now, discarding what is queued. The driver reports nothing back for it. */
  close(): void;
}

export interface DriverHooks {
  readonly settings: TransportSettings;
  readonly logger: NetLogger;
  /** A session with `peer` is open on `link` (either side opened it). */
  opened(peer: PeerId, link: Link): void;
  /** The remote or the network ended the session on `link`. */
  closed(peer: PeerId, link: Link): void;
  received(peer: PeerId, link: Link, topic: Topic, payload: Uint8Array): void;
  hasSession(peer: PeerId): boolean;
  isBanned(peer: PeerId): boolean;
  penalize(peer: PeerId, reason: PenaltyReason): void;
}

export interface Driver {
  readonly peerId: PeerId;
  listenAddresses(): string[];
  /** The peer an address names; throws NET_BAD_ADDRESS. */
  addressPeer(address: string): PeerId;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Tries once to open a session; resolves when one is open (opened by either side). */
  connect(peer: PeerId, address: string): Promise<void>;
  /** Cuts every tie with a just-banned peer (pending streams, connections). */
  evict(peer: PeerId): void;
}

interface Target {
  peer: PeerId;
  address: string;
  attempt: number;
  dialing: boolean;
  timer: NodeJS.Timeout | undefined;
}

export function createTransport(options: ResolvedOptions, makeDriver: (hooks: DriverHooks) => Driver): PeerTransport {
  const { settings, logger, now } = options;
  const scores = createScoreBook({ ...settings, now });
  const sessions = new Map<PeerId, Link>();
  const targets = new Map<PeerId, Target>();
  const counters: Omit<TransportStats, 'peers'> = {
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    framesDropped: 0,
    overflowDisconnects: 0,
  };
  let state: 'new' | 'started' | 'stopped' = 'new';

  const onHandlerError = (err: unknown): void => logger.warn({ err }, 'net: event handler threw');
  const messages = createListeners<[PeerId, Topic, Uint8Array]>(onHandlerError);
  const connects = createListeners<[PeerId]>(onHandlerError);
  const disconnects = createListeners<[PeerId]>(onHandlerError);

  const backoffMs = (attempt: number): number =>
    Math.min(settings.redialMaxMs, settings.redialMinMs * 2 ** Math.min(attempt, 30));

  const arm = (t: Target, delayMs: number): void => {
    clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = undefined;
      void attempt(t);
    }, delayMs);
  };

  const attempt = async (t: Target): Promise<void> => {
    if (state !== 'started' || t.dialing || sessions.has(t.peer) || targets.get(t.peer) !== t) return;
    const banned = scores.banRemainingMs(t.peer);
    if (banned > 0) {
      arm(t, banned);
      return;
    }
    t.dialing = true;
    try {
      await driver.connect(t.peer, t.address);
    } catch (err) {
      logger.debug({ peer: t.peer, address: t.address, attempt: t.attempt, err }, 'net: dial failed');
    } finally {
      t.dialing = false;
    }
    if (state === 'started' && targets.get(t.peer) === t && !sessions.has(t.peer) && t.timer === undefined) {
      arm(t, backoffMs(t.attempt++));
    }
  };

  const redialLater = (peer: PeerId): void => {
    const t = targets.get(peer);
    if (t !== undefined && state === 'started') arm(t, backoffMs(t.attempt++));
  };

  // Ends our side of a session; the driver reports nothing back for a link we closed.
  const endSession = (peer: PeerId): void => {
    const link = sessions.get(peer);
    if (link === undefined) return;
    sessions.delete(peer);
    link.close();
    disconnects.emit(peer);
  };

  const checkFrame = (topic: Topic, bytes: Uint8Array): void => {
    if (!Number.isInteger(topic) || topic < MIN_TOPIC || topic > MAX_TOPIC) {
      throw new GridLedgerError('NET_BAD_TOPIC', `topic must be an integer in ${MIN_TOPIC}..${MAX_TOPIC}, got ${topic}`);
    }
    if (bytes.length > settings.maxFrameBytes) {
      throw new GridLedgerError('NET_FRAME_TOO_LARGE', `frame of ${bytes.length} bytes exceeds the ${settings.maxFrameBytes}-byte limit`, {
        details: { length: bytes.length, maxFrameBytes: settings.maxFrameBytes },
      });
    }
  };

  const enqueue = (peer: PeerId, link: Link, frame: Frame): boolean => {
    const r = link.enqueue(frame);
    if (!r.queued) {
      counters.overflowDisconnects++;
      logger.warn({ peer }, 'net: outgoing queue full, disconnecting peer');
      endSession(peer);
      redialLater(peer);
      return false;
    }
    counters.framesDropped += r.dropped;
    counters.framesSent++;
    counters.bytesSent += frame.payload.length;
    return true;
  };

  const penalize = (peer: PeerId, reason: PenaltyReason): void => {
    const banned = scores.penalize(peer, reason);
    logger.debug({ peer, reason, score: scores.score(peer) }, 'net: peer penalized');
    if (!banned) return;
    logger.warn({ peer, reason, banMs: settings.banMs }, 'net: peer banned');
    endSession(peer);
    driver.evict(peer);
    const t = targets.get(peer);
    if (t !== undefined && state === 'started') arm(t, settings.banMs);
  };

  const hooks: DriverHooks = {
    settings,
    logger,
    opened(peer, link) {
      if (state !== 'started' || scores.isBanned(peer)) {
        link.close();
        return;
      }
      // Drivers open one session per peer; a second one replaces the first rather than leak it.
      endSession(peer);
      sessions.set(peer, link);
      const t = targets.get(peer);
      if (t !== undefined) {
        t.attempt = 0;
        clearTimeout(t.timer);
        t.timer = undefined;
      }
      connects.emit(peer);
    },
    closed(peer, link) {
      if (sessions.get(peer) !== link) return;
      sessions.delete(peer);
      disconnects.emit(peer);
      redialLater(peer);
    },
    received(peer, link, topic, payload) {
      if (sessions.get(peer) !== link) return;
      counters.framesReceived++;
      counters.bytesReceived += payload.length;
      messages.emit(peer, topic, payload);
    },
    hasSession: (peer) => sessions.has(peer),
    isBanned: (peer) => scores.isBanned(peer),
    penalize,
  };

  const driver = makeDriver(hooks);

  return {
    peerId: driver.peerId,
    listenAddresses: () => (state === 'started' ? driver.listenAddresses() : []),
    async start() {
      if (state !== 'new') throw new GridLedgerError('NET_BAD_STATE', `transport cannot start: it is ${state}`);
      state = 'started';
      try {
        await driver.start();
      } catch (err) {
        state = 'stopped';
        throw err;
      }
      for (const t of targets.values()) void attempt(t);
    },
    async stop() {
      if (state === 'stopped') return;
      const wasStarted = state === 'started';
      state = 'stopped';
      for (const t of targets.values()) clearTimeout(t.timer);
      for (const peer of [...sessions.keys()]) endSession(peer);
      if (wasStarted) await driver.stop();
    },
    dial(addresses) {
      const parsed = addresses.map((address) => ({ address, peer: driver.addressPeer(address) }));
      for (const { address, peer } of parsed) {
        if (peer === driver.peerId) continue; // a shared validator list names this node too
        const known = targets.get(peer);
        if (known !== undefined) {
          known.address = address;
          continue;
        }
        const t: Target = { peer, address, attempt: 0, dialing: false, timer: undefined };
        targets.set(peer, t);
        if (state === 'started') void attempt(t);
      }
    },
    disconnect(peer) {
      const t = targets.get(peer);
      if (t !== undefined) clearTimeout(t.timer);
      targets.delete(peer);
      endSession(peer);
    },
    connectedPeers: () => [...sessions.keys()].sort(),
    addressPeer: (address) => driver.addressPeer(address),
    send(peer, topic, bytes) {
      checkFrame(topic, bytes);
      const link = sessions.get(peer);
      return link === undefined ? false : enqueue(peer, link, { topic, payload: bytes });
    },
    broadcast(topic, bytes) {
      checkFrame(topic, bytes);
      let n = 0;
      for (const [peer, link] of [...sessions]) if (enqueue(peer, link, { topic, payload: bytes })) n++;
      return n;
    },
    onMessage: (handler) => messages.add(handler),
    onPeerConnect: (handler) => connects.add(handler),
    onPeerDisconnect: (handler) => disconnects.add(handler),
    penalize,
    score: (peer) => scores.score(peer),
    isBanned: (peer) => scores.isBanned(peer),
    stats: () => ({ peers: sessions.size, ...counters }),
  };
}
