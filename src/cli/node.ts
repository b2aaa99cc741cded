/**
 * `gridledger node init|start` (DESIGN.md section 7), and the small helpers the chain commands
 * (keys, tx, query, testnet) share: flag checking, JSON output, the home's RPC client.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_P2P_PORT,
  DEFAULT_RPC_PORT,
  identityKeyName,
  initFollowerHome,
  initHome,
  keyInfo,
  listKeys,
  PASSPHRASE_ENV,
  peerAddress,
} from '../node/home.ts';
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
  follow: z.boolean().optional(),
  genesis: z.string().min(1).optional(),
  peers: z.string().min(1).optional(),
});

/** `--peers a,b,c`: comma-separated, blanks ignored (each is checked as a multiaddr by the home). */
const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');

const startFlags = z.strictObject({ home: z.string().min(1), intervalMs: intFlag(10, 3_600_000).optional(), steeredClock: z.boolean().optional(), onDemand: z.boolean().optional() });

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('initialise and run one node');

  node
    .command('init')
    .description(
      `write a node home: config.json, genesis.json, keys/ (encrypted with ${PASSPHRASE_ENV}, or plain with --dev), data/ and wal/; a validator of its own single-validator chain, or with --follow a full node of an existing chain`,
    )
    .requiredOption('--home <dir>', 'home directory to create (must not exist or be empty)')
    .option('--chain-id <id>', 'chain id: lower-case letters, digits and dashes (default gridledger-1, with --dev dev-1; with --follow it must match the genesis)')
    .option('--dev', 'development home: unencrypted keys, and (not with --follow) funded wallet keys `alice` and `bob`')
    .option('--follow', 'a full node that follows an existing chain: no validator key, only a `node` peer key; needs --genesis and --peers')
    .option('--genesis <file>', "with --follow: the chain's genesis.json (e.g. a validator home's)")
    .option('--peers <addrs>', 'with --follow: comma-separated peer multiaddrs to dial, each naming its peer (/ip4/127.0.0.1/tcp/26656/p2p/12D3KooW…)')
    .option('--moniker <name>', "the node's name in logs (default node0, with --follow follower0)")
    .option('--p2p-port <port>', 'TCP port for peers on 127.0.0.1', String(DEFAULT_P2P_PORT))
    .option('--rpc-port <port>', 'TCP port of the HTTP JSON RPC on 127.0.0.1', String(DEFAULT_RPC_PORT))
    .option('--interval-ms <ms>', 'commit a block at least this often, empty or not', String(DEFAULT_INTERVAL_MS))
    .action((raw: unknown) => {
      const f = parseFlags(initFlags, raw);
      const dev = f.dev === true;
      const follow = f.follow === true;
      if (!follow && (f.genesis !== undefined || f.peers !== undefined)) throw new GridLedgerError('CLI_BAD_FLAG', '--genesis and --peers go with --follow');
      if (follow && (f.genesis === undefined || f.peers === undefined)) throw new GridLedgerError('CLI_BAD_FLAG', '--follow needs --genesis FILE and --peers ADDR[,ADDR…]');
      const pass = passphrase();
      const common = {
        dev,
        ...(pass !== undefined && pass !== '' ? { passphrase: pass } : {}),
        ...(f.moniker !== undefined ? { moniker: f.moniker } : {}),
        ...(f.p2pPort !== undefined ? { p2pPort: f.p2pPort } : {}),
        ...(f.rpcPort !== undefined ? { rpcPort: f.rpcPort } : {}),
        ...(f.intervalMs !== undefined ? { intervalMs: f.intervalMs } : {}),
      };
      const home =
        follow && f.genesis !== undefined && f.peers !== undefined
          ? initFollowerHome(f.home, { ...common, genesisFile: f.genesis, peers: splitList(f.peers), ...(f.chainId !== undefined ? { chainId: f.chainId } : {}) })
          : initHome(f.home, { ...common, chainId: f.chainId ?? (dev ? 'dev-1' : 'gridledger-1'), genesisTimeMs: Date.now() });
      const role = home.config.role;
      const lines = [`initialised ${home.paths.root} for chain ${home.config.chainId}${role === 'follower' ? ' as a follower (full node)' : ''}${dev ? ' (dev: keys are NOT encrypted)' : ''}`];
      const identity = keyInfo(home.paths, identityKeyName(role));
      if (role === 'validator') lines.push(`validator ${identity.address}`);
      for (const k of listKeys(home.paths)) if (k.name !== identity.name) lines.push(`key ${k.name.padEnd(10)} ${k.address}`);
      const [, , host = '127.0.0.1', , p2pPort = '0'] = home.config.listen.split('/'); // /ip4/HOST/tcp/PORT
      lines.push(
        `p2p ${home.config.listen}, rpc http://${home.config.rpc.host}:${home.config.rpc.port}`,
        `peer address (for others' --peers): ${peerAddress(host, Number(p2pPort), Buffer.from(identity.publicKey, 'hex'))}`,
        `start it with: gridledger node start --home ${f.home}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  node
    .command('start')
    .description(`run the node of a home in the foreground until SIGINT or SIGTERM (encrypted keys need ${PASSPHRASE_ENV})`)
    .requiredOption('--home <dir>', 'node home written by `node init` or `testnet`')
    .option('--interval-ms <ms>', "commit a block at least this often (default: the home's config.json)")
    .option('--steered-clock', 'simulation: the clock starts at the genesis time and moves forward only by POST /clock/advance (real speed in between)')
    .option('--on-demand', 'make blocks only when transactions wait or the market needs one (not every --interval-ms)')
    .action(async (raw: unknown) => {
      const f = parseFlags(startFlags, raw);
      // Loaded only here: the other commands should not pay for libp2p, LMDB and consensus.
      const { runNode } = await import('../node/processMain.ts');
      const opts: Parameters<typeof runNode>[0] = { home: f.home };
      const pass = passphrase();
      if (pass !== undefined && pass !== '') opts.passphrase = pass;
      if (f.intervalMs !== undefined) opts.intervalMs = f.intervalMs;
      if (f.steeredClock === true) opts.steeredClock = true;
      if (f.onDemand === true) opts.onDemand = true;
      await runNode(opts);
      // Stopped cleanly; libp2p's idle timers would otherwise hold the process for seconds.
      process.exit(0);
    });
}

