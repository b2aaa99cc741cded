import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTx, decodeBlock } from '../ledger/index.ts';
import type { PeerTransport } from '../net/transport.ts';
import { startCluster, stopCluster } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { decodeTxBatch, TOPIC } from './messages.ts';
import type { LocalNode } from './nodeRuntime.ts';
import { createNode } from './nodeRuntime.ts';

let running: Cluster | undefined;
const followers: LocalNode[] = [];
afterEach(async () => {
  for (const f of followers.splice(0)) await f.stop();
  if (running !== undefined) await stopCluster(running);
  running = undefined;
});

/** Transactions each transport sent in tx batches (one entry per copy per peer). */
type SentLog = Map<string, number>;

function counting(inner: PeerTransport, log: SentLog): PeerTransport {
  const note = (bytes: Uint8Array, copies: number): void => {
    log.set(inner.peerId, (log.get(inner.peerId) ?? 0) + decodeTxBatch(bytes).length * copies);
  };
  return Object.assign(Object.create(inner) as PeerTransport, {
    send(peer: string, topic: number, bytes: Uint8Array): boolean {
      const ok = inner.send(peer, topic, bytes);
      if (ok && topic === TOPIC.txs) note(bytes, 1);
      return ok;
    },
    broadcast(topic: number, bytes: Uint8Array): number {
      const n = inner.broadcast(topic, bytes);
      if (topic === TOPIC.txs) note(bytes, n);
      return n;
    },
  });
}

async function setup(): Promise<{ c: Cluster; sent: SentLog }> {
  const sent: SentLog = new Map();
  const c = await startCluster({ validators: 4, clock: 'virtual', blockPolicy: { kind: 'interval', intervalMs: 1000 }, wrapTransport: (_, t) => counting(t, sent) });
  running = c;
  await c.waitForHeight(2);
  return { c, sent };
}

function pay(c: Cluster, nonce: number): Uint8Array {
  const alice = c.chain.accounts['alice'];
  const bob = c.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('fixture');
  return buildTx(alice, { chainId: c.chain.genesis.chainId, nonce, type: 'transfer', body: { to: bob.address, amountUc: 10 + nonce } }, c.chain.genesis.params);
}

/** A node without a validator key, connected to node`validator` only. */
async function follower(c: Cluster, sent: SentLog, validator: number): Promise<LocalNode> {
  const f = createNode({
    homeConfig: { chainId: c.chain.genesis.chainId, genesis: c.chain.genesis, validatorKey: null, dataDir: null, walDir: null },
    transport: counting(c.hub.createTransport('follower'), sent),
    clock: c.clock,
    logger: pino({ level: 'silent' }),
    peers: [c.hub.addressOf(`node${validator}`)],
  });
  followers.push(f);
  await f.start();
  expect(await c.runUntil(() => f.status().peers === 1, { maxMs: 5_000 })).toBe(true);
  return f;
}

/** Heights (on node0) whose blocks carry the transaction. */
function heightsOf(c: Cluster, hash: string): number[] {
  const out: number[] = [];
  for (let h = 1; h <= c.node(0).status().height; h++) {
    if (c.node(0).getBlock(h)?.txs.includes(hash) === true) out.push(h);
  }
  return out;
}

describe('transaction relay', () => {
  it('a transfer submitted to a follower linked to one validator reaches the validators and is committed', async () => {
    const { c, sent } = await setup();
    const f = await follower(c, sent, 2);
    const txs = [pay(c, 0), pay(c, 1), pay(c, 2)];
    const results = await Promise.all(txs.map((tx) => f.submitTx(tx)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const hashes = results.map((r) => r.hash);
    expect(await c.runUntil(() => hashes.every((h) => c.node(0).getTx(h) !== null), { maxMs: 20_000 })).toBe(true);
    for (const h of hashes) expect(heightsOf(c, h)).toHaveLength(1);
    expect(await c.runUntil(() => hashes.every((h) => f.getTx(h)?.code === 0), { maxMs: 10_000 })).toBe(true);
    // Relayed once: the follower sent each to its validator, which sent each to the 3 others
    // (never back to the follower); validators that got them from node2 sent nothing.
    expect(sent.get('follower')).toBe(3);
    expect(sent.get('node2')).toBe(9);
    for (const v of ['node0', 'node1', 'node3']) expect(sent.get(v) ?? 0).toBe(0);
  });

  it('inside the validator mesh a transaction goes out once, from the validator that took it', async () => {
    const { c, sent } = await setup();
    const f = await follower(c, sent, 3);
    const r = await c.node(1).submitTx(pay(c, 0));
    expect(r.code).toBe(0);
    expect(await c.runUntil(() => c.node(0).getTx(r.hash) !== null, { maxMs: 20_000 })).toBe(true);
    // node1 broadcast it to its 3 peers; node3 relays nothing it got from the mesh, so the
    // follower behind it does not hear it (it follows the chain by block sync instead).
    expect(sent.get('node1')).toBe(3);
    for (const v of ['node0', 'node2', 'node3', 'follower']) expect(sent.get(v) ?? 0).toBe(0);
    expect(await c.runUntil(() => f.getTx(r.hash) !== null, { maxMs: 10_000 })).toBe(true);
    const block = f.getBlock(f.getTx(r.hash)?.height ?? 0);
    expect(block === null ? [] : decodeBlock(block.bytes).txs).toHaveLength(1);
  });
});
