/**
 * Four validators in one process on real time, each with its own LMDB store, WAL and
 * double-sign guard file: transfers commit; a validator stopped and restarted on the same data
 * directory catches up by block sync; every node ends with the same block ids and state roots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTx, formatAddress } from '../../src/ledger/index.ts';
import { disagreements, startCluster, stopCluster } from '../../src/node/cluster.ts';
import type { Cluster } from '../../src/node/cluster.ts';
import type { SubmitResult } from '../../src/node/node.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-node-cluster-'));
let cluster: Cluster | undefined;
afterAll(async () => {
  if (cluster !== undefined) await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

describe('4 validators on LMDB, real time', () => {
  it('commit transfers, and a restarted validator catches up by block sync', async () => {
    const c = await startCluster({
      validators: 4,
      clock: 'real',
      dataDir: root,
      blockPolicy: { kind: 'interval', intervalMs: 100 },
      timeouts: { proposeMs: 1000, proposeDeltaMs: 200, prevoteMs: 300, prevoteDeltaMs: 100, precommitMs: 300, precommitDeltaMs: 100 },
      gossipIntervalMs: 200,
    });
    cluster = c;
    const { alice, bob } = c.chain.accounts;
    if (alice === undefined || bob === undefined) throw new Error('fixture');
    const chainId = c.chain.genesis.chainId;
    const pay = (nonce: number): Uint8Array => buildTx(alice, { chainId, nonce, type: 'transfer', body: { to: bob.address, amountUc: 1 + nonce } }, c.chain.genesis.params);
    const submitAll = async (nonces: number[], nodes: number[]): Promise<SubmitResult[]> =>
      Promise.all(nonces.map((n, i) => c.node(nodes[i % nodes.length] as number).submitTx(pay(n), { waitForCommit: true, timeoutMs: 20_000 })));

    const first = await submitAll([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3]);
    expect(first.map((r) => r.code)).toEqual(first.map(() => 0));

    await c.stopNode(2);
    const second = await submitAll([8, 9, 10, 11, 12, 13], [0, 1, 3]);
    expect(second.map((r) => r.code)).toEqual(second.map(() => 0));
    await c.waitForHeight(c.node(0).status().height + 10, { maxMs: 20_000 });
    const ahead = c.node(0).status().height;

    const back = await c.restartNode(2);
    await c.waitForHeight(ahead + 3, { maxMs: 30_000 });
    expect(back.syncedBlocks).toBeGreaterThan(0);
    expect(back.status().height).toBeGreaterThanOrEqual(ahead);
    const third = await submitAll([14, 15, 16, 17], [2]);
    expect(third.map((r) => r.code)).toEqual(third.map(() => 0));
    await c.waitForHeight(Math.max(...third.map((r) => r.height ?? 0)) + 1, { maxMs: 20_000 });

    expect(disagreements(c)).toEqual([]);
    const balances = c.nodes.map((n) => (n.query(`account/${formatAddress(bob.address)}`).value as { balance: number }).balance);
    expect(new Set(balances).size).toBe(1);
    const tx = c.node(2).getTx(third[0]?.hash ?? '');
    expect(tx).toMatchObject({ code: 0, height: third[0]?.height });
  }, 120_000);
});
