import { afterEach, describe, expect, it } from 'vitest';
import { buildTx, decodeBlock, EMPTY_COMMIT, encodeBlock, makeBlock, ZERO_HASH } from '../ledger/index.ts';
import pino from 'pino';
import { disagreements, startCluster, stopCluster } from './cluster.ts';
import { createNode } from './nodeRuntime.ts';
import type { Cluster } from './cluster.ts';
import { encodeStatus, encodeSyncResponse, TOPIC } from './messages.ts';

let running: Cluster | undefined;
afterEach(async () => {
  if (running !== undefined) await stopCluster(running);
  running = undefined;
});

async function cluster(): Promise<Cluster> {
  running = await startCluster({ validators: 4, clock: 'virtual', blockPolicy: { kind: 'interval', intervalMs: 1000 } });
  return running;
}

function payBob(c: Cluster, nonce: number): Uint8Array {
  const alice = c.chain.accounts['alice'];
  const bob = c.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('fixture');
  return buildTx(alice, { chainId: c.chain.genesis.chainId, nonce, type: 'transfer', body: { to: bob.address, amountUc: 100 + nonce } }, c.chain.genesis.params);
}

describe('block sync', () => {
  it('a validator restarted after the others moved on catches up by block sync, then votes again', async () => {
    const c = await cluster();
    await c.waitForHeight(3);
    await c.stopNode(3);
    for (let n = 0; n < 10; n++) void c.node(n % 3).submitTx(payBob(c, n));
    await c.run(15_000);
    const ahead = c.node(0).status().height;
    expect(ahead).toBeGreaterThan(10);
    expect(c.node(3).status().height).toBeLessThanOrEqual(3);

    const back = await c.restartNode(3);
    await c.waitForHeight(ahead + 3);
    expect(back.syncedBlocks).toBeGreaterThanOrEqual(ahead - 4);
    expect(disagreements(c)).toEqual([]);
    // Back in consensus: its precommits appear in the last commits of later blocks.
    await c.run(5_000);
    const top = c.node(0).status().height;
    const signedByNode3 = [top - 1, top].some((h) => c.node(0).getBlock(h) !== null && lastCommitSigners(c, h).includes(back.address ?? ''));
    expect(signedByNode3).toBe(true);
  });

  it('a partitioned validator catches up after the partition heals', async () => {
    const c = await cluster();
    await c.waitForHeight(2);
    c.partition([[0, 1, 2], [3]]);
    await c.run(12_000);
    const isolated = c.node(3).status().height;
    const majority = c.node(0).status().height;
    expect(majority).toBeGreaterThan(isolated + 5);
    c.heal();
    await c.waitForHeight(majority + 2);
    expect(c.node(3).syncedBlocks).toBeGreaterThan(0);
    expect(disagreements(c)).toEqual([]);
  });

  it('a node without a validator key follows the chain', async () => {
    const c = await cluster();
    await c.waitForHeight(3);
    const follower = createNode({
      homeConfig: { chainId: c.chain.genesis.chainId, genesis: c.chain.genesis, validatorKey: null, dataDir: null, walDir: null },
      transport: c.hub.createTransport('follower'),
      clock: c.clock,
      logger: pino({ level: 'silent' }),
      peers: [0, 1, 2, 3].map((i) => c.hub.addressOf(`node${i}`)),
    });
    await follower.start();
    void c.node(1).submitTx(payBob(c, 0));
    const target = c.node(0).status().height + 5;
    expect(await c.runUntil(() => follower.status().height >= target, { maxMs: 30_000 })).toBe(true);
    expect(follower.status().validator).toBeNull();
    for (let h = 1; h <= target; h++) expect(follower.getBlock(h)?.blockId).toBe(c.node(0).getBlock(h)?.blockId);
    expect(follower.stateRootAt(target)).toBe(c.node(0).stateRootAt(target));
    await follower.stop();
  });

  it('refuses blocks whose commit does not verify, and penalizes the peer that sent them', async () => {
    const c = await cluster();
    await c.waitForHeight(2);
    const mallory = c.hub.createTransport('mallory');
    let asked = 0;
    mallory.onMessage((peer, topic) => {
      if (topic !== TOPIC.syncRequest) return;
      asked++;
      const node = c.node(0);
      const h = node.status().height + 1;
      const last = node.getBlock(h - 1);
      const block = makeBlock(
        { chainId: c.chain.genesis.chainId, height: h, timeMs: c.clock.nowMs(), lastBlockId: last === null ? ZERO_HASH : Buffer.from(last.blockId, 'hex'), appHash: ZERO_HASH, proposer: new Uint8Array(20), validatorsHash: ZERO_HASH, nextValidatorsHash: ZERO_HASH },
        [],
        [],
        EMPTY_COMMIT,
      );
      const validators = c.nodes.map((n) => n.address ?? '');
      const commit = { height: h, round: 0, blockId: '00'.repeat(32), precommits: validators.map((v) => ({ type: 'precommit' as const, height: h, round: 0, blockId: '00'.repeat(32), timestampMs: 1, validator: v, signature: new Uint8Array(64) })) };
      mallory.send(peer, TOPIC.syncResponse, encodeSyncResponse([{ block: encodeBlock(block), commit }]));
    });
    mallory.onPeerConnect((peer) => mallory.send(peer, TOPIC.status, encodeStatus({ height: 1_000, working: false })));
    await mallory.start();
    mallory.dial([c.hub.addressOf('node0')]);
    const before = c.node(0).status().height;
    await c.runUntil(() => asked > 0, { maxMs: 5_000 });
    await c.run(100);
    expect(asked).toBeGreaterThan(0);
    expect(c.node(0).transport.score('mallory')).toBeLessThan(0);
    expect(c.node(0).syncedBlocks).toBe(0);
    await c.waitForHeight(before + 2);
    expect(disagreements(c)).toEqual([]);
    await mallory.stop();
  });
});

/** Validators (hex) whose precommits block `height + 1` carries for `height`. */
function lastCommitSigners(c: Cluster, height: number): string[] {
  const next = c.node(0).getBlock(height + 1);
  if (next === null) return [];
  const block = decodeBlock(next.bytes);
  return block.lastCommit.signatures.filter((s) => s.signature !== null).map((s) => Buffer.from(s.validator).toString('hex'));
}
