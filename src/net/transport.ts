/**
 * The peer transport: how a node exchanges framed messages with its peers (a static full mesh of
 * validators, plus full nodes that follow). Two implementations pass one compliance suite
 * (transport.test.ts): libp2p over TCP for real nodes (libp2p/), and an in-process hub for tests
 * and single-process chains (inproc/). docs/network.md describes the wire protocol.
 */

/** A peer's identity: libp2p's peer id string, or the name an in-process hub knows it by. */
export type PeerId = string;

/** A frame's topic: one header byte, 1..255 (0 carries the transport's own control frames). */
export type Topic = number;

export const MIN_TOPIC = 1;
export const MAX_TOPIC = 255;

export type MessageHandler = (peer: PeerId, topic: Topic, bytes: Uint8Array) => void;
export type PeerHandler = (peer: PeerId) => void;
export type Unsubscribe = () => void;

/**
 * Why a peer is penalized; each reason costs the points in PENALTY_POINTS (peerScore.ts).
 * `malformed-frame` is the transport's own (broken framing); the rest are for the host that
 * decodes and validates what arrives.
 */
export type PenaltyReason = 'malformed-frame' | 'undecodable' | 'invalid-signature' | 'invalid-message' | 'unwanted';

/**
 * What to do when a peer's bounded outgoing queue is full (the peer, or the link to it, is slower
 * than we produce): drop the oldest queued frames to make room, or disconnect the peer (it then
 * redials and catches up by block sync).
 */
export type OverflowPolicy = 'drop-oldest' | 'disconnect';

/** Counters since start, for metrics and benchmarks. */
export interface TransportStats {
  peers: number;
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  /** Frames dropped by the drop-oldest policy. */
  framesDropped: number;
  /** Peers disconnected by the disconnect policy. */
  overflowDisconnects: number;
}

export interface PeerTransport {
  /** This node's peer id, known before start. */
  readonly peerId: PeerId;
  /** Addresses other nodes dial to reach this one (each names this peer id); empty before start. */
  listenAddresses(): string[];
  start(): Promise<void>;
  /** Closes every session, cancels every redial and releases every socket and timer. */
  stop(): Promise<void>;
  /**
   * Keeps a session with each address's peer: dials now (or at start) and redials with backoff
   * whenever the session drops, until `disconnect(peer)`. Each address must name its peer id.
   * Throws GridLedgerError NET_BAD_ADDRESS on an address this transport cannot dial.
   */
  dial(addresses: readonly string[]): void;
  /** Closes the session with `peer` and stops redialing it. */
  disconnect(peer: PeerId): void;
  /** The peer an address names (as `dial` reads it). Throws GridLedgerError NET_BAD_ADDRESS. */
  addressPeer(address: string): PeerId;
  /** Peers with an open session, sorted. */
  connectedPeers(): PeerId[];
  /**
   * Queues one frame to `peer`. False when no session is open with it. `bytes` is queued by
   * reference: do not modify it afterwards. Throws NET_BAD_TOPIC or NET_FRAME_TOO_LARGE.
   */
  send(peer: PeerId, topic: Topic, bytes: Uint8Array): boolean;
  /** Queues one frame to every connected peer; returns how many peers it was queued to. */
  broadcast(topic: Topic, bytes: Uint8Array): number;
  /**
   * Frames in the order each peer sent them (per peer; no order across peers), except that a
   * frame of a bulk topic (option `bulkTopics`) may arrive after frames of other topics sent later.
   */
  onMessage(handler: MessageHandler): Unsubscribe;
  /** A session opened: `send` to this peer now works. */
  onPeerConnect(handler: PeerHandler): Unsubscribe;
  /** A session closed (remote gone, stop, ban, overflow or `disconnect`). */
  onPeerDisconnect(handler: PeerHandler): Unsubscribe;
  /**
   * Lowers the peer's score; at or below the ban score the peer is disconnected and banned
   * (no session either way) for the ban period. The consensus host calls it on invalid messages.
   */
  penalize(peer: PeerId, reason: PenaltyReason): void;
  /** The peer's current score: 0 is clean, penalties make it negative, it decays back to 0. */
  score(peer: PeerId): number;
  isBanned(peer: PeerId): boolean;
  stats(): TransportStats;
}

/** Where the transport writes what an operator may want to see; pino's logger fits. */
export interface NetLogger {
  debug(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}
