/**
 * `gridledger testnet --validators N --home DIR [--interval-ms MS]` (DESIGN.md section 7): writes N
 * validator homes DIR/node0..N-1 as `node init --dev` would, sharing one genesis (N equal-stake
 * validators, alice and bob funded) with peers in a full mesh on free loopback ports, then runs
 * each validator as a child process (`node bin/gridledger.js node start --home DIR/nodeK`, log in
 * DIR/nodeK/node.log) in this process's group. A child that dies stays dead (restart it by hand
 * with `node start`); SIGINT or SIGTERM stops them all.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { generateKeyPair } from '../ledger/index.ts';
import type { KeyPair } from '../ledger/index.ts';
import { buildGenesis, createEmptyDir, DEFAULT_INTERVAL_MS, OPERATOR_KEY, peerAddress, writeHome } from '../node/home.ts';
import type { HomeConfig } from '../node/home.ts';
import { intFlag, parseFlags } from './node.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/gridledger.js');
const HOST = '127.0.0.1' as const;
/** How long stopping children may take before they are killed. */
const STOP_GRACE_MS = 10_000;

/** Free TCP ports on loopback, all distinct (each held open until every one is chosen). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, HOST, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no TCP address');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface TestnetHome {
  dir: string;
  rpc: { host: string; port: number };
  p2pPort: number;
}

export interface TestnetPlan {
  dir: string;
  validators: number;
  chainId?: string;
  intervalMs?: number;
  /** Further funded accounts beside alice and bob (benchmark senders). */
  funded?: ReadonlyArray<{ publicKey: Uint8Array; balanceUc?: number }>;
  genesisTimeMs?: number;
}

/** Writes the N homes (DIR must be absent or empty); nothing is started. */
export async function writeTestnet(plan: TestnetPlan): Promise<TestnetHome[]> {
  createEmptyDir(plan.dir);
  const chainId = plan.chainId ?? 'testnet-1';
  const validators: KeyPair[] = Array.from({ length: plan.validators }, () => generateKeyPair());
  const operator = generateKeyPair();
  const wallets = { alice: generateKeyPair(), bob: generateKeyPair() };
  const genesis = buildGenesis({
    chainId,
    genesisTimeMs: plan.genesisTimeMs ?? Date.now(),
    validators,
    operator,
    funded: [...Object.values(wallets).map((w) => ({ publicKey: w.publicKey })), ...(plan.funded ?? [])],
  });
  const ports = await freePorts(2 * plan.validators);
  const homes = validators.map((_, k): TestnetHome => ({
    dir: path.join(path.resolve(plan.dir), `node${k}`),
    p2pPort: ports[2 * k] ?? 0,
    rpc: { host: HOST, port: ports[2 * k + 1] ?? 0 },
  }));
  const peers = validators.map((v, k) => peerAddress(HOST, homes[k]?.p2pPort ?? 0, v.publicKey));
  homes.forEach((h, k) => {
    const config: HomeConfig = {
      chainId,
      moniker: `node${k}`,
      listen: `/ip4/${HOST}/tcp/${h.p2pPort}`,
      peers: peers.filter((_, j) => j !== k),
      rpc: { host: HOST, port: h.rpc.port },
      intervalMs: plan.intervalMs ?? DEFAULT_INTERVAL_MS,
      dev: true,
    };
    const validatorKey = validators[k];
    if (validatorKey === undefined) throw new Error('missing validator key');
    writeHome(h.dir, { config, genesis, validatorKey, keys: { [OPERATOR_KEY]: operator, ...wallets } });
  });
  return homes;
}

/** Starts `node start --home DIR` as a child in this process group, its output to DIR/node.log. */
export function spawnNode(home: string, extraArgs: readonly string[] = []): ChildProcess {
  const log = openSync(path.join(home, 'node.log'), 'a');
  try {
    return spawn(process.execPath, [BIN, 'node', 'start', '--home', home, ...extraArgs], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log); // the child holds its own descriptor
  }
}

const flags = z.strictObject({
  validators: intFlag(1, 50),
  home: z.string().min(1),
  intervalMs: intFlag(10, 3_600_000),
  chainId: z.string().optional(),
});

export function registerTestnetCommands(program: Command): void {
  program
    .command('testnet')
    .description('write N validator homes (dev keys, one genesis, full mesh on loopback) and run them as child processes until SIGINT/SIGTERM')
    .requiredOption('--validators <n>', 'number of validators (equal stake)')
    .requiredOption('--home <dir>', 'directory for the homes DIR/node0..N-1 (created; must not exist or be empty)')
    .option('--interval-ms <ms>', 'commit a block at least this often', String(DEFAULT_INTERVAL_MS))
    .option('--chain-id <id>', 'chain id', 'testnet-1')
    .action(async (raw: unknown) => {
      const f = parseFlags(flags, raw);
      const plan: TestnetPlan = { dir: f.home, validators: f.validators, intervalMs: f.intervalMs };
      if (f.chainId !== undefined) plan.chainId = f.chainId;
      const homes = await writeTestnet(plan);
      await runTestnet(homes);
    });
}

/** Runs the homes' nodes until SIGINT/SIGTERM; never restarts one that dies. */
async function runTestnet(homes: readonly TestnetHome[]): Promise<void> {
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const live = new Set<ChildProcess>();
  const exited = homes.map((h, k) => {
    const child = spawnNode(h.dir);
    live.add(child);
    out(`node${k} pid ${child.pid ?? '?'} rpc http://${h.rpc.host}:${h.rpc.port} home ${h.dir} (log ${path.join(h.dir, 'node.log')})`);
    return new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        out(`node${k} exited (${signal ?? `code ${code ?? '?'}`}); not restarted (gridledger node start --home ${h.dir})`);
        resolve();
      });
    });
  });
  out(`testnet of ${homes.length} validators running; Ctrl-C stops it`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out(`${signal}: stopping ${live.size} node(s)`);
      for (const c of live) c.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const c of live) c.kill('SIGKILL');
      }, STOP_GRACE_MS);
      void Promise.all(exited).then(() => {
        clearTimeout(timer);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
