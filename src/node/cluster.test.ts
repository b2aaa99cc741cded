import { afterEach, describe, expect, it } from 'vitest';
import { buildTx, formatAddress, verificationCount } from '../ledger/index.ts';
import type { Signer } from '../ledger/index.ts';
import { disagreements, startCluster, stopCluster } from './cluster.ts';
import type { Cluster, ClusterOptions } from './cluster.ts';
import { TOPIC } from './messages.ts';
import type { SubmitResult } from './node.ts';

let running: Cluster | undefined;
afterEach(async () => {
  if (running !== undefined) await stopCluster(running);
  running = undefined;
});

async function cluster(opts: Partial<ClusterOptions> = {}): Promise<Cluster> {
  running = await startCluster({ validators: 4, clock: 'virtual', blockPolicy: { kind: 'interval', intervalMs: 1000 }, ...opts });
  return running;
}

function signer(c: Cluster, label: string): Signer {
  const s = c.chain.accounts[label];
  if (s === undefined) throw new Error(`no account ${label}`);
  return s;
}

function transfers(c: Cluster, from: string, to: string, amounts: readonly number[], firstNonce = 0): Uint8Array[] {
  const sender = signer(c, from);
  const recipient = signer(c, to);
  return amounts.map((amountUc, i) =>
    buildTx(sender, { chainId: c.chain.genesis.chainId, nonce: firstNonce + i, type: 'transfer', body: { to: recipient.address, amountUc } }, c.chain.genesis.params),
  );
}

function balance(c: Cluster, node: number, label: string): number {
  const r = c.node(node).query(`account/${formatAddress(signer(c, label).address)}`);
  expect(r.code).toBe(0);
  return (r.value as { balance: number }).balance;
}

async function settleAll(c: Cluster, pending: Array<Promise<SubmitResult>>, maxMs = 30_000): Promise<SubmitResult[]> {
  let done = 0;
  for (const p of pending) void p.then(() => done++);
  expect(await c.runUntil(() => done === pending.length, { maxMs })).toBe(true);
  return Promise.all(pending);
}

describe('in-process cluster of 4 validators', () => {
  it('commits transfers; every node holds the same block ids and computes the same state roots', async () => {
    const c = await cluster();
    const amounts = Array.from({ length: 30 }, (_, i) => 1_000 + i);
    const txs = transfers(c, 'alice', 'bob', amounts);
    const results = await settleAll(c, txs.map((tx, i) => c.node(i % 4).submitTx(tx, { waitForCommit: true })));
    expect(results.map((r) => r.code)).toEqual(txs.map(() => 0));
    await c.waitForHeight(Math.max(...results.map((r) => r.height ?? 0)) + 2);

    expect(disagreements(c)).toEqual([]);
    const height = c.node(0).status().height;
    expect(height).toBeGreaterThanOrEqual(3);
    const committed = new Set<string>();
    for (let h = 1; h <= height; h++) for (const t of c.node(0).getBlock(h)?.txs ?? []) committed.add(t);
    expect(committed.size).toBe(txs.length);
    // Every node answers the same balances, and bob got every transfer.
    const genesisBob = c.chain.genesis.accounts.find((a) => Buffer.from(a.address).equals(Buffer.from(signer(c, 'bob').address)))?.balanceUc;
    for (let i = 0; i < 4; i++) expect(balance(c, i, 'bob')).toBe((genesisBob ?? Number.NaN) + amounts.reduce((a, b) => a + b, 0));
    expect(new Set(c.nodes.map((n) => n.status().appHash)).size).toBe(1);
  });

  it('verifies each transaction signature once per node, also for transactions first seen in a proposal', async () => {
    const c = await cluster();
    // Node 1 never gets transaction gossip: it meets every transaction in a proposal first.
    c.dropFrames((f) => f.topic === TOPIC.txs && f.to === 'node1');
    const v0 = verificationCount();
    const cv0 = c.nodes.reduce((s, n) => s + n.consensusVerifications, 0);
    const txs = transfers(c, 'alice', 'bob', Array.from({ length: 12 }, (_, i) => 10 + i));
    const results = await settleAll(c, txs.map((tx, i) => c.node([0, 2, 3][i % 3] as number).submitTx(tx, { waitForCommit: true })));
    expect(results.every((r) => r.code === 0)).toBe(true);
    await c.waitForHeight(c.node(0).status().height + 1);
    const consensus = c.nodes.reduce((s, n) => s + n.consensusVerifications, 0) - cv0;
    expect(verificationCount() - v0 - consensus).toBe(4 * txs.length);
    expect(disagreements(c)).toEqual([]);
  });

  it('on demand: no block while nothing waits, blocks only with transactions or when asked', async () => {
    const c = await cluster({ blockPolicy: { kind: 'on-demand' } });
    await c.run(60_000);
    expect(c.nodes.map((n) => n.status().height)).toEqual([0, 0, 0, 0]);

    const txs = transfers(c, 'alice', 'bob', [5, 6, 7]);
    const results = await settleAll(c, txs.map((tx, i) => c.node(i).submitTx(tx, { waitForCommit: true })));
    expect(results.every((r) => r.code === 0)).toBe(true);
    await c.run(120_000);
    const height = c.node(0).status().height;
    expect(height).toBeGreaterThanOrEqual(1);
    for (let h = 1; h <= height; h++) expect(c.node(0).getBlock(h)?.txs.length).toBeGreaterThan(0);
    expect(c.nodes.map((n) => n.status().height)).toEqual([height, height, height, height]);

    // A market deadline: asked for, a block comes even though it is empty.
    c.node(2).requestBlock();
    await c.waitForHeight(height + 1);
    expect(c.node(0).getBlock(height + 1)?.txs).toEqual([]);
    await c.run(60_000);
    expect(c.node(0).status().height).toBe(height + 1);
    expect(disagreements(c)).toEqual([]);
  });

  it('on demand: at the time the application needs it, a block with that time comes', async () => {
    const startMs = 1_767_225_600_000;
    const dueMs = startMs + 900_000;
    const c = await cluster({
      blockPolicy: { kind: 'on-demand' },
      genesis: { genesisTimeMs: startMs },
      needsBlockAt: (app) => (app.info().height < 5 ? dueMs : undefined),
    });
    await c.run(899_000);
    expect(c.node(0).status().height).toBe(0);
    await c.run(5_000);
    // Block 1 carries the genesis time; block 2 the time block 1 was committed: the deadline.
    expect(c.nodes.map((n) => n.status().height)).toEqual([2, 2, 2, 2]);
    expect(c.node(0).getBlock(1)?.timeMs).toBeLessThan(dueMs);
    expect(c.node(0).getBlock(2)?.timeMs).toBeGreaterThanOrEqual(dueMs);
    await c.run(600_000);
    expect(c.node(0).status().height).toBe(2);
    expect(disagreements(c)).toEqual([]);
  });

  it('a real chain makes a block at least every interval, empty or not', async () => {
    const c = await cluster({ blockPolicy: { kind: 'interval', intervalMs: 500 } });
    const t0 = c.clock.nowMs();
    await c.run(10_000);
    const height = c.node(0).status().height;
    // 10 s at one block per 500 ms (a few ms of consensus each): about 20 blocks.
    expect(height).toBeGreaterThanOrEqual(18);
    expect(height).toBeLessThanOrEqual(21);
    const times = Array.from({ length: height }, (_, i) => c.node(0).getBlock(i + 1)?.timeMs ?? 0);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeLessThanOrEqual(600);
    expect((times[0] as number) - t0).toBeLessThanOrEqual(0);
  });
});
