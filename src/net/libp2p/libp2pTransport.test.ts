import '../polyfill.ts';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { afterEach, describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../../errors.ts';
import type { PeerTransport } from '../transport.ts';
import { addressPeer, CONSENSUS_PROTOCOL, createLibp2pTransport } from './libp2pTransport.ts';
import { peerIdFromEd25519PublicKey } from './peerId.ts';

/** The raw public key Node's crypto derives from an Ed25519 seed (what the ledger's keys use). */
function nodePublicKey(seed: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

async function codeOfAsync(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isGridLedgerError(e) ? e.code : 'not a GridLedgerError';
  }
  return undefined;
}

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('libp2p transport', () => {
  const toStop: Array<PeerTransport | Libp2p> = [];
  afterEach(async () => {
    await Promise.all(toStop.splice(0).map((t) => t.stop()));
  });

  it('takes its peer id from the node key, as others compute it from the public key', async () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
    const t = await createLibp2pTransport({ seed });
    const again = await createLibp2pTransport({ seed });
    const other = await createLibp2pTransport({ seed: new Uint8Array(32).fill(9) });
    expect(t.peerId).toBe(peerIdFromEd25519PublicKey(nodePublicKey(seed)));
    expect(again.peerId).toBe(t.peerId);
    expect(other.peerId).not.toBe(t.peerId);
    expect(t.peerId).toMatch(/^12D3KooW/);
    toStop.push(t);
    await t.start();
    const [listen] = t.listenAddresses();
    expect(listen).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${t.peerId}$`));
    expect(addressPeer(listen ?? '')).toBe(t.peerId);
  });

  it('refuses bad options', async () => {
    expect(await codeOfAsync(createLibp2pTransport({ seed: new Uint8Array(31) }))).toBe('NET_BAD_OPTIONS');
    expect(await codeOfAsync(createLibp2pTransport({ seed: new Uint8Array(32), listen: ['nonsense'] }))).toBe('NET_BAD_OPTIONS');
    expect(await codeOfAsync(createLibp2pTransport({ seed: new Uint8Array(32), maxQueueBytes: 10 }))).toBe('NET_BAD_OPTIONS');
    expect(await codeOfAsync(createLibp2pTransport({ seed: new Uint8Array(32), bulkTopics: [0] }))).toBe('NET_BAD_OPTIONS');
  });

  // Where a vote sent one event-loop turn after `bulkFrames` frames of 64 KiB lands among them, over
  // loopback: by then the link is writing the bulk frames and waits for the stream to drain.
  async function votePosition(bulkTopics: number[], bulkFrames: number): Promise<number> {
    const [a, b] = [
      await createLibp2pTransport({ seed: new Uint8Array(32).fill(21), bulkTopics }),
      await createLibp2pTransport({ seed: new Uint8Array(32).fill(22), bulkTopics }),
    ];
    toStop.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const topics: number[] = [];
    b.onMessage((_peer, topic) => topics.push(topic));
    a.dial(b.listenAddresses());
    await waitFor('connected', () => a.connectedPeers().length === 1);
    for (let i = 0; i < bulkFrames; i++) a.send(b.peerId, 3, new Uint8Array(64 * 1024).fill(i));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    a.send(b.peerId, 2, Uint8Array.of(1));
    await waitFor('every frame', () => topics.length === bulkFrames + 1);
    return topics.indexOf(2);
  }

  it('sends a vote queued after 4 MiB of bulk frames ahead of most of them', async () => {
    const ahead = await votePosition([3], 64);
    expect(ahead).toBeLessThan(16);
    // Without bulk topics the link is one FIFO: the vote comes last.
    expect(await votePosition([], 64)).toBe(64);
  });

  describe('against a raw libp2p peer', () => {
    async function rawPeer(): Promise<Libp2p> {
      const raw = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
      });
      toStop.push(raw);
      return raw;
    }

    async function transport(): Promise<PeerTransport> {
      const t = await createLibp2pTransport({ seed: new Uint8Array(32).fill(3) });
      toStop.push(t);
      await t.start();
      return t;
    }

    function watch(stream: Stream): { bytes: number[]; readonly closed: boolean } {
      const bytes: number[] = [];
      stream.addEventListener('message', (e) => bytes.push(...(e.data instanceof Uint8Array ? e.data : e.data.subarray())));
      // A refused stream may be reset before dialProtocol returns it, its close event gone.
      return {
        bytes,
        get closed() {
          return stream.status !== 'open';
        },
      };
    }

    it('accepts an opened stream with the ACCEPT control frame, then delivers its frames', async () => {
      const t = await transport();
      const raw = await rawPeer();
      const got: number[][] = [];
      t.onMessage((_p, topic, bytes) => got.push([topic, ...bytes]));
      const stream = await raw.dialProtocol(multiaddr(t.listenAddresses()[0] ?? ''), CONSENSUS_PROTOCOL);
      const seen = watch(stream);
      await waitFor('ACCEPT', () => seen.bytes.length === 6);
      expect(seen.bytes).toEqual([0, 0, 0, 1, 0, 1]);
      expect(t.connectedPeers()).toEqual([raw.peerId.toString()]);
      stream.send(Uint8Array.of(0, 0, 0, 2, 7, 8, 9));
      await waitFor('frame', () => got.length === 1);
      expect(got).toEqual([[7, 8, 9]]);
      // A second stream while the session is open is refused.
      const second = await raw.dialProtocol(multiaddr(t.listenAddresses()[0] ?? ''), CONSENSUS_PROTOCOL);
      const seen2 = watch(second);
      await waitFor('second stream refused', () => seen2.closed);
      expect(t.connectedPeers()).toEqual([raw.peerId.toString()]);
    });

    it('bans a peer that announces a frame above the limit, and refuses it afterwards', async () => {
      const t = await transport();
      const raw = await rawPeer();
      const rawId = raw.peerId.toString();
      const addr = multiaddr(t.listenAddresses()[0] ?? '');
      const stream = await raw.dialProtocol(addr, CONSENSUS_PROTOCOL);
      const seen = watch(stream);
      await waitFor('connected', () => t.connectedPeers().length === 1);
      stream.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1));
      await waitFor('banned and closed', () => t.isBanned(rawId) && seen.closed);
      expect(t.connectedPeers()).toEqual([]);
      await waitFor('connection dropped', () => raw.getConnections().length === 0);
      await expect(raw.dialProtocol(addr, CONSENSUS_PROTOCOL)).rejects.toThrow();
    });
  });
});
