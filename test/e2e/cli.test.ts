/**
 * The single-node CLI end to end, as a user runs it: `node init --dev`, `node start` (a real
 * process: libp2p, LMDB, consensus, RPC), `keys show`, `tx transfer` (accepted and refused),
 * `query status|account|tx|block`, then SIGTERM and a clean stop that removes node.pid.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './fixtures/waiting.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/testnet.ts';
import { createRpcClient } from '../../src/node/rpc/client.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/gridledger.js');
const root = mkdtempSync(path.join(tmpdir(), 'gl-cli-e2e-'));
const home = path.join(root, 'home');
let node: ChildProcess | undefined;
let rpcPort = 0;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(r: { code: number | null; stdout: string; stderr: string }): T {
  if (r.code !== 0) throw new Error(`exit ${String(r.code)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  const [p2p, rpc] = await freePorts(2);
  rpcPort = rpc ?? 0;
  const init = cli('node', 'init', '--home', home, '--dev', '--chain-id', 'e2e-1', '--p2p-port', String(p2p), '--rpc-port', String(rpcPort), '--interval-ms', '200');
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  // Own process group, so that afterAll can kill it and anything it started.
  node = spawn(process.execPath, [bin, 'node', 'start', '--home', home], { cwd: repo, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const client = createRpcClient({ host: '127.0.0.1', port: rpcPort });
  await until('the first blocks', async () => ((await client.status()).height >= 2 ? true : undefined), 40_000);
}, 60_000);

afterAll(() => {
  if (node?.pid !== undefined && node.exitCode === null && node.signalCode === null) {
    try {
      process.kill(-node.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe('gridledger CLI against one running node', () => {
  it('runs, writes node.pid and answers query status with the contract fields', () => {
    expect(readFileSync(path.join(home, 'node.pid'), 'utf8').trim()).toBe(String(node?.pid));
    const status = json<Record<string, unknown>>(cli('query', 'status', '--home', home, '--json'));
    for (const field of ['height', 'block_id', 'chain_id', 'validator']) expect(status).toHaveProperty(field);
    expect(status['chain_id']).toBe('e2e-1');
    expect(status['height']).toBeGreaterThanOrEqual(2);
    const validator = json<{ address: string }>(cli('keys', 'show', 'validator', '--home', home, '--json'));
    expect(typeof status['validator']).toBe('string');
    expect(validator.address.startsWith('gl')).toBe(true);
  });

  it('transfers coin and query account shows the balance change', () => {
    const bob = json<{ name: string; address: string; public_key: string }>(cli('keys', 'show', 'bob', '--home', home, '--json'));
    expect(Object.keys(bob)).toEqual(['name', 'address', 'public_key']);
    const before = json<{ address: string; balance: number; nonce: number }>(cli('query', 'account', bob.address, '--home', home, '--json'));
    expect(Object.keys(before)).toEqual(['address', 'balance', 'nonce']);

    const sent = cli('tx', 'transfer', '--home', home, '--from', 'alice', '--to', bob.address, '--amount', '1234567', '--json');
    const r = json<{ hash: string; height: number; code: number }>(sent);
    expect(Object.keys(r)).toEqual(['hash', 'height', 'code']);
    expect(r.code).toBe(0);

    const after = json<{ balance: number; nonce: number }>(cli('query', 'account', bob.address, '--home', home, '--json'));
    expect(after.balance - before.balance).toBe(1_234_567);

    const tx = json<{ hash: string; height: number; code: number }>(cli('query', 'tx', r.hash, '--home', home, '--json'));
    expect(tx).toMatchObject({ hash: r.hash, height: r.height, code: 0 });
    const block = json<{ height: number; block_id: string; time: number; proposer: string; txs: string[] }>(cli('query', 'block', String(r.height), '--home', home, '--json'));
    expect(Object.keys(block)).toEqual(['height', 'block_id', 'time', 'proposer', 'txs']);
    expect(block.txs).toContain(r.hash);

    // A second transfer from the same key takes the next nonce from the node.
    const again = json<{ code: number; height: number }>(cli('tx', 'transfer', '--home', home, '--from', 'alice', '--to', bob.address, '--amount', '1', '--json'));
    expect(again.code).toBe(0);
    expect(again.height).toBeGreaterThanOrEqual(r.height);
  });

  it('adds a key, which list and show then report', () => {
    const added = json<{ name: string; address: string; public_key: string }>(cli('keys', 'add', 'carol', '--home', home, '--json'));
    expect(added.name).toBe('carol');
    expect(added.address).toMatch(/^gl[0-9a-f]{48}$/);
    expect(added.public_key).toMatch(/^[0-9a-f]{64}$/);
    expect(json<unknown>(cli('keys', 'show', 'carol', '--home', home, '--json'))).toEqual(added);
    const names = json<Array<{ name: string }>>(cli('keys', 'list', '--home', home, '--json')).map((k) => k.name);
    expect(names).toEqual(['alice', 'bob', 'carol', 'operator', 'validator']);
    expect(cli('keys', 'add', 'carol', '--home', home).stderr).toMatch(/KEY_EXISTS/);
  });

  it('refuses a transfer beyond the balance: non-zero exit, {code, message}, message on stderr', () => {
    const alice = json<{ address: string }>(cli('keys', 'show', 'alice', '--home', home, '--json'));
    const refused = cli('tx', 'transfer', '--home', home, '--from', 'bob', '--to', alice.address, '--amount', String(Number.MAX_SAFE_INTEGER), '--json');
    expect(refused.code).toBe(3);
    const out = JSON.parse(refused.stdout) as { code: number; message: string };
    expect(Object.keys(out)).toEqual(['code', 'message']);
    expect(out.code).not.toBe(0);
    expect(refused.stderr).toContain(out.message);
    expect(refused.stderr).toContain('TX_INSUFFICIENT_FUNDS');
  });

  it('gives clear errors for bad input', () => {
    const badAddr = cli('query', 'account', 'gl00', '--home', home, '--json');
    expect(badAddr.code).toBe(1);
    expect(badAddr.stderr).toMatch(/ADDRESS_INVALID/);
    const noHome = cli('query', 'status', '--home', path.join(root, 'missing'), '--json');
    expect(noHome.code).toBe(1);
    expect(noHome.stderr).toMatch(/HOME_NOT_FOUND/);
    const alice = json<{ address: string }>(cli('keys', 'show', 'alice', '--home', home, '--json'));
    const noKey = cli('tx', 'transfer', '--home', home, '--from', 'zed', '--to', alice.address, '--amount', '5');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/KEY_NOT_FOUND/);
    const badAmount = cli('tx', 'transfer', '--home', home, '--from', 'bob', '--to', alice.address, '--amount', '-5');
    expect(badAmount.code).toBe(1);
    expect(badAmount.stderr).toMatch(/CLI_BAD_FLAG.*--amount/);
    const twice = cli('node', 'start', '--home', home);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/NODE_ALREADY_RUNNING/);
  });

  it('stops cleanly on SIGTERM and removes node.pid', async () => {
    const child = node;
    if (child?.pid === undefined) throw new Error('node not started');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(home, 'node.pid'))).toBe(false);
  });
});
