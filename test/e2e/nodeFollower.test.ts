/**
 * A full node that follows, as a real process: `gridledger testnet --validators 4 --full-nodes 1`
 * runs four validators and one follower (no validator key, a `node` peer key, dialing every
 * validator). Under transfers sent to the validators, the follower reports `validator: null`,
 * reaches the validators' height with the same block ids and the same state roots; SIGKILLed
 * and restarted with `node start --home DIR/full0`, it catches up again.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const root = mkdtempSync(path.join(tmpdir(), 'gl-follower-e2e-'));
const dir = path.join(root, 'net');
const VALIDATORS = 4;
const groups: ChildProcess[] = [];

afterAll(() => {
  killGroups(groups);
  rmSync(root, { recursive: true, force: true });
});

const validatorHome = (k: number): string => path.join(dir, `node${k}`);
const followerHome = path.join(dir, 'full0');

/** Transfers between alice and bob, sent to the validators in turn, until stopped. */
function startLoad(validators: RpcClient[]): { stop(): Promise<number> } {
  const h = loadHome(validatorHome(0));
  const [alice, bob] = ['alice', 'bob'].map((name) => createSigner(readKey(h.paths, name, undefined).secretKey));
  if (alice === undefined || bob === undefined) throw new Error('keys missing');
  const pairs = [
    [alice, bob],
    [bob, alice],
  ] as const;
  let accepted = 0;
  let round = 0;
  const load = repeatUntilStopped(async () => {
    const client = validators[round++ % validators.length];
    for (const [from, to] of pairs) {
      try {
        const { nonce } = (await client?.account(formatAddress(from.address))) ?? { nonce: 0 };
        const txs = Array.from({ length: 20 }, (_, i) =>
          buildTx(from, { chainId: h.genesis.chainId, nonce: nonce + i, type: 'transfer', body: { to: to.address, amountUc: 1 } }, h.genesis.params),
        );
        accepted += ((await client?.submitTxs(txs))?.results ?? []).filter((x) => x.code === 0).length;
      } catch {
        // a busy node: the next round tries another
      }
    }
  }, 100);
  return {
    async stop() {
      await load.stop();
      return accepted;
    },
  };
}

/**
 * State roots seen by polling status (height and app hash are read together), per node. The
 * chain keeps moving, so two nodes are compared at the heights both were seen at.
 */
function startRootSampler(clients: RpcClient[]): { stop(): Promise<Array<Map<number, string>>> } {
  const seen = clients.map(() => new Map<number, string>());
  const sampler = repeatUntilStopped(async () => {
    await Promise.all(
      clients.map(async (c, i) => {
        const s = await c.status().catch(() => undefined);
        if (s !== undefined) seen[i]?.set(s.height, s.app_hash);
      }),
    );
  }, 40);
  return {
    async stop() {
      await sampler.stop();
      return seen;
    },
  };
}

/** Heights the follower (last) and a validator were both seen at: each must show one root. */
function compareRoots(seen: Array<Map<number, string>>): number {
  const follower = seen.at(-1) ?? new Map<number, string>();
  let compared = 0;
  for (const [height, root] of follower) {
    const others = seen.slice(0, -1).flatMap((m) => (m.has(height) ? [m.get(height)] : []));
    if (others.length === 0) continue;
    for (const o of others) expect(o, `state root after height ${height}`).toBe(root);
    compared++;
  }
  return compared;
}

async function expectSameBlocks(validators: RpcClient[], follower: RpcClient, top: number): Promise<number> {
  let txs = 0;
  for (let height = 1; height <= top; height++) {
    const [mine, ...theirs] = await Promise.all([follower.block(height), ...validators.map((c) => c.block(height))]);
    for (const b of theirs) expect(b.block_id, `block id at height ${height}`).toBe(mine?.block_id);
    txs += mine?.txs.length ?? 0;
  }
  return txs;
}

