/**
 * `gridledger testnet --validators 4` end to end: four validator processes on loopback under a
 * stream of transfers; one is killed with SIGKILL, restarted with `node start --home DIR/nodeK`,
 * and catches up; every node reports the same block id at every height; SIGTERM to the testnet
 * stops every child and no process survives.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, killGroups, repeatUntilStopped, sleep, until } from './fixtures/waiting.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTx, createSigner, formatAddress } from '../../src/ledger/index.ts';
import { loadHome, readKey } from '../../src/node/home.ts';
import { createRpcClient } from '../../src/node/rpc/client.ts';
import type { RpcClient } from '../../src/node/rpc/client.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/gridledger.js');
const root = mkdtempSync(path.join(tmpdir(), 'gl-testnet-e2e-'));
const dir = path.join(root, 'net');
const N = 4;
const KILLED = 2;
/** Process groups this test started (the testnet and the restarted node): killed in afterAll. */
const groups: ChildProcess[] = [];

afterAll(() => {
  killGroups(groups);
  rmSync(root, { recursive: true, force: true });
});

const homeOf = (k: number): string => path.join(dir, `node${k}`);
const pidOf = (k: number): number => Number(readFileSync(path.join(homeOf(k), 'node.pid'), 'utf8').trim());

/**
 * Keeps transfers flowing from alice and bob: each round signs the next nonces after the
 * committed one and sends them to a live node. Signing is deterministic, so a transaction sent
 * twice has one hash and the second copy is a harmless duplicate; a batch lost with a killed
 * node is simply sent again next round.
 */
function startLoad(clients: RpcClient[], isDown: (k: number) => boolean): { stop(): Promise<number> } {
  const h = loadHome(homeOf(0));
  const senders = ['alice', 'bob'].map((name) => createSigner(readKey(h.paths, name, undefined).secretKey));
  const [alice, bob] = senders;
  if (alice === undefined || bob === undefined) throw new Error('keys missing');
  const to = new Map([
    [alice, bob.address],
    [bob, alice.address],
  ]);
  let sent = 0;
  let round = 0;
  const load = repeatUntilStopped(async () => {
    // The next node that is up (the killed one is skipped).
    let client: RpcClient | undefined;
    do {
      round++;
      client = isDown(round % N) ? undefined : clients[round % N];
    } while (client === undefined);
    for (const s of senders) {
      try {
        const { nonce } = await client.account(formatAddress(s.address));
        const txs = Array.from({ length: 40 }, (_, i) =>
          buildTx(s, { chainId: h.genesis.chainId, nonce: nonce + i, type: 'transfer', body: { to: to.get(s), amountUc: 1 } }, h.genesis.params),
        );
        const r = await client.submitTxs(txs);
        sent += r.results.filter((x) => x.code === 0).length;
      } catch {
        // a node going down mid-request: the next round goes elsewhere
      }
    }
  }, 100);
  return {
    async stop() {
      await load.stop();
      return sent;
    },
  };
}

describe('gridledger testnet with 4 validator processes', () => {
  it('refuses an existing non-empty home', () => {
    const busy = path.join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'x'), '');
    const r = spawnSync(process.execPath, [bin, 'testnet', '--validators', '4', '--home', busy], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/HOME_EXISTS/);
  });

  it('survives a SIGKILL and restart under load, and all nodes agree on every block', async () => {
    const testnet = spawn(process.execPath, [bin, 'testnet', '--validators', String(N), '--home', dir, '--interval-ms', '300'], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups.push(testnet);
    let out = '';
    testnet.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    testnet.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));

    await until('the homes', async () => (existsSync(path.join(homeOf(N - 1), 'config.json')) ? true : undefined), 20_000);
    const clients = Array.from({ length: N }, (_, k) => createRpcClient(loadHome(homeOf(k)).config.rpc, { timeoutMs: 5_000 }));
    // Where each RPC is: printed by the testnet.
    await until('the RPC lines', async () => (out.split('\n').filter((l) => / rpc http:\/\/127\.0\.0\.1:\d+ /.test(l)).length === N ? true : undefined), 20_000);
    await until('blocks on every node', async () => ((await Promise.all(clients.map((c) => c.status()))).every((s) => s.height >= 2) ? true : undefined), 45_000);

    const down = new Set<number>();
    const load = startLoad(clients, (k) => down.has(k));
    await sleep(3_000);

    const victim = pidOf(KILLED);
    process.kill(victim, 'SIGKILL');
    down.add(KILLED);
    await until('the kill', async () => (isAlive(victim) ? undefined : true), 5_000);
    const heightAtKill = (await clients[0]?.status())?.height ?? 0;
    // The other three (3 of 4 equal stakes > 2/3) keep committing.
    await until('progress without the killed node', async () => (((await clients[0]?.status())?.height ?? 0) >= heightAtKill + 3 ? true : undefined), 20_000);
    expect(out).toMatch(new RegExp(`node${KILLED} exited \\(SIGKILL\\); not restarted`));

    const restarted = spawn(process.execPath, [bin, 'node', 'start', '--home', homeOf(KILLED)], { cwd: repo, detached: true, stdio: 'ignore' });
    groups.push(restarted);
    down.delete(KILLED);
    const target = (await clients[0]?.status())?.height ?? 0;
    await until('the restarted node to catch up', async () => (((await clients[KILLED]?.status())?.height ?? 0) >= target ? true : undefined), 30_000);
    await sleep(1_500);
    const sent = await load.stop();
    expect(sent).toBeGreaterThan(0);

    // Same block id at every height on every node.
    const top = Math.min(...(await Promise.all(clients.map(async (c) => (await c.status()).height))));
    expect(top).toBeGreaterThan(heightAtKill);
    let txs = 0;
    for (let height = 1; height <= top; height++) {
      const blocks = await Promise.all(clients.map((c) => c.block(height)));
      expect(new Set(blocks.map((b) => b.block_id)).size, `height ${height}`).toBe(1);
      txs += blocks[0]?.txs.length ?? 0;
    }
    expect(txs).toBeGreaterThan(0);
    // The CLI reads the same through each home.
    const viaCli = Array.from({ length: N }, (_, k) => {
      const r = spawnSync(process.execPath, [bin, 'query', 'block', String(top), '--home', homeOf(k), '--json'], { cwd: repo, encoding: 'utf8' });
      return (JSON.parse(r.stdout) as { block_id: string }).block_id;
    });
    expect(new Set(viaCli).size).toBe(1);

    // SIGTERM: the testnet stops its own children; the restarted node is ours to stop.
    const pids = Array.from({ length: N }, (_, k) => (k === KILLED ? undefined : pidOf(k))).filter((p): p is number => p !== undefined);
    const testnetExit = new Promise<number | null>((resolve) => testnet.once('exit', (code) => resolve(code)));
    testnet.kill('SIGTERM');
    expect(await testnetExit).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    const restartedExit = new Promise<number | null>((resolve) => restarted.once('exit', (code) => resolve(code)));
    restarted.kill('SIGTERM');
    expect(await restartedExit).toBe(0);
    for (let k = 0; k < N; k++) expect(existsSync(path.join(homeOf(k), 'node.pid'))).toBe(false);
  }, 90_000);
});
