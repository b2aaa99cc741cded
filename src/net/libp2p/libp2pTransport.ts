/**
 * The peer transport over libp2p: TCP, Noise, Yamux, and one long-lived stream per peer on the
 * GridLedger protocol carrying length-prefixed frames (no gossipsub, no stream per message).
 *
 * One stream per pair: the side that dials opens a stream and waits for the other side's ACCEPT
 * control frame before sending. When both sides dial at once, the stream opened by the lower peer
 * id wins and the other is refused, so both ends settle on the same stream. docs/network.md.
 */
import '../polyfill.ts';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Connection, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { z } from 'zod';
import { GridLedgerError } from '../../errors.ts';
import { CONTROL_TOPIC } from '../frame.ts';
import type { Frame } from '../frame.ts';
import { resolveOptions } from '../options.ts';
import type { TransportOptions } from '../options.ts';
import { createTransport } from '../transportCore.ts';
import type { Driver, DriverHooks } from '../transportCore.ts';
import type { PeerId, PeerTransport } from '../transport.ts';
import { peerIdOfKey, privateKeyFromSeed } from './peerId.ts';
import { createStreamLink } from './streamLink.ts';
import type { StreamLink } from './streamLink.ts';

export const CONSENSUS_PROTOCOL = '/gridledger/consensus/1.0.0';

/** Control frame: "your stream is the session; send". */
const ACCEPT: Frame = { topic: CONTROL_TOPIC, payload: Uint8Array.of(1) };
const ACCEPT_TIMEOUT_MS = 10_000;

export type Libp2pTransportOptions = TransportOptions & {
  /** The node's 32-byte Ed25519 private key seed: its peer id follows from it. */
  seed: Uint8Array;
  /** Multiaddrs to listen on; default one loopback TCP port chosen by the OS. */
  listen?: readonly string[];
  protocol?: string;
};

const multiaddrString = z.string().refine((s) => {
  try {
    multiaddr(s);
    return true;
  } catch {
    return false;
  }
}, 'not a multiaddr');

const libp2pSettingsSchema = z.strictObject({
  seed: z.instanceof(Uint8Array).refine((s) => s.length === 32, 'seed must be 32 bytes'),
  listen: z.array(multiaddrString).default(['/ip4/127.0.0.1/tcp/0']),
  protocol: z.string().regex(/^\/[\w./-]+$/).default(CONSENSUS_PROTOCOL),
});

/** The peer id an address such as /ip4/10.0.0.2/tcp/26656/p2p/12D3KooW... names. */
export function addressPeer(address: string): PeerId {
  let components;
  try {
    components = multiaddr(address).getComponents();
  } catch (err) {
    throw new GridLedgerError('NET_BAD_ADDRESS', `not a multiaddr: ${address}`, { cause: err });
  }
  const p2p = components.find((c) => c.name === 'p2p')?.value;
  if (p2p === undefined || !components.some((c) => c.name === 'tcp')) {
    throw new GridLedgerError('NET_BAD_ADDRESS', `a peer address needs /tcp/PORT and /p2p/PEER_ID: ${address}`);
  }
  try {
    return peerIdFromString(p2p).toString();
  } catch (err) {
    throw new GridLedgerError('NET_BAD_ADDRESS', `bad peer id in ${address}`, { cause: err });
  }
}

