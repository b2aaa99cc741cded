import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { merkleProof, merkleRoot, verifyMerkleProof } from './merkle.ts';

// Certificate Transparency's reference leaves and tree heads (RFC 6962 test data).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => fromHex(h));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 6962 Merkle tree', () => {
  it('matches the reference tree heads for sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(toHex(merkleRoot(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('matches the reference audit paths (leaf 0 and 5 of 8)', () => {
    expect(merkleProof(LEAVES, 0).map(toHex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(merkleProof(LEAVES, 5).map(toHex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('every proof verifies in trees of every size 1..40, and fails when tampered or misplaced', () => {
    for (let n = 1; n <= 40; n++) {
      const items = Array.from({ length: n }, (_, i) => new Uint8Array([i, n]));
      const root = merkleRoot(items);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(items, i);
        const item = items[i] as Uint8Array;
        expect(verifyMerkleProof(root, item, i, n, proof)).toBe(true);
        expect(verifyMerkleProof(root, new Uint8Array([255]), i, n, proof)).toBe(false);
        if (n > 1) expect(verifyMerkleProof(root, item, (i + 1) % n, n, proof)).toBe(false);
        if (proof.length > 0) {
          const bad = proof.map((p, k) => (k === 0 ? new Uint8Array(p).fill(0) : p));
          expect(verifyMerkleProof(root, item, i, n, bad)).toBe(false);
        }
      }
    }
  });
});
