/**
 * Run by transport.test.ts in a child process: uses a transport with every kind of pending work
 * (sessions, a redial to a dead address, a ban, delayed frames), stops it, and must then exit on
 * its own. A socket or timer left behind keeps the process alive and fails the test.
 */
import { createInprocHub } from './inproc/inprocHub.ts';
import { createLibp2pTransport } from './libp2p/libp2pTransport.ts';
import { peerIdFromEd25519PublicKey } from './libp2p/peerId.ts';
import type { PeerTransport } from './transport.ts';

const impl = process.argv[2];
const hub = createInprocHub();
const make = async (i: number): Promise<PeerTransport> =>
  impl === 'libp2p' ? createLibp2pTransport({ seed: new Uint8Array(32).fill(i + 1) }) : hub.createTransport(`node${i}`);
const deadAddress =
  impl === 'libp2p' ? `/ip4/127.0.0.1/tcp/1/p2p/${peerIdFromEd25519PublicKey(new Uint8Array(32).fill(7))}` : hub.addressOf('ghost');

const nodes = [await make(0), await make(1), await make(2)];
let received = 0;
for (const t of nodes) {
  t.onMessage(() => received++);
  await t.start();
}
const everyone = nodes.map((t) => t.listenAddresses()[0] ?? '');
for (const t of nodes) t.dial([...everyone, deadAddress]);
const settle = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};
await settle(() => nodes.every((t) => t.connectedPeers().length === 2));
for (const t of nodes) t.broadcast(1, Uint8Array.of(1, 2, 3));
await settle(() => received === 6);

const [a, b, c] = nodes;
if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
a.penalize(c.peerId, 'malformed-frame'); // banned: a redial waits for the ban to end
hub.setFaults({ delayMs: () => 60_000 });
b.broadcast(2, Uint8Array.of(4)); // in-process: held on a delay timer
await Promise.all(nodes.map((t) => t.stop()));
process.stdout.write(`exchanged ${received} frames, stopped\n`);
