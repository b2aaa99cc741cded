/**
 * The compliance suite: every PeerTransport implementation must pass it unchanged (as js-libp2p
 * runs one suite against all its transports).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { createInprocHub } from './inproc/inprocHub.ts';
import { createLibp2pTransport } from './libp2p/libp2pTransport.ts';
import type { TransportOptions } from './options.ts';
import type { PeerId, PeerTransport, Topic } from './transport.ts';

interface Network {
  /** Transport number i; the same i is the same identity. `listen` reuses a stopped one's addresses. */
  make(i: number, options?: TransportOptions, listen?: string[]): Promise<PeerTransport>;
}

interface Implementation {
  name: string;
  network(): Network;
}

const seedOf = (i: number): Uint8Array => new Uint8Array(32).fill(i + 1);
const stripPeer = (a: string): string => a.replace(/\/p2p\/[^/]+$/, '');

const implementations: Implementation[] = [
  {
    name: 'libp2p',
    network: () => ({
      make: (i, options = {}, listen) =>
        createLibp2pTransport({ ...options, seed: seedOf(i), listen: (listen ?? ['/ip4/127.0.0.1/tcp/0']).map(stripPeer) }),
    }),
  },
  {
    name: 'inproc',
    network: () => {
      const hub = createInprocHub();
      return { make: async (i, options = {}) => hub.createTransport(`node${i}`, options) };
    },
  },
];

const fast: TransportOptions = { redialMinMs: 20, redialMaxMs: 100 };

interface Received {
  peer: PeerId;
  topic: Topic;
  bytes: Uint8Array;
}

