import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { generateKeyPair, genesisHash, genesisToJson } from '../ledger/index.ts';
import { identityKeyName, initFollowerHome, initHome, listKeys, loadHome, peerAddress, readKey, writeHome } from './home.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-follower-home-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `h${n++}`);
const NOW = 1_767_225_600_000;


/** A validator home to follow, and its peer address. */
function validatorHome(): { genesisFile: string; peer: string; chainId: string; genesisHashHex: string } {
  const home = initHome(fresh(), { chainId: 'dev-3', dev: true, genesisTimeMs: NOW, p2pPort: 31_000 });
  const key = readKey(home.paths, 'validator', undefined);
  return {
    genesisFile: home.paths.genesis,
    peer: peerAddress('127.0.0.1', 31_000, key.publicKey),
    chainId: home.config.chainId,
    genesisHashHex: Buffer.from(genesisHash(home.genesis)).toString('hex'),
  };
}

describe('follower homes', () => {
  it('init --follow: the chain of the genesis given, a node key and no validator key', () => {
    const v = validatorHome();
    const home = initFollowerHome(fresh(), { genesisFile: v.genesisFile, peers: [v.peer], dev: true, p2pPort: 31_002, rpcPort: 31_003 });
    expect(home.config).toMatchObject({ chainId: v.chainId, role: 'follower', peers: [v.peer], listen: '/ip4/127.0.0.1/tcp/31002', rpc: { port: 31_003 }, dev: true });
    // The same genesis: a node with another one would refuse the chain's blocks.
    expect(Buffer.from(genesisHash(home.genesis)).toString('hex')).toBe(v.genesisHashHex);
    expect(listKeys(home.paths).map((k) => k.name)).toEqual(['node']);
    expect(identityKeyName(home.config.role)).toBe('node');
    expect(readKey(home.paths, 'node', undefined).secretKey).toHaveLength(32);
  });

  it('encrypts the node key without --dev', () => {
    const v = validatorHome();
    expect(thrownCode(() => initFollowerHome(fresh(), { genesisFile: v.genesisFile, peers: [v.peer], dev: false }))).toBe('KEY_PASSPHRASE_REQUIRED');
    const home = initFollowerHome(fresh(), { genesisFile: v.genesisFile, peers: [v.peer], dev: false, passphrase: 'pw' });
    expect(listKeys(home.paths).map((k) => [k.name, k.encrypted])).toEqual([['node', true]]);
    expect(thrownCode(() => readKey(home.paths, 'node', undefined))).toBe('KEY_PASSPHRASE_REQUIRED');
  });

  it('names what is wrong: no peer, a bad peer, another chain, a bad genesis file', () => {
    const v = validatorHome();
    const base = { genesisFile: v.genesisFile, dev: true };
    expect(thrownCode(() => initFollowerHome(fresh(), { ...base, peers: [] }))).toBe('HOME_BAD_CONFIG');
    expect(thrownCode(() => initFollowerHome(fresh(), { ...base, peers: ['/ip4/127.0.0.1/tcp/1'] }))).toBe('HOME_BAD_CONFIG');
    expect(thrownCode(() => initFollowerHome(fresh(), { ...base, peers: [v.peer], chainId: 'other-1' }))).toBe('HOME_CHAIN_MISMATCH');
    expect(thrownCode(() => initFollowerHome(fresh(), { ...base, peers: [v.peer], genesisFile: path.join(root, 'missing.json') }))).toBe('HOME_BAD_GENESIS');
    const bad = path.join(root, 'bad-genesis.json');
    writeFileSync(bad, JSON.stringify({ ...(JSON.parse(readFileSync(v.genesisFile, 'utf8')) as object), validators: [] }));
    expect(thrownCode(() => initFollowerHome(fresh(), { ...base, peers: [v.peer], genesisFile: bad }))).toBe('HOME_BAD_GENESIS');
  });

  it('a follower config without peers does not load; a config from before roles is a validator', () => {
    const v = validatorHome();
    const dir = fresh();
    const home = initFollowerHome(dir, { genesisFile: v.genesisFile, peers: [v.peer], dev: true });
    const config = JSON.parse(readFileSync(home.paths.config, 'utf8')) as Record<string, unknown>;
    writeFileSync(home.paths.config, JSON.stringify({ ...config, peers: [] }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_CONFIG');
    writeFileSync(home.paths.config, JSON.stringify({ ...config, role: 'observer' }));
    expect(thrownCode(() => loadHome(dir))).toBe('HOME_BAD_CONFIG');

    const vdir = fresh();
    const vhome = initHome(vdir, { chainId: 'dev-1', dev: true, genesisTimeMs: NOW });
    const { role, ...old } = JSON.parse(readFileSync(vhome.paths.config, 'utf8')) as Record<string, unknown>;
    expect(role).toBe('validator');
    writeFileSync(vhome.paths.config, JSON.stringify(old));
    expect(loadHome(vdir).config.role).toBe('validator');
  });

  it('writeHome keeps the identity key apart from the other keys', () => {
    const v = validatorHome();
    const home = loadHome(path.dirname(v.genesisFile));
    const write = (keys: Record<string, ReturnType<typeof generateKeyPair>>): unknown =>
      writeHome(fresh(), { config: home.config, genesis: genesisToJson(home.genesis), identityKey: generateKeyPair(), keys });
    expect(thrownCode(() => write({ node: generateKeyPair() }))).toBe('KEY_BAD_NAME');
    expect(thrownCode(() => write({ validator: generateKeyPair() }))).toBe('KEY_BAD_NAME');
  });
});
