import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { addressFromPublicKey, formatAddress, generateKeyPair } from '../ledger/index.ts';
import {
  homePaths,
  initHome,
  keyInfo,
  listKeys,
  loadHome,
  readKey,
  removePidFile,
  runningPid,
  writeKey,
  writePidFile,
} from './home.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-home-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `h${n++}`);
const NOW = 1_767_225_600_000;


describe('node home', () => {
  it('init --dev writes a loadable home with plain keys and funded alice and bob', () => {
    const dir = fresh();
    const home = initHome(dir, { chainId: 'dev-7', dev: true, genesisTimeMs: NOW, rpcPort: 30001, p2pPort: 30000 });
    expect(home.config).toMatchObject({ chainId: 'dev-7', listen: '/ip4/127.0.0.1/tcp/30000', rpc: { host: '127.0.0.1', port: 30001 }, intervalMs: 1000, dev: true, peers: [] });
    expect(listKeys(home.paths).map((k) => k.name)).toEqual(['alice', 'bob', 'operator', 'validator']);
    const alice = readKey(home.paths, 'alice', undefined);
    const funded = home.genesis.accounts.find((a) => formatAddress(a.address) === formatAddress(addressFromPublicKey(alice.publicKey)));
    expect(funded?.balanceUc).toBeGreaterThan(0);
    const validator = readKey(home.paths, 'validator', undefined);
    expect(home.genesis.validators.map((v) => formatAddress(addressFromPublicKey(v.publicKey)))).toEqual([formatAddress(addressFromPublicKey(validator.publicKey))]);
    expect(existsSync(home.paths.data) && existsSync(home.paths.wal)).toBe(true);
    expect(keyInfo(home.paths, 'bob').encrypted).toBe(false);
  });

  it('init without --dev encrypts keys and needs the passphrase to open them', () => {
    expect(thrownCode(() => initHome(fresh(), { chainId: 'prod-1', dev: false, genesisTimeMs: NOW }))).toBe('KEY_PASSPHRASE_REQUIRED');
    const dir = fresh();
    const home = initHome(dir, { chainId: 'prod-1', dev: false, passphrase: 'correct horse', genesisTimeMs: NOW });
    expect(listKeys(home.paths).map((k) => [k.name, k.encrypted])).toEqual([
      ['operator', true],
      ['validator', true],
    ]);
    expect(readFileSync(path.join(home.paths.keys, 'validator.json'), 'utf8')).not.toContain('secretKey');
    expect(thrownCode(() => readKey(home.paths, 'validator', undefined))).toBe('KEY_PASSPHRASE_REQUIRED');
    expect(thrownCode(() => readKey(home.paths, 'validator', 'wrong'))).toBe('KEY_BAD_PASSPHRASE');
    const pair = readKey(home.paths, 'validator', 'correct horse');
    expect(keyInfo(home.paths, 'validator').address).toBe(formatAddress(addressFromPublicKey(pair.publicKey)));
  });

  it('refuses to init over a non-empty directory', () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'something'), 'x');
    expect(thrownCode(() => initHome(dir, { chainId: 'dev-1', dev: true, genesisTimeMs: NOW }))).toBe('HOME_EXISTS');
  });

  it('names what is wrong with a missing or bad home', () => {
    expect(thrownCode(() => loadHome(path.join(root, 'nowhere')))).toBe('HOME_NOT_FOUND');
    const empty = fresh();
    mkdirSync(empty);
    expect(thrownCode(() => loadHome(empty))).toBe('HOME_NOT_INITIALISED');

    const dir = fresh();
    const home = initHome(dir, { chainId: 'dev-1', dev: true, genesisTimeMs: NOW });
    const config = JSON.parse(readFileSync(home.paths.config, 'utf8')) as Record<string, unknown>;
    writeFileSync(home.paths.config, '{not json');
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_CONFIG');
    writeFileSync(home.paths.config, JSON.stringify({ ...config, rpc: { host: '0.0.0.0', port: 1 } }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_CONFIG');
    writeFileSync(home.paths.config, JSON.stringify({ ...config, peers: ['/ip4/127.0.0.1/tcp/1'] }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_CONFIG');
    writeFileSync(home.paths.config, JSON.stringify({ ...config, chainId: 'other-1' }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_CHAIN_MISMATCH');
    writeFileSync(home.paths.config, JSON.stringify(config));
    const genesis = JSON.parse(readFileSync(home.paths.genesis, 'utf8')) as Record<string, unknown>;
    writeFileSync(home.paths.genesis, JSON.stringify({ ...genesis, validators: [] }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_GENESIS');
    writeFileSync(home.paths.genesis, JSON.stringify(genesis));
    expect(loadHome(dir).config.chainId).toBe('dev-1');
  });

  it('adds, lists and refuses duplicate or badly named keys', () => {
    const home = initHome(fresh(), { chainId: 'dev-1', dev: true, genesisTimeMs: NOW });
    const pair = generateKeyPair();
    writeKey(home.paths, 'carol', pair, { dev: true });
    expect(keyInfo(home.paths, 'carol').address).toBe(formatAddress(addressFromPublicKey(pair.publicKey)));
    expect(thrownCode(() => writeKey(home.paths, 'carol', generateKeyPair(), { dev: true }))).toBe('KEY_EXISTS');
    expect(thrownCode(() => writeKey(home.paths, '../evil', generateKeyPair(), { dev: true }))).toBe('KEY_BAD_NAME');
    expect(thrownCode(() => keyInfo(home.paths, 'dave'))).toBe('KEY_NOT_FOUND');
  });

  it('claims the home with node.pid and refuses a second live node', () => {
    const paths = homePaths(initHome(fresh(), { chainId: 'dev-1', dev: true, genesisTimeMs: NOW }).paths.root);
    expect(runningPid(paths)).toBeNull();
    writePidFile(paths);
    expect(runningPid(paths)).toBe(process.pid);
    // Another live process (our parent) holding the home.
    writeFileSync(paths.pid, `${process.ppid}\n`);
    expect(thrownCode(() => writePidFile(paths))).toBe('NODE_ALREADY_RUNNING');
    removePidFile(paths); // not ours: left alone
    expect(existsSync(paths.pid)).toBe(true);
    // A stale file (a process that no longer exists, e.g. after kill -9) is taken over.
    writeFileSync(paths.pid, '999999999\n');
    writePidFile(paths);
    removePidFile(paths);
    expect(existsSync(paths.pid)).toBe(false);
  });
});
