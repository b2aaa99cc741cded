/**
 * Transport throughput: 1 KiB frames from one node to another in this process, with at most a
 * window of frames in flight (so the bounded queue never drops), timed from the first send to the
 * last delivery. `net.libp2p.msgs_per_s` is over loopback TCP with Noise and Yamux;
 * `net.inproc.msgs_per_s` is the in-process hub; `net.libp2p.rtt_ms` is the median round trip of
 * a small frame (ping-pong), the latency a consensus vote pays on an idle link.
 */
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { createInprocHub } from './inproc/inprocHub.ts';
import { createLibp2pTransport } from './libp2p/libp2pTransport.ts';
import type { PeerTransport } from './transport.ts';

const FRAME_BYTES = 1024;
const WINDOW = 4096;
const BURST = 256;

async function pair(kind: 'libp2p' | 'inproc'): Promise<[PeerTransport, PeerTransport]> {
  const hub = createInprocHub();
  const make = (i: number): Promise<PeerTransport> =>
    kind === 'libp2p' ? createLibp2pTransport({ seed: new Uint8Array(32).fill(i + 1) }) : Promise.resolve(hub.createTransport(`node${i}`));
  const a = await make(0);
  const b = await make(1);
  await a.start();
  await b.start();
  a.dial(b.listenAddresses());
  while (a.connectedPeers().length === 0 || b.connectedPeers().length === 0) await new Promise((r) => setTimeout(r, 5));
  return [a, b];
}

/** Sends `count` frames a -> b; returns messages per second. */
async function stream(a: PeerTransport, b: PeerTransport, count: number): Promise<number> {
  const payload = new Uint8Array(FRAME_BYTES).fill(0x5a);
  let received = 0;
  let sentSoFar = 0;
  let wake: (() => void) | undefined;
  const off = b.onMessage(() => {
    received++;
    if (wake !== undefined && (received === count || sentSoFar - received <= WINDOW / 2)) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  const t0 = performance.now();
  while (received < count) {
    if (sentSoFar < count && sentSoFar - received < WINDOW) {
      const n = Math.min(BURST, count - sentSoFar);
      for (let i = 0; i < n; i++) a.send(b.peerId, 1, payload);
      sentSoFar += n;
      // Let the queue flush and deliveries run between bursts.
      await new Promise((r) => setImmediate(r));
    } else {
      await new Promise<void>((r) => (wake = r));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  off();
  return count / seconds;
}

async function roundTripMs(a: PeerTransport, b: PeerTransport, rounds: number): Promise<number> {
  const offB = b.onMessage((peer, topic, bytes) => b.send(peer, topic, bytes));
  let resolveOne: (() => void) | undefined;
  const offA = a.onMessage(() => resolveOne?.());
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      resolveOne = r;
      a.send(b.peerId, 2, Uint8Array.of(i & 0xff));
    });
    samples.push(performance.now() - t0);
  }
  offA();
  offB();
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function throughput(kind: 'libp2p' | 'inproc', count: number): Promise<Figure[]> {
  const [a, b] = await pair(kind);
  try {
    await stream(a, b, Math.floor(count / 10)); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await stream(a, b, count));
    const dropped = a.stats().framesDropped;
    const figures: Figure[] = [
      {
        name: `net.${kind}.msgs_per_s`,
        value: Math.round(median(runs)),
        unit: 'msgs/s',
        frame_bytes: FRAME_BYTES,
        messages: count,
        runs: runs.map(Math.round),
        in_flight_window: WINDOW,
        frames_dropped: dropped,
      },
    ];
    if (kind === 'libp2p') {
      figures.push({ name: 'net.libp2p.rtt_ms', value: Number((await roundTripMs(a, b, 500)).toFixed(3)), unit: 'ms', rounds: 500 });
    }
    return figures;
  } finally {
    await a.stop();
    await b.stop();
  }
}

export const benchmarks: Benchmark[] = [
  { names: ['net.libp2p.msgs_per_s', 'net.libp2p.rtt_ms'], run: () => throughput('libp2p', 200_000) },
  { names: ['net.inproc.msgs_per_s'], run: () => throughput('inproc', 1_000_000) },
];
