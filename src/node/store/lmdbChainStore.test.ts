import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DURABLE_ENV_OPTIONS, openLmdbChainStore } from './lmdbChainStore.ts';
import { describeChainStoreCompliance } from './chainStoreCompliance.ts';
import { stateDigest } from './stateDigest.ts';
import { isGridLedgerError } from '../../errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-lmdb-'));
let n = 0;
const freshDir = (): string => path.join(root, `s${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeChainStoreCompliance('lmdb', () => openLmdbChainStore({ path: freshDir() }));

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('LMDB chain store on disk', () => {
  it('keeps blocks, state and metadata across close and reopen', async () => {
    const dir = freshDir();
    const s1 = openLmdbChainStore({ path: dir });
    s1.initChain({ chainId: 'c', genesisHash: b(1), initialHeight: 1, stateChanges: [[b(1), b(1)]] });
    s1.commitBlock({ height: 1, blockId: b(0xb1), blockBytes: b(1, 1), stateChanges: [[b(2), b(2)]], txIndex: [{ hash: b(0xf1), height: 1, index: 3 }] });
    const digest = stateDigest(s1);
    await s1.close();
    const s2 = openLmdbChainStore({ path: dir });
    expect(s2.latestHeight()).toBe(1);
    expect(s2.chainMeta()).toEqual({ chainId: 'c', genesisHash: b(1), initialHeight: 1 });
    expect(s2.getBlock(1)).toEqual(b(1, 1));
    expect(s2.getTxLocation(b(0xf1))).toEqual({ height: 1, index: 3 });
    expect(stateDigest(s2)).toEqual(digest);
    s2.commitBlock({ height: 2, blockId: b(0xb2), blockBytes: b(2), stateChanges: [] });
    await s2.close();
  });

  it('opens read-only beside a writer and refuses writes', async () => {
    const dir = freshDir();
    const writer = openLmdbChainStore({ path: dir });
    writer.initChain({ chainId: 'c', genesisHash: b(1), initialHeight: 1, stateChanges: [] });
    const reader = openLmdbChainStore({ path: dir, readOnly: true });
    writer.commitBlock({ height: 1, blockId: b(0xb1), blockBytes: b(1), stateChanges: [[b(7), b(7)]] });
    expect(reader.latestHeight()).toBe(1);
    expect(reader.getState(b(7))).toEqual(b(7));
    let code: string | undefined;
    try {
      reader.commitBlock({ height: 2, blockId: b(0xb2), blockBytes: b(2), stateChanges: [] });
    } catch (e) {
      code = isGridLedgerError(e) ? e.code : String(e);
    }
    expect(code).toBe('STORE_READ_ONLY');
    await reader.close();
    await writer.close();
  });

  it('is configured to fsync every commit', () => {
    // lmdb-js would otherwise return from a commit before its flush (overlappingSync) on Linux.
    expect(DURABLE_ENV_OPTIONS).toMatchObject({ overlappingSync: false, noSync: false, noMetaSync: false });
  });
});