export async function createLibp2pTransport(options: Libp2pTransportOptions): Promise<PeerTransport> {
  const { seed, listen, protocol, ...common } = options;
  const parsed = libp2pSettingsSchema.safeParse({ seed, listen, protocol });
  if (!parsed.success) {
    throw new GridLedgerError('NET_BAD_OPTIONS', `invalid libp2p transport options: ${parsed.error.message}`, { cause: parsed.error });
  }
  const cfg = parsed.data;
  const resolved = resolveOptions(common);
  const privateKey = await privateKeyFromSeed(cfg.seed);
  const selfId = peerIdOfKey(privateKey);

  let hooksRef: DriverHooks | undefined;
  const isBanned = (peer: { toString(): string }): boolean => hooksRef?.isBanned(peer.toString()) ?? false;
  const node = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: cfg.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialPeer: isBanned, denyInboundEncryptedConnection: isBanned },
  });

  return createTransport(resolved, (hooks): Driver => {
    hooksRef = hooks;
    const { settings, logger } = hooks;
    let stopped = false;
    // Our dial in flight per peer; `superseded` once the remote's stream became the session.
    const dialing = new Map<PeerId, { superseded: boolean }>();
    // Our opened stream per peer, waiting for ACCEPT.
    const pending = new Map<PeerId, { link: StreamLink; settle: (err?: Error) => void }>();

    // Wires a stream's link into the session table; `open` is false while it waits for ACCEPT.
    const wire = (stream: Stream, peer: PeerId, open: boolean, onAccept: () => void, onEarlyClose: () => void): StreamLink => {
      let isOpen = open;
      const link = createStreamLink(stream, settings, {
        onFrame(frame) {
          if (frame.topic !== CONTROL_TOPIC) {
            if (isOpen) hooks.received(peer, link, frame.topic, frame.payload);
            else protocolError('data before ACCEPT');
          } else if (!isOpen && frame.payload.length === 1 && frame.payload[0] === 1) {
            isOpen = true;
            onAccept();
          } else {
            protocolError('unexpected control frame');
          }
        },
        onClose() {
          if (isOpen) hooks.closed(peer, link);
          else onEarlyClose();
        },
        onMalformed(err) {
          logger.warn({ peer, err }, 'net: malformed frame');
          hooks.penalize(peer, 'malformed-frame');
        },
      });
      const protocolError = (what: string): void => {
        logger.warn({ peer }, `net: protocol violation: ${what}`);
        hooks.penalize(peer, 'malformed-frame');
        if (!link.isClosed) {
          link.close();
          if (isOpen) hooks.closed(peer, link);
          else onEarlyClose();
        }
      };
      return link;
    };

    const onInbound = (stream: Stream, connection: Connection): void => {
      const peer = connection.remotePeer.toString();
      const mine = dialing.get(peer);
      const minePending = pending.get(peer);
      const refuse =
        stream.status !== 'open' ||
        stopped ||
        hooks.isBanned(peer) ||
        hooks.hasSession(peer) ||
        ((mine !== undefined || minePending !== undefined) && selfId < peer);
      if (refuse) {
        stream.abort(new GridLedgerError('NET_STREAM_REFUSED', 'a session with this peer exists or wins the tie'));
        return;
      }
      if (mine !== undefined) mine.superseded = true;
      const link = wire(stream, peer, true, () => undefined, () => undefined);
      link.enqueue(ACCEPT); // before anything a connect handler sends
      hooks.opened(peer, link);
      if (minePending !== undefined) {
        pending.delete(peer);
        minePending.link.close();
        minePending.settle();
      }
    };

    const connect = async (peer: PeerId, address: string): Promise<void> => {
      const attempt = { superseded: false };
      dialing.set(peer, attempt);
      let stream: Stream;
      try {
        stream = await node.dialProtocol(multiaddr(address), cfg.protocol);
      } finally {
        if (dialing.get(peer) === attempt) dialing.delete(peer);
      }
      if (stopped || attempt.superseded || hooks.hasSession(peer) || pending.has(peer)) {
        stream.abort(new GridLedgerError('NET_STREAM_SUPERSEDED', 'a session with this peer already exists'));
        if (hooks.hasSession(peer)) return;
        throw new GridLedgerError('NET_DIAL_SUPERSEDED', `dial to ${peer} superseded`);
      }
      // Refused before we could listen: its close event has already fired.
      if (stream.status !== 'open') throw new GridLedgerError('NET_STREAM_REFUSED', `${peer} refused the stream`);
      await new Promise<void>((resolve, reject) => {
        const settle = (err?: Error): void => {
          clearTimeout(timer);
          if (pending.get(peer)?.link === link) pending.delete(peer);
          if (err === undefined) resolve();
          else reject(err);
        };
        // A peer that never answers must not hold this dial (and its redials) forever.
        const timer = setTimeout(() => {
          link.close();
          settle(new GridLedgerError('NET_ACCEPT_TIMEOUT', `${peer} did not accept the stream`));
        }, ACCEPT_TIMEOUT_MS);
        const link = wire(
          stream,
          peer,
          false,
          () => {
            pending.delete(peer);
            hooks.opened(peer, link);
            settle(hooks.hasSession(peer) ? undefined : new GridLedgerError('NET_SESSION_REFUSED', 'session refused locally'));
          },
          () => settle(hooks.hasSession(peer) ? undefined : new GridLedgerError('NET_STREAM_REFUSED', `${peer} refused the stream`)),
        );
        pending.set(peer, { link, settle });
      });
    };

    return {
      peerId: selfId,
      listenAddresses: () => node.getMultiaddrs().map((a) => a.toString()),
      addressPeer,
      async start() {
        await node.handle(cfg.protocol, onInbound); // before listening: no stream finds it missing
        await node.start();
      },
      async stop() {
        stopped = true;
        for (const [, p] of pending) {
          p.link.close();
          p.settle(new GridLedgerError('NET_STOPPED', 'transport stopped'));
        }
        pending.clear();
        await node.stop();
      },
      connect,
      evict(peer) {
        const mine = dialing.get(peer);
        if (mine !== undefined) mine.superseded = true;
        const p = pending.get(peer);
        if (p !== undefined) {
          p.link.close();
          p.settle(new GridLedgerError('NET_PEER_BANNED', `${peer} is banned`));
        }
        node.hangUp(peerIdFromString(peer)).catch((err: unknown) => logger.debug({ peer, err }, 'net: hang up failed'));
      },
    };
  });
}