describe('a follower process beside 4 validator processes', () => {
  it('node init --follow writes a follower home from a genesis and peers; flag mistakes are named', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8' });
    const v = cli('node', 'init', '--home', path.join(root, 'v'), '--dev', '--p2p-port', '31100');
    expect(v.status).toBe(0);
    const peer = /peer address \(for others' --peers\): (\S+)/.exec(v.stdout)?.[1] ?? '';
    expect(peer).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/31100\/p2p\/12D3KooW/);
    const genesis = path.join(root, 'v', 'genesis.json');

    const f = cli('node', 'init', '--home', path.join(root, 'f'), '--dev', '--follow', '--genesis', genesis, '--peers', peer);
    expect(f.status).toBe(0);
    expect(f.stdout).toMatch(/as a follower/);
    const home = loadHome(path.join(root, 'f'));
    expect(home.config).toMatchObject({ role: 'follower', peers: [peer], chainId: 'dev-1' });
    expect(readFileSync(path.join(root, 'f', 'genesis.json'), 'utf8')).toBe(readFileSync(genesis, 'utf8'));

    expect(cli('node', 'init', '--home', path.join(root, 'g'), '--dev', '--follow', '--genesis', genesis).stderr).toMatch(/CLI_BAD_FLAG.*--follow needs/);
    expect(cli('node', 'init', '--home', path.join(root, 'g'), '--dev', '--peers', peer).stderr).toMatch(/CLI_BAD_FLAG.*go with --follow/);
    expect(cli('node', 'init', '--home', path.join(root, 'g'), '--dev', '--follow', '--genesis', genesis, '--peers', peer, '--chain-id', 'x-1').stderr).toMatch(/HOME_CHAIN_MISMATCH/);
  });

  it('follows with the same blocks and state roots, and catches up after a SIGKILL and restart', async () => {
    const testnet = spawn(process.execPath, [bin, 'testnet', '--validators', String(VALIDATORS), '--full-nodes', '1', '--home', dir, '--interval-ms', '300'], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups.push(testnet);
    let out = '';
    testnet.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    testnet.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));

    await until('the homes', async () => (existsSync(path.join(followerHome, 'config.json')) ? true : undefined), 20_000);
    const validators = Array.from({ length: VALIDATORS }, (_, k) => createRpcClient(loadHome(validatorHome(k)).config.rpc, { timeoutMs: 5_000 }));
    const fhome = loadHome(followerHome);
    expect(fhome.config.role).toBe('follower');
    expect(fhome.config.peers).toHaveLength(VALIDATORS);
    const follower = createRpcClient(fhome.config.rpc, { timeoutMs: 5_000 });
    const all = [...validators, follower];
    await until('blocks on every node', async () => ((await Promise.all(all.map((c) => c.status()))).every((s) => s.height >= 2) ? true : undefined), 30_000);

    const statuses = await Promise.all(all.map((c) => c.status()));
    expect(statuses.at(-1)?.validator).toBeNull();
    for (const s of statuses.slice(0, -1)) expect(s.validator).toMatch(/^[0-9a-f]{40}$/);

    // Phase 1: transfers to the validators; the follower keeps up.
    let sampler = startRootSampler(all);
    let load = startLoad(validators);
    await sleep(2_500);
    const accepted = await load.stop();
    expect(accepted).toBeGreaterThan(0);
    let target = (await validators[0]?.status())?.height ?? 0;
    await until('the follower at the validators height', async () => (((await follower.status()).height >= target) ? true : undefined), 15_000);
    expect(compareRoots(await sampler.stop())).toBeGreaterThanOrEqual(3);
    expect(await expectSameBlocks(validators, follower, target)).toBeGreaterThan(0);

    // Phase 2: SIGKILL the follower; the chain goes on without it (it never was part of the quorum).
    const pid = Number(readFileSync(path.join(followerHome, 'node.pid'), 'utf8').trim());
    const heightAtKill = (await follower.status()).height;
    process.kill(pid, 'SIGKILL');
    await until('the kill', async () => (isAlive(pid) ? undefined : true), 5_000);
    load = startLoad(validators);
    await until('progress without the follower', async () => (((await validators[0]?.status())?.height ?? 0) >= heightAtKill + 4 ? true : undefined), 15_000);
    expect(out).toMatch(/full0 exited \(SIGKILL\); not restarted/);

    // Phase 3: restarted on its home, it catches up (block sync, then consensus messages).
    const restarted = spawn(process.execPath, [bin, 'node', 'start', '--home', followerHome], { cwd: repo, detached: true, stdio: 'ignore' });
    groups.push(restarted);
    sampler = startRootSampler(all);
    await sleep(1_000);
    await load.stop();
    target = (await validators[0]?.status())?.height ?? 0;
    await until('the restarted follower to catch up', async () => (((await follower.status()).height >= target) ? true : undefined), 20_000);
    await sleep(600);
    expect(compareRoots(await sampler.stop())).toBeGreaterThanOrEqual(3);
    expect(await expectSameBlocks(validators, follower, target)).toBeGreaterThan(0);
    expect((await follower.status()).validator).toBeNull();

    // Stop: the testnet its own children, the restarted follower is ours.
    const testnetExit = new Promise<number | null>((resolve) => testnet.once('exit', (code) => resolve(code)));
    testnet.kill('SIGTERM');
    expect(await testnetExit).toBe(0);
    const restartedExit = new Promise<number | null>((resolve) => restarted.once('exit', (code) => resolve(code)));
    restarted.kill('SIGTERM');
    expect(await restartedExit).toBe(0);
    expect(existsSync(path.join(followerHome, 'node.pid'))).toBe(false);
  }, 60_000);
});
