/**
 * `gridledger node init|start` (DESIGN.md section 7), and the small helpers the chain commands
 * (keys, tx, query, testnet) share: flag checking, JSON output, the home's RPC client.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { DEFAULT_INTERVAL_MS, DEFAULT_P2P_PORT, DEFAULT_RPC_PORT, initHome, listKeys, PASSPHRASE_ENV, VALIDATOR_KEY } from '../node/home.ts';
import type { Home } from '../node/home.ts';
import { createRpcClient } from '../node/rpc/client.ts';
import type { RpcClient } from '../node/rpc/client.ts';

/** Checks commander's parsed options with zod; a mistake is CLI_BAD_FLAG naming the flag. */
export function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const flag = (p: PropertyKey[]): string => `--${String(p[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new GridLedgerError('CLI_BAD_FLAG', parsed.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

export const passphrase = (): string | undefined => process.env[PASSPHRASE_ENV];

/** The RPC of the node running on this home. */
export function rpcFor(home: Home): RpcClient {
  return createRpcClient(home.config.rpc);
}

/** A decimal integer flag in a range (commander hands over strings). */
export const intFlag = (min: number, max: number): z.ZodType<number> =>
  z
    .string()
    .regex(/^[0-9]+$/, 'a whole number')
    .transform(Number)
    .pipe(z.int().min(min).max(max));

const initFlags = z.strictObject({
  home: z.string().min(1),
  chainId: z.string().optional(),
  dev: z.boolean().optional(),
  moniker: z.string().min(1).max(64).optional(),
  p2pPort: intFlag(0, 65_535).optional(),
  rpcPort: intFlag(0, 65_535).optional(),
  intervalMs: intFlag(10, 3_600_000).optional(),
});

const startFlags = z.strictObject({ home: z.string().min(1), intervalMs: intFlag(10, 3_600_000).optional() });

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('initialise and run one node');

  node
    .command('init')
    .description(`write a node home: config.json, a single-validator genesis.json, keys/ (encrypted with ${PASSPHRASE_ENV}, or plain with --dev), data/ and wal/`)
    .requiredOption('--home <dir>', 'home directory to create (must not exist or be empty)')
    .option('--chain-id <id>', 'chain id: lower-case letters, digits and dashes (default gridledger-1, with --dev dev-1)')
    .option('--dev', 'development home: unencrypted keys, and funded wallet keys `alice` and `bob`')
    .option('--moniker <name>', "the node's name in logs", 'node0')
    .option('--p2p-port <port>', 'TCP port for peers on 127.0.0.1', String(DEFAULT_P2P_PORT))
    .option('--rpc-port <port>', 'TCP port of the HTTP JSON RPC on 127.0.0.1', String(DEFAULT_RPC_PORT))
    .option('--interval-ms <ms>', 'commit a block at least this often, empty or not', String(DEFAULT_INTERVAL_MS))
    .action((raw: unknown) => {
      const f = parseFlags(initFlags, raw);
      const dev = f.dev === true;
      const opts: Parameters<typeof initHome>[1] = { chainId: f.chainId ?? (dev ? 'dev-1' : 'gridledger-1'), dev, genesisTimeMs: Date.now() };
      const pass = passphrase();
      if (pass !== undefined && pass !== '') opts.passphrase = pass;
      if (f.moniker !== undefined) opts.moniker = f.moniker;
      if (f.p2pPort !== undefined) opts.p2pPort = f.p2pPort;
      if (f.rpcPort !== undefined) opts.rpcPort = f.rpcPort;
      if (f.intervalMs !== undefined) opts.intervalMs = f.intervalMs;
      const home = initHome(f.home, opts);
      const lines = [`initialised ${home.paths.root} for chain ${home.config.chainId}${dev ? ' (dev: keys are NOT encrypted)' : ''}`];
      const validator = listKeys(home.paths).find((k) => k.name === VALIDATOR_KEY);
      if (validator !== undefined) lines.push(`validator ${validator.address}`);
      for (const k of listKeys(home.paths)) if (k.name !== VALIDATOR_KEY) lines.push(`key ${k.name.padEnd(10)} ${k.address}`);
      lines.push(`p2p ${home.config.listen}, rpc http://${home.config.rpc.host}:${home.config.rpc.port}`, `start it with: gridledger node start --home ${f.home}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  node
    .command('start')
    .description(`run the node of a home in the foreground until SIGINT or SIGTERM (encrypted keys need ${PASSPHRASE_ENV})`)
    .requiredOption('--home <dir>', 'node home written by `node init` or `testnet`')
    .option('--interval-ms <ms>', "commit a block at least this often (default: the home's config.json)")
    .action(async (raw: unknown) => {
      const f = parseFlags(startFlags, raw);
      // Loaded only here: the other commands should not pay for libp2p, LMDB and consensus.
      const { runNode } = await import('../node/processMain.ts');
      const opts: Parameters<typeof runNode>[0] = { home: f.home };
      const pass = passphrase();
      if (pass !== undefined && pass !== '') opts.passphrase = pass;
      if (f.intervalMs !== undefined) opts.intervalMs = f.intervalMs;
      await runNode(opts);
      // Stopped cleanly; libp2p's idle timers would otherwise hold the process for seconds.
      process.exit(0);
    });
}

