import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GridLedgerError } from '../errors.ts';
import { addressFromPublicKey, formatAddress, generateKeyPair } from '../ledger/index.ts';
import { keyInfo, loadHome, readKey } from '../node/home.ts';
import { peerIdFromEd25519PublicKey } from '../net/libp2p/peerId.ts';
import { writeTestnet } from './testnet.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-testnet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('testnet homes', () => {
  it('writes N dev homes with one genesis, equal stakes and a full mesh of distinct ports', async () => {
    const extra = generateKeyPair();
    const homes = await writeTestnet({ dir: path.join(root, 'a'), validators: 4, intervalMs: 250, funded: [{ publicKey: extra.publicKey, balanceUc: 7 }] });
    expect(homes.map((h) => path.basename(h.dir))).toEqual(['node0', 'node1', 'node2', 'node3']);
    const loaded = homes.map((h) => loadHome(h.dir));
    const genesisText = loaded.map((h) => readFileSync(h.paths.genesis, 'utf8'));
    expect(new Set(genesisText).size).toBe(1);

    const g = loaded[0]?.genesis;
    if (g === undefined) throw new Error('no home');
    expect(g.validators).toHaveLength(4);
    expect(new Set(g.validators.map((v) => v.stakeUc)).size).toBe(1);
    // Each home's validator key is one of the genesis validators, a different one per home.
    const validatorAddrs = loaded.map((h) => formatAddress(addressFromPublicKey(readKey(h.paths, 'validator', undefined).publicKey)));
    expect(new Set(validatorAddrs).size).toBe(4);
    expect(validatorAddrs.sort()).toEqual(g.validators.map((v) => formatAddress(addressFromPublicKey(v.publicKey))).sort());
    // alice, bob (the same keys in every home) and the extra account are funded.
    const funded = new Map(g.accounts.map((a) => [formatAddress(a.address), a.balanceUc]));
    for (const name of ['alice', 'bob']) {
      const addrs = new Set(loaded.map((h) => keyInfo(h.paths, name).address));
      expect(addrs.size).toBe(1);
      expect(funded.get([...addrs][0] ?? '')).toBeGreaterThan(0);
    }
    expect(funded.get(formatAddress(addressFromPublicKey(extra.publicKey)))).toBe(7);

    const ports = homes.flatMap((h) => [h.p2pPort, h.rpc.port]);
    expect(new Set(ports).size).toBe(8);
    loaded.forEach((h, k) => {
      expect(h.config).toMatchObject({ moniker: `node${k}`, intervalMs: 250, dev: true, rpc: { host: '127.0.0.1', port: homes[k]?.rpc.port } });
      expect(h.config.listen).toBe(`/ip4/127.0.0.1/tcp/${homes[k]?.p2pPort}`);
      // Every other validator, by its port and the peer id of its key; never itself.
      const others = loaded.filter((_, j) => j !== k);
      expect(h.config.peers).toEqual(
        others.map((o) => `/ip4/127.0.0.1/tcp/${o.config.listen.split('/')[4]}/p2p/${peerIdFromEd25519PublicKey(readKey(o.paths, 'validator', undefined).publicKey)}`),
      );
    });
  });

  it('refuses an existing non-empty directory', async () => {
    const dir = path.join(root, 'b');
    await writeTestnet({ dir, validators: 1 });
    const err = await writeTestnet({ dir, validators: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GridLedgerError);
    expect((err as GridLedgerError).code).toBe('HOME_EXISTS');
  });
});
