/**
 * `gridledger testnet --validators N --home DIR [--full-nodes K] [--interval-ms MS]` (DESIGN.md
 * section 7): writes N validator homes DIR/node0..N-1 as `node init --dev` would, sharing one
 * genesis (N equal-stake validators, alice and bob funded) with peers in a full mesh on free
 * loopback ports, and K follower homes DIR/full0..K-1 (the same genesis, a `node` peer key, every
 * validator as a peer; validators do not dial them). Then runs each node as a child process
 * (`node bin/gridledger.js node start --home DIR/NAME`, log in DIR/NAME/node.log) in this
 * process's group. A child that dies stays dead (restart it by hand with `node start`); SIGINT or
 * SIGTERM stops them all.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { generateKeyPair } from '../ledger/index.ts';
import type { KeyPair } from '../ledger/index.ts';
import { buildGenesis, createEmptyDir, DEFAULT_INTERVAL_MS, OPERATOR_KEY, peerAddress, writeHome } from '../node/home.ts';
import type { HomeConfig, NodeRole } from '../node/home.ts';
import { freePorts, spawnNode } from '../node/nodeProcess.ts';
import { intFlag, parseFlags } from './node.ts';

export { freePorts, spawnNode } from '../node/nodeProcess.ts';

const HOST = '127.0.0.1' as const;
/** How long stopping children may take before they are killed. */
const STOP_GRACE_MS = 10_000;

export interface TestnetHome {
  /** `nodeK` for validator K, `fullK` for follower K. */
  name: string;
  role: NodeRole;
  dir: string;
  rpc: { host: string; port: number };
  p2pPort: number;
}

export interface TestnetPlan {
  dir: string;
  validators: number;
  /** Follower (full node) homes beside the validators (default 0). */
  fullNodes?: number;
  chainId?: string;
  intervalMs?: number;
  /** Further funded accounts beside alice and bob (benchmark senders). */
  funded?: ReadonlyArray<{ publicKey: Uint8Array; balanceUc?: number }>;
  genesisTimeMs?: number;
}

/** Writes the N validator homes, then the followers' (DIR must be absent or empty); nothing is started. */
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
  const followers = Array.from({ length: plan.fullNodes ?? 0 }, () => generateKeyPair());
  const identities = [...validators, ...followers];
  const ports = await freePorts(2 * identities.length);
  const homes = identities.map((_, k): TestnetHome => {
    const role: NodeRole = k < validators.length ? 'validator' : 'follower';
    const name = role === 'validator' ? `node${k}` : `full${k - validators.length}`;
    return { name, role, dir: path.join(path.resolve(plan.dir), name), p2pPort: ports[2 * k] ?? 0, rpc: { host: HOST, port: ports[2 * k + 1] ?? 0 } };
  });
  const validatorPeers = validators.map((v, k) => peerAddress(HOST, homes[k]?.p2pPort ?? 0, v.publicKey));
  homes.forEach((h, k) => {
    const config: HomeConfig = {
      chainId,
      moniker: h.name,
      role: h.role,
      listen: `/ip4/${HOST}/tcp/${h.p2pPort}`,
      // Validators: the others (a full mesh). Followers: every validator; nobody dials them.
      peers: validatorPeers.filter((_, j) => j !== k),
      rpc: { host: HOST, port: h.rpc.port },
      intervalMs: plan.intervalMs ?? DEFAULT_INTERVAL_MS,
      dev: true,
    };
    const identityKey = identities[k];
    if (identityKey === undefined) throw new Error('missing node key');
    writeHome(h.dir, { config, genesis, identityKey, keys: { [OPERATOR_KEY]: operator, ...wallets } });
  });
  return homes;
}

const flags = z.strictObject({
  validators: intFlag(1, 50),
  fullNodes: intFlag(0, 16),
  home: z.string().min(1),
  intervalMs: intFlag(10, 3_600_000),
  chainId: z.string().optional(),
});

export function registerTestnetCommands(program: Command): void {
  program
    .command('testnet')
    .description('write N validator homes (dev keys, one genesis, full mesh on loopback) and K follower homes, and run them as child processes until SIGINT/SIGTERM')
    .requiredOption('--validators <n>', 'number of validators (equal stake)')
    .requiredOption('--home <dir>', 'directory for the homes DIR/node0..N-1 and DIR/full0..K-1 (created; must not exist or be empty)')
    .option('--full-nodes <k>', 'followers: full nodes without a validator key that dial every validator and follow the chain (0 to 16)', '0')
    .option('--interval-ms <ms>', 'commit a block at least this often', String(DEFAULT_INTERVAL_MS))
    .option('--chain-id <id>', 'chain id', 'testnet-1')
    .action(async (raw: unknown) => {
      const f = parseFlags(flags, raw);
      const plan: TestnetPlan = { dir: f.home, validators: f.validators, fullNodes: f.fullNodes, intervalMs: f.intervalMs };
      if (f.chainId !== undefined) plan.chainId = f.chainId;
      const homes = await writeTestnet(plan);
      await runTestnet(homes);
    });
}

/** Runs the homes' nodes until SIGINT/SIGTERM; never restarts one that dies. */
async function runTestnet(homes: readonly TestnetHome[]): Promise<void> {
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const live = new Set<ChildProcess>();
  const exited = homes.map((h) => {
    const child = spawnNode(h.dir);
    live.add(child);
    out(`${h.name} pid ${child.pid ?? '?'} rpc http://${h.rpc.host}:${h.rpc.port} home ${h.dir} (log ${path.join(h.dir, 'node.log')})`);
    return new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        out(`${h.name} exited (${signal ?? `code ${code ?? '?'}`}); not restarted (gridledger node start --home ${h.dir})`);
        resolve();
      });
    });
  });
  const followers = homes.filter((h) => h.role === 'follower').length;
  out(`testnet of ${homes.length - followers} validators${followers > 0 ? ` and ${followers} full node(s)` : ''} running; Ctrl-C stops it`);

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
