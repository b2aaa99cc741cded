/**
 * A node's home directory: everything one node needs on disk.
 *
 *   HOME/config.json    {chainId, moniker, role, listen, peers, rpc: {host, port}, intervalMs, dev}
 *   HOME/genesis.json   the chain's genesis (ledger format)
 *   HOME/keys/NAME.json key files: `validator` (a validator's consensus and peer key) or `node` (a
 *                       follower's peer key), `operator`, and named wallet keys; encrypted under a
 *                       passphrase, or plain in a dev home
 *   HOME/data/          the LMDB block and state store
 *   HOME/wal/           the consensus write-ahead log, double-sign guard and pending evidence
 *   HOME/node.pid       the running node's process id (removed on a clean stop)
 *
 * Every problem with a home is a GridLedgerError with a HOME_* or KEY_* code and a message that
 * names the file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import {
  addressFromPublicKey,
  decryptKey,
  defaultParams,
  encryptKey,
  formatAddress,
  generateKeyPair,
  genesisToJson,
  parseGenesis,
  parseKeyFile,
  plainKeyFile,
  toHex,
} from '../ledger/index.ts';
import type { Genesis, GenesisJson, KeyPair, Params } from '../ledger/index.ts';
import { CHAIN_ID_RE } from '../ledger/genesis.ts';
import { peerIdFromEd25519PublicKey } from '../net/libp2p/peerId.ts';
import { runningNodeMajor } from './nodeRuntime.ts';

/** The environment variable holding the passphrase of encrypted key files. */
export const PASSPHRASE_ENV = 'GRIDLEDGER_PASSPHRASE';
export const DEFAULT_P2P_PORT = 26656;
export const DEFAULT_RPC_PORT = 26657;
export const DEFAULT_INTERVAL_MS = 1000;
export const VALIDATOR_KEY = 'validator';
/** A follower's peer identity: it signs nothing of the chain, only its libp2p handshakes. */
export const NODE_KEY = 'node';
export const OPERATOR_KEY = 'operator';

/** 1 coin = 1,000,000 µc. */
const COIN = 1_000_000;
/** What a validator stakes and holds at genesis, and what a dev wallet holds. */
const VALIDATOR_STAKE_UC = 100 * COIN;
const SYSTEM_BALANCE_UC = 1_000 * COIN;
const WALLET_BALANCE_UC = 1_000_000 * COIN;

const port = z.int().min(0).max(65_535);
// Multiaddrs are checked by shape here (loading libp2p just to read a config would slow every
// CLI command); the transport parses them for real when the node starts.
const listenAddr = z.string().regex(/^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}$/, 'a TCP multiaddr such as /ip4/127.0.0.1/tcp/26656');
const peerAddr = z
  .string()
  .regex(/^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]{46,60}$/, 'a multiaddr naming its peer, such as /ip4/127.0.0.1/tcp/26656/p2p/12D3KooW…');