function record(t: PeerTransport): { inbox: Received[]; connects: PeerId[]; disconnects: PeerId[] } {
  const log = { inbox: [] as Received[], connects: [] as PeerId[], disconnects: [] as PeerId[] };
  t.onMessage((peer, topic, bytes) => log.inbox.push({ peer, topic, bytes }));
  t.onPeerConnect((peer) => log.connects.push(peer));
  t.onPeerDisconnect((peer) => log.disconnects.push(peer));
  return log;
}

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(implementations)('PeerTransport compliance: $name', (impl) => {
  const live: PeerTransport[] = [];
  let net: Network;

  async function node(i: number, options: TransportOptions = fast, listen?: string[]): Promise<PeerTransport> {
    net ??= impl.network();
    const t = await net.make(i, options, listen);
    live.push(t);
    await t.start();
    return t;
  }

  const addr = (t: PeerTransport): string => {
    const a = t.listenAddresses()[0];
    if (a === undefined) throw new Error('transport has no listen address');
    return a;
  };

  afterEach(async () => {
    await Promise.all(live.splice(0).map((t) => t.stop()));
    net = impl.network();
  });

  it('connects the dialer and the dialed, each seeing the other once', async () => {
    const a = await node(0);
    const b = await node(1);
    const la = record(a);
    const lb = record(b);
    expect(a.peerId).not.toBe(b.peerId);
    expect(addr(b)).toContain(b.peerId);
    a.dial([addr(b)]);
    await waitFor('both sides connected', () => la.connects.length === 1 && lb.connects.length === 1);
    expect(la.connects).toEqual([b.peerId]);
    expect(lb.connects).toEqual([a.peerId]);
    expect(a.connectedPeers()).toEqual([b.peerId]);
    expect(b.connectedPeers()).toEqual([a.peerId]);
  });

  it('sends a frame to one peer only, with its topic and bytes', async () => {
    const [a, b, c] = [await node(0), await node(1), await node(2)];
    const [lb, lc] = [record(b), record(c)];
    a.dial([addr(b), addr(c)]);
    await waitFor('a connected to b and c', () => a.connectedPeers().length === 2);
    expect(a.send(b.peerId, 7, text('for b'))).toBe(true);
    expect(a.send(c.peerId, 9, text('marker'))).toBe(true);
    await waitFor('b and c received', () => lb.inbox.length === 1 && lc.inbox.length === 1);
    expect(lb.inbox[0]).toEqual({ peer: a.peerId, topic: 7, bytes: text('for b') });
    // Had c been sent b's frame, it would have arrived before the marker on the same stream.
    expect(lc.inbox).toEqual([{ peer: a.peerId, topic: 9, bytes: text('marker') }]);
    expect(a.send('not-a-peer', 1, text('x'))).toBe(false);
  });

  it('broadcasts to every connected peer', async () => {
    const [a, b, c] = [await node(0), await node(1), await node(2)];
    const [lb, lc] = [record(b), record(c)];
    b.dial([addr(a)]);
    c.dial([addr(a)]);
    await waitFor('a has two peers', () => a.connectedPeers().length === 2);
    expect(a.broadcast(3, text('all'))).toBe(2);
    await waitFor('both received', () => lb.inbox.length === 1 && lc.inbox.length === 1);
    expect(lb.inbox[0]?.bytes).toEqual(text('all'));
    expect(lc.inbox[0]?.peer).toBe(a.peerId);
  });

  it('settles a full mesh where everyone dials everyone on one stable session per pair', async () => {
    const nodes = [await node(0), await node(1), await node(2), await node(3)];
    const logs = nodes.map(record);
    const everyone = nodes.map(addr);
    for (const t of nodes) t.dial(everyone); // its own address included, as a shared list would
    await waitFor('every node has 3 peers', () => nodes.every((t) => t.connectedPeers().length === 3));
    for (const t of nodes) expect(t.broadcast(1, text(t.peerId))).toBe(3);
    await waitFor('every node heard the 3 others', () => logs.every((l) => l.inbox.length === 3));
    nodes.forEach((t, i) => {
      const others = nodes.filter((o) => o !== t).map((o) => o.peerId).sort();
      expect(logs[i]?.inbox.map((m) => m.peer).sort()).toEqual(others);
      expect(logs[i]?.connects.slice().sort()).toEqual(others);
      expect(logs[i]?.disconnects).toEqual([]);
    });
  });

  it('delivers each peer its frames in the order sent', async () => {
    const [a, b] = [await node(0), await node(1)];
    const lb = record(b);
    a.dial([addr(b)]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    const count = 3000;
    for (let i = 0; i < count; i++) {
      const bytes = new Uint8Array(4 + (i % 300));
      new DataView(bytes.buffer).setUint32(0, i);
      a.send(b.peerId, 1 + (i % 5), bytes);
      if (i % 500 === 0) await sleep(1); // across several event-loop turns, so several batches
    }
    await waitFor('all frames', () => lb.inbox.length === count);
    const seqs = lb.inbox.map((m) => new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0));
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(lb.inbox.map((m) => m.topic).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 1]);
    expect(lb.inbox[count - 1]?.bytes.length).toBe(4 + ((count - 1) % 300));
  });

  it('sends frames of bulk topics only when no other frame waits, each kind in order', async () => {
    const opts: TransportOptions = { ...fast, bulkTopics: [3, 7] };
    const [a, b] = [await node(0, opts), await node(1, opts)];
    const lb = record(b);
    a.dial([addr(b)]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    // One synchronous burst, bulk first: nothing leaves the queue before the next event-loop turn.
    for (let i = 0; i < 12; i++) {
      a.send(b.peerId, i % 2 === 0 ? 3 : 7, new Uint8Array(32 * 1024).fill(i));
      if (i % 4 === 3) a.send(b.peerId, 1 + ((i >> 2) % 2), Uint8Array.of(100 + i));
    }
    await waitFor('all frames', () => lb.inbox.length === 15);
    expect(lb.inbox.map((m) => m.bytes[0])).toEqual([103, 107, 111, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(lb.inbox.map((m) => m.topic).slice(0, 5)).toEqual([1, 2, 1, 3, 7]);
  });

  it('carries frames up to the maximum size, empty ones too, and refuses larger frames and bad topics', async () => {
    const max = 1024 * 1024;
    const [a, b] = [await node(0, { ...fast, maxFrameBytes: max }), await node(1, { ...fast, maxFrameBytes: max })];
    const lb = record(b);
    a.dial([addr(b)]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    const big = new Uint8Array(max);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    expect(a.send(b.peerId, 2, big)).toBe(true);
    expect(a.send(b.peerId, 2, new Uint8Array(0))).toBe(true);
    expect(a.send(b.peerId, 255, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(thrownCode(() => a.send(b.peerId, 2, new Uint8Array(max + 1)))).toBe('NET_FRAME_TOO_LARGE');
    expect(thrownCode(() => a.broadcast(2, new Uint8Array(max + 1)))).toBe('NET_FRAME_TOO_LARGE');
    expect(thrownCode(() => a.send(b.peerId, 0, Uint8Array.of(1)))).toBe('NET_BAD_TOPIC');
    expect(thrownCode(() => a.send(b.peerId, 256, Uint8Array.of(1)))).toBe('NET_BAD_TOPIC');
    expect(thrownCode(() => a.send(b.peerId, 1.5, Uint8Array.of(1)))).toBe('NET_BAD_TOPIC');
    await waitFor('three frames', () => lb.inbox.length === 3);
    expect(lb.inbox[0]?.bytes.length).toBe(max);
    expect(Buffer.from(lb.inbox[0]?.bytes ?? []).equals(Buffer.from(big))).toBe(true);
    expect(lb.inbox[1]?.bytes.length).toBe(0);
    expect(lb.inbox[2]).toEqual({ peer: a.peerId, topic: 255, bytes: Uint8Array.of(1, 2, 3) });
  });

  it('keeps delivering when a message handler throws', async () => {
    const [a, b] = [await node(0), await node(1)];
    b.onMessage(() => {
      throw new Error('handler bug');
    });
    const lb = record(b);
    a.dial([addr(b)]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    a.send(b.peerId, 1, text('one'));
    a.send(b.peerId, 1, text('two'));
    await waitFor('both frames', () => lb.inbox.length === 2);
    expect(lb.inbox.map((m) => new TextDecoder().decode(m.bytes))).toEqual(['one', 'two']);
    expect(b.connectedPeers()).toEqual([a.peerId]);
  });

  it('refuses addresses it cannot dial', async () => {
    const a = await node(0);
    expect(thrownCode(() => a.dial(['not an address']))).toBe('NET_BAD_ADDRESS');
    expect(thrownCode(() => a.dial(['/ip4/127.0.0.1/udp/1']))).toBe('NET_BAD_ADDRESS');
  });

  it('names the peer an address points to, as dial reads it', async () => {
    const a = await node(0);
    const b = await node(1);
    expect(a.addressPeer(addr(b))).toBe(b.peerId);
    expect(b.addressPeer(addr(a))).toBe(a.peerId);
    expect(thrownCode(() => a.addressPeer('not an address'))).toBe('NET_BAD_ADDRESS');
  });

  it('reports a restarted peer gone, then redials it and talks again', async () => {
    const a = await node(0);
    let b = await node(1);
    const la = record(a);
    a.dial([addr(b)]);
    await waitFor('connected', () => la.connects.length === 1);
    const bAddresses = b.listenAddresses();
    await b.stop();
    await waitFor('a sees b gone', () => la.disconnects.length === 1);
    expect(la.disconnects).toEqual([b.peerId]);
    expect(a.connectedPeers()).toEqual([]);
    expect(a.send(b.peerId, 1, text('lost'))).toBe(false);

    b = await node(1, fast, bAddresses);
    const lb = record(b);
    await waitFor('a redialed b', () => la.connects.length === 2 && lb.connects.length === 1);
    expect(la.connects).toEqual([b.peerId, b.peerId]);
    a.send(b.peerId, 4, text('again'));
    await waitFor('b got it', () => lb.inbox.length === 1);
    expect(lb.inbox[0]).toEqual({ peer: a.peerId, topic: 4, bytes: text('again') });
  });

  it('disconnect(peer) closes the session on both sides and stops redialing', async () => {
    const [a, b] = [await node(0), await node(1)];
    const [la, lb] = [record(a), record(b)];
    a.dial([addr(b)]);
    await waitFor('connected', () => la.connects.length === 1);
    a.disconnect(b.peerId);
    expect(la.disconnects).toEqual([b.peerId]);
    expect(a.connectedPeers()).toEqual([]);
    await waitFor('b sees it', () => lb.disconnects.length === 1);
    await sleep(10 * (fast.redialMaxMs ?? 0)); // several redial periods
    expect(la.connects).toHaveLength(1);
    expect(b.connectedPeers()).toEqual([]);
  });

  it('penalize lowers the score, bans below the threshold, refuses the peer until the ban ends', async () => {
    const opts: TransportOptions = { ...fast, banMs: 400 };
    const [a, b] = [await node(0, opts), await node(1, opts)];
    const [la, lb] = [record(a), record(b)];
    a.dial([addr(b)]);
    b.dial([addr(a)]);
    await waitFor('connected', () => a.connectedPeers().length === 1 && b.connectedPeers().length === 1);

    a.penalize(b.peerId, 'invalid-message');
    expect(a.score(b.peerId)).toBeCloseTo(-20, 3);
    expect(a.isBanned(b.peerId)).toBe(false);
    expect(a.connectedPeers()).toEqual([b.peerId]);
    a.penalize(b.peerId, 'invalid-signature');
    a.penalize(b.peerId, 'invalid-signature');
    expect(a.isBanned(b.peerId)).toBe(true);
    expect(a.connectedPeers()).toEqual([]);
    expect(la.disconnects).toEqual([b.peerId]);
    expect(a.send(b.peerId, 1, text('x'))).toBe(false);
    await waitFor('b sees the ban', () => lb.disconnects.length === 1);
    // Both keep dialing each other; neither succeeds while a bans b.
    await sleep(150);
    expect(a.connectedPeers()).toEqual([]);
    expect(b.connectedPeers()).toEqual([]);
    expect(b.isBanned(a.peerId)).toBe(false);

    await waitFor('reconnected after the ban', () => a.connectedPeers().length === 1 && b.connectedPeers().length === 1);
    expect(a.isBanned(b.peerId)).toBe(false);
    expect(a.score(b.peerId)).toBe(0);
    b.send(a.peerId, 5, text('back'));
    await waitFor('a hears b', () => la.inbox.length === 1);
    expect(la.inbox[0]?.bytes).toEqual(text('back'));
  });

  it('bounds the outgoing queue: drop-oldest keeps the newest frames', async () => {
    const frame = 1024;
    const opts: TransportOptions = { ...fast, maxFrameBytes: frame, maxQueueBytes: 8 * (frame + 5) };
    const [a, b] = [await node(0, opts), await node(1, opts)];
    const lb = record(b);
    a.dial([addr(b)]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    // One synchronous burst: nothing leaves the queue before the next event-loop turn.
    for (let i = 0; i < 100; i++) expect(a.send(b.peerId, 1, new Uint8Array(frame).fill(i))).toBe(true);
    await waitFor('the 8 newest frames', () => lb.inbox.length === 8);
    expect(lb.inbox.map((m) => m.bytes[0])).toEqual([92, 93, 94, 95, 96, 97, 98, 99]);
    expect(a.stats().framesDropped).toBe(92);
    await sleep(20);
    expect(lb.inbox).toHaveLength(8);
  });

  it('bounds the outgoing queue: the disconnect policy drops the peer, which comes back later', async () => {
    const frame = 1024;
    const opts: TransportOptions = { ...fast, maxFrameBytes: frame, maxQueueBytes: 8 * (frame + 5), overflow: 'disconnect' };
    const [a, b] = [await node(0, opts), await node(1, opts)];
    const [la, lb] = [record(a), record(b)];
    a.dial([addr(b)]);
    await waitFor('connected', () => la.connects.length === 1);
    const sent = Array.from({ length: 9 }, (_, i) => a.send(b.peerId, 1, new Uint8Array(frame).fill(i)));
    expect(sent).toEqual([true, true, true, true, true, true, true, true, false]);
    expect(la.disconnects).toEqual([b.peerId]);
    expect(a.stats().overflowDisconnects).toBe(1);
    await waitFor('b sees it', () => lb.disconnects.length === 1);
    await waitFor('redialed', () => la.connects.length === 2);
  });

  it('stop closes every session and the transport stays quiet', async () => {
    const [a, b, c] = [await node(0), await node(1), await node(2)];
    const [la, lb] = [record(a), record(b)];
    a.dial([addr(b), addr(c)]);
    b.dial([addr(c)]);
    await waitFor('mesh', () => a.connectedPeers().length === 2 && b.connectedPeers().length === 2);
    await a.stop();
    expect(la.disconnects.slice().sort()).toEqual([b.peerId, c.peerId].sort());
    expect(a.connectedPeers()).toEqual([]);
    expect(a.listenAddresses()).toEqual([]);
    expect(a.stats().peers).toBe(0);
    expect(a.broadcast(1, text('x'))).toBe(0);
    await waitFor('b sees a gone', () => lb.disconnects.includes(a.peerId));
    expect(b.connectedPeers()).toEqual([c.peerId]);
    await a.stop(); // idempotent
    await expect(a.start()).rejects.toMatchObject({ code: 'NET_BAD_STATE' });
  });

  it('stop releases every socket and timer: a process that used it exits by itself', async () => {
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'transportExit.fixture.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, impl.name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Generous: a hang, not slowness, is what this catches.
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    expect({ code, signal, err: err.slice(-2000) }).toEqual({ code: 0, signal: null, err: '' });
    expect(out.trim()).toBe('exchanged 6 frames, stopped');
  });
});