export const NODE_ROLES = ['validator', 'follower'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const homeConfigSchema = z
  .strictObject({
    chainId: z.string().regex(CHAIN_ID_RE, 'lower-case letters, digits and dashes, at most 48'),
    moniker: z.string().min(1).max(64),
    /**
     * `validator`: signs with keys/validator.json (also its peer identity). `follower`: a full
     * node that signs nothing, dials `peers` and follows the chain; keys/node.json is its peer
     * identity. Homes written before followers existed have no role: validators.
     */
    role: z.enum(NODE_ROLES).default('validator'),
    /** Where this node listens for peers. */
    listen: listenAddr,
    /** Peers to dial: a validator's are the other validators (itself may be listed: it is skipped), a follower's some validators. */
    peers: z.array(peerAddr),
    /** The node's HTTP JSON RPC: loopback only. */
    rpc: z.strictObject({ host: z.literal('127.0.0.1'), port }),
    /** A block at least this often, empty or not. */
    intervalMs: z.int().min(10).max(3_600_000),
    /** Dev home: key files in plain text (never for real coin). */
    dev: z.boolean(),
  })
  .refine((c) => c.role === 'validator' || c.peers.length > 0, { path: ['peers'], message: 'a follower needs at least one peer to follow' });

export type HomeConfig = z.infer<typeof homeConfigSchema>;

export interface HomePaths {
  readonly root: string;
  readonly config: string;
  readonly genesis: string;
  readonly keys: string;
  readonly data: string;
  readonly wal: string;
  readonly pid: string;
}

export function homePaths(dir: string): HomePaths {
  const root = path.resolve(dir);
  return {
    root,
    config: path.join(root, 'config.json'),
    genesis: path.join(root, 'genesis.json'),
    keys: path.join(root, 'keys'),
    data: path.join(root, 'data'),
    wal: path.join(root, 'wal'),
    pid: path.join(root, 'node.pid'),
  };
}

/** A home read from disk: config and genesis checked; keys are opened on demand. */
export interface Home {
  readonly paths: HomePaths;
  readonly config: HomeConfig;
  readonly genesis: Genesis;
}

function readJson(file: string, code: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GridLedgerError(code, `cannot read ${what} ${file}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new GridLedgerError(code, `${what} ${file} is not valid JSON`, { cause: e });
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** A genesis file, parsed and validated; HOME_BAD_GENESIS names the file and what is wrong. */
function readGenesisFile(file: string): Genesis {
  try {
    return parseGenesis(readJson(file, 'HOME_BAD_GENESIS', 'genesis'));
  } catch (e) {
    if (e instanceof GridLedgerError && e.code === 'HOME_BAD_GENESIS') throw e;
    throw new GridLedgerError('HOME_BAD_GENESIS', `genesis ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Reads and checks a home's config and genesis. */
export function loadHome(dir: string): Home {
  const paths = homePaths(dir);
  if (!existsSync(paths.root)) throw new GridLedgerError('HOME_NOT_FOUND', `no home directory at ${paths.root}: run \`gridledger node init --home ${dir}\``);
  if (!statSync(paths.root).isDirectory()) throw new GridLedgerError('HOME_NOT_FOUND', `${paths.root} is not a directory`);
  if (!existsSync(paths.config)) {
    throw new GridLedgerError('HOME_NOT_INITIALISED', `${paths.root} is not a node home (no config.json): run \`gridledger node init --home ${dir}\``);
  }
  const parsed = homeConfigSchema.safeParse(readJson(paths.config, 'HOME_BAD_CONFIG', 'config'));
  if (!parsed.success) throw new GridLedgerError('HOME_BAD_CONFIG', `config ${paths.config}: ${issuesText(parsed.error)}`, { cause: parsed.error });
  const config = parsed.data;
  if (!existsSync(paths.genesis)) throw new GridLedgerError('HOME_BAD_GENESIS', `missing genesis file ${paths.genesis}`);
  const genesis = readGenesisFile(paths.genesis);
  if (genesis.chainId !== config.chainId) {
    throw new GridLedgerError('HOME_CHAIN_MISMATCH', `config says chain "${config.chainId}" but genesis is for "${genesis.chainId}"`);
  }
  return { paths, config, genesis };
}

export function writeConfig(paths: HomePaths, config: HomeConfig): void {
  writeFileSync(paths.config, `${JSON.stringify(homeConfigSchema.parse(config), null, 2)}\n`);
}

// ---- keys ----

const KEY_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function checkKeyName(name: string): void {
  if (!KEY_NAME_RE.test(name)) throw new GridLedgerError('KEY_BAD_NAME', `key name "${name}": 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit`);
}

function keyFile(paths: HomePaths, name: string): string {
  checkKeyName(name);
  return path.join(paths.keys, `${name}.json`);
}

/** How key files are written: plain (dev home) or encrypted under a passphrase. */
export type KeyProtection = { dev: true } | { dev: false; passphrase: string };

/** The protection a home's new keys get: plain in a dev home, else the passphrase (required). */
export function keyProtection(config: Pick<HomeConfig, 'dev'>, passphrase: string | undefined): KeyProtection {
  if (config.dev) return { dev: true };
  if (passphrase === undefined || passphrase === '') {
    throw new GridLedgerError('KEY_PASSPHRASE_REQUIRED', `keys are encrypted at rest: set ${PASSPHRASE_ENV} to the passphrase (or use a --dev home)`);
  }
  return { dev: false, passphrase };
}

export function writeKey(paths: HomePaths, name: string, pair: KeyPair, protection: KeyProtection): void {
  const file = keyFile(paths, name);
  if (existsSync(file)) throw new GridLedgerError('KEY_EXISTS', `a key named "${name}" already exists in ${paths.keys}`);
  mkdirSync(paths.keys, { recursive: true, mode: 0o700 });
  const json = protection.dev ? plainKeyFile(pair) : encryptKey(pair, protection.passphrase);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export interface KeyInfo {
  name: string;
  address: string;
  publicKey: string;
  encrypted: boolean;
}

function readKeyJson(paths: HomePaths, name: string): unknown {
  const file = keyFile(paths, name);
  if (!existsSync(file)) throw new GridLedgerError('KEY_NOT_FOUND', `no key named "${name}" in ${paths.keys}`);
  return readJson(file, 'KEY_BAD_FILE', 'key file');
}

/** A key's public part (no passphrase needed). */
export function keyInfo(paths: HomePaths, name: string): KeyInfo {
  const json = readKeyJson(paths, name);
  let file;
  try {
    file = parseKeyFile(json);
  } catch (e) {
    throw new GridLedgerError('KEY_BAD_FILE', `key file for "${name}" is malformed`, { cause: e });
  }
  return { name, address: file.address, publicKey: file.publicKey, encrypted: 'crypto' in file };
}

/** Opens a key; an encrypted one needs the passphrase. */
export function readKey(paths: HomePaths, name: string, passphrase: string | undefined): KeyPair {
  const json = readKeyJson(paths, name);
  try {
    return decryptKey(json, passphrase === '' ? undefined : passphrase);
  } catch (e) {
    if (e instanceof GridLedgerError && e.code === 'KEYFILE_PASSPHRASE_REQUIRED') {
      throw new GridLedgerError('KEY_PASSPHRASE_REQUIRED', `key "${name}" is encrypted: set ${PASSPHRASE_ENV} to its passphrase`, { cause: e });
    }
    if (e instanceof GridLedgerError && e.code === 'KEYFILE_BAD_PASSPHRASE') {
      throw new GridLedgerError('KEY_BAD_PASSPHRASE', `cannot open key "${name}": wrong passphrase in ${PASSPHRASE_ENV}, or the file was altered`, { cause: e });
    }
    throw new GridLedgerError('KEY_BAD_FILE', `key file for "${name}" is invalid`, { cause: e });
  }
}

/** Every key in the home, sorted by name. */
export function listKeys(paths: HomePaths): KeyInfo[] {
  if (!existsSync(paths.keys)) return [];
  return readdirSync(paths.keys)
    .filter((f) => f.endsWith('.json') && KEY_NAME_RE.test(f.slice(0, -5)))
    .map((f) => f.slice(0, -5))
    .sort()
    .map((name) => keyInfo(paths, name));
}

// ---- creating homes ----

/** The libp2p address under which a node with this key listens on `host:port`. */
export function peerAddress(host: string, p2pPort: number, publicKey: Uint8Array): string {
  return `/ip4/${host}/tcp/${p2pPort}/p2p/${peerIdFromEd25519PublicKey(publicKey)}`;
}

export interface GenesisPlan {
  chainId: string;
  genesisTimeMs: number;
  validators: readonly KeyPair[];
  operator: KeyPair;
  /** Extra funded accounts (dev wallets, benchmark senders). */
  funded: ReadonlyArray<{ publicKey: Uint8Array; balanceUc?: number }>;
  params?: Params;
}

/** Equal-stake validators, each also holding coin for fees; the operator and the funded accounts. */
export function buildGenesis(plan: GenesisPlan): GenesisJson {
  const addr = (pk: Uint8Array): string => formatAddress(addressFromPublicKey(pk));
  const json: GenesisJson = {
    chainId: plan.chainId,
    genesisTimeMs: plan.genesisTimeMs,
    params: plan.params ?? { ...defaultParams(), nodeMajorVersion: runningNodeMajor() },
    operator: { publicKey: toHex(plan.operator.publicKey) },
    accounts: [
      ...plan.validators.map((v) => ({ address: addr(v.publicKey), balanceUc: SYSTEM_BALANCE_UC })),
      { address: addr(plan.operator.publicKey), balanceUc: SYSTEM_BALANCE_UC },
      ...plan.funded.map((f) => ({ address: addr(f.publicKey), balanceUc: f.balanceUc ?? WALLET_BALANCE_UC })),
    ],
    validators: plan.validators.map((v) => ({ publicKey: toHex(v.publicKey), rewardAddress: addr(v.publicKey), stakeUc: VALIDATOR_STAKE_UC })),
  };
  parseGenesis(json); // refuse a bad plan here, not when the node starts
  return json;
}

/** Throws HOME_EXISTS when `dir` exists and is not an empty directory. */
export function refuseNonEmptyDir(dir: string): void {
  const root = path.resolve(dir);
  if (!existsSync(root)) return;
  if (!statSync(root).isDirectory()) throw new GridLedgerError('HOME_EXISTS', `${root} exists and is not a directory`);
  if (readdirSync(root).length > 0) throw new GridLedgerError('HOME_EXISTS', `${root} exists and is not empty: refusing to overwrite it`);
}

/** Refuses a directory that exists and holds anything; creates it otherwise. */
export function createEmptyDir(dir: string): void {
  refuseNonEmptyDir(dir);
  mkdirSync(path.resolve(dir), { recursive: true });
}

export interface WriteHomeOptions {
  config: HomeConfig;
  genesis: GenesisJson;
  /** The peer identity, stored as `validator` (role validator: also its consensus key) or `node` (role follower). */
  identityKey: KeyPair;
  /** Further keys to store: operator, wallets. */
  keys?: Readonly<Record<string, KeyPair>>;
  /** Needed unless config.dev. */
  passphrase?: string;
}

/** Writes a complete home into an empty (or new) directory. */
export function writeHome(dir: string, opts: WriteHomeOptions): HomePaths {
  const protection = keyProtection(opts.config, opts.passphrase);
  const paths = homePaths(dir);
  if (opts.config.chainId !== opts.genesis.chainId) throw new GridLedgerError('HOME_CHAIN_MISMATCH', 'config and genesis name different chains');
  const identity = identityKeyName(opts.config.role);
  const reserved = Object.keys(opts.keys ?? {}).filter((name) => name === VALIDATOR_KEY || name === NODE_KEY);
  if (reserved.length > 0) throw new GridLedgerError('KEY_BAD_NAME', `"${reserved.join('", "')}" names the node's own key: pass it as the identity key`);
  createEmptyDir(paths.root);
  writeKey(paths, identity, opts.identityKey, protection);
  for (const [name, pair] of Object.entries(opts.keys ?? {}).sort(([a], [b]) => a.localeCompare(b))) writeKey(paths, name, pair, protection);
  writeFileSync(paths.genesis, `${JSON.stringify(opts.genesis, null, 2)}\n`);
  mkdirSync(paths.data, { recursive: true });
  mkdirSync(paths.wal, { recursive: true });
  // The config last: a home without it reads as not initialised, so a failed init is visible.
  writeConfig(paths, opts.config);
  return paths;
}

export interface InitHomeOptions {
  chainId: string;
  moniker?: string;
  dev: boolean;
  passphrase?: string;
  p2pPort?: number;
  rpcPort?: number;
  intervalMs?: number;
  genesisTimeMs: number;
}

/** The key file that holds a node's peer identity: `validator` for a validator, `node` for a follower. */
export function identityKeyName(role: NodeRole): string {
  return role === 'validator' ? VALIDATOR_KEY : NODE_KEY;
}

/** `node init`: one validator, its own single-validator genesis; with dev, funded alice and bob. */
export function initHome(dir: string, opts: InitHomeOptions): Home {
  // Fail before generating anything.
  refuseNonEmptyDir(dir);
  keyProtection({ dev: opts.dev }, opts.passphrase);
  const validatorKey = generateKeyPair();
  const operator = generateKeyPair();
  const wallets: Record<string, KeyPair> = opts.dev ? { alice: generateKeyPair(), bob: generateKeyPair() } : {};
  const genesis = buildGenesis({
    chainId: opts.chainId,
    genesisTimeMs: opts.genesisTimeMs,
    validators: [validatorKey],
    operator,
    funded: Object.values(wallets).map((w) => ({ publicKey: w.publicKey })),
  });
  const p2pPort = opts.p2pPort ?? DEFAULT_P2P_PORT;
  const config: HomeConfig = {
    chainId: opts.chainId,
    moniker: opts.moniker ?? 'node0',
    role: 'validator',
    listen: `/ip4/127.0.0.1/tcp/${p2pPort}`,
    peers: [],
    rpc: { host: '127.0.0.1', port: opts.rpcPort ?? DEFAULT_RPC_PORT },
    intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS,
    dev: opts.dev,
  };
  const writeOpts: WriteHomeOptions = { config, genesis, identityKey: validatorKey, keys: { [OPERATOR_KEY]: operator, ...wallets } };
  if (opts.passphrase !== undefined) writeOpts.passphrase = opts.passphrase;
  writeHome(dir, writeOpts);
  return loadHome(dir);
}

export interface InitFollowerOptions {
  /** The chain's genesis file, as every validator of the chain has it. */
  genesisFile: string;
  /** Peers to dial (at least one): multiaddrs naming their peer ids. */
  peers: readonly string[];
  /** When given, must be the genesis's chain id (a guard against the wrong file). */
  chainId?: string;
  moniker?: string;
  dev: boolean;
  passphrase?: string;
  p2pPort?: number;
  rpcPort?: number;
  intervalMs?: number;
}

/**
 * `node init --follow`: a full node of an existing chain. Its genesis is copied from the file
 * given (checked first); its only key is `node`, the peer identity: it never signs blocks or
 * votes. It dials `peers`, follows the chain by consensus messages and block sync, and answers
 * RPC like any node (`validator: null` in its status).
 */
export function initFollowerHome(dir: string, opts: InitFollowerOptions): Home {
  refuseNonEmptyDir(dir);
  keyProtection({ dev: opts.dev }, opts.passphrase);
  const genesis = readGenesisFile(opts.genesisFile);
  if (opts.chainId !== undefined && opts.chainId !== genesis.chainId) {
    throw new GridLedgerError('HOME_CHAIN_MISMATCH', `--chain-id is "${opts.chainId}" but ${opts.genesisFile} is the genesis of "${genesis.chainId}"`);
  }
  const config: HomeConfig = {
    chainId: genesis.chainId,
    moniker: opts.moniker ?? 'follower0',
    role: 'follower',
    listen: `/ip4/127.0.0.1/tcp/${opts.p2pPort ?? DEFAULT_P2P_PORT}`,
    peers: [...opts.peers],
    rpc: { host: '127.0.0.1', port: opts.rpcPort ?? DEFAULT_RPC_PORT },
    intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS,
    dev: opts.dev,
  };
  const checked = homeConfigSchema.safeParse(config);
  if (!checked.success) throw new GridLedgerError('HOME_BAD_CONFIG', `follower home: ${issuesText(checked.error)}`, { cause: checked.error });
  const writeOpts: WriteHomeOptions = { config: checked.data, genesis: genesisToJson(genesis), identityKey: generateKeyPair() };
  if (opts.passphrase !== undefined) writeOpts.passphrase = opts.passphrase;
  writeHome(dir, writeOpts);
  return loadHome(dir);
}

// ---- pid file ----

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in HOME/node.pid when that process still runs, else null. */
export function runningPid(paths: HomePaths): number | null {
  if (!existsSync(paths.pid)) return null;
  const pid = Number.parseInt(readFileSync(paths.pid, 'utf8').trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

/** Claims the home for this process; refuses when another live process holds it. */
export function writePidFile(paths: HomePaths, pid = process.pid): void {
  const other = runningPid(paths);
  if (other !== null && other !== pid) throw new GridLedgerError('NODE_ALREADY_RUNNING', `a node (pid ${other}) already runs on ${paths.root}`);
  writeFileSync(paths.pid, `${pid}\n`);
}

/** Removes HOME/node.pid if it names this process. */
export function removePidFile(paths: HomePaths, pid = process.pid): void {
  if (!existsSync(paths.pid)) return;
  if (Number.parseInt(readFileSync(paths.pid, 'utf8').trim(), 10) === pid) rmSync(paths.pid, { force: true });
}
