import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { merkleRoot } from './merkle.ts';

const h = (...parts: (number[] | Uint8Array)[]): string => {
  const x = createHash('sha256');
  for (const p of parts) x.update(Uint8Array.from(p));
  return x.digest('hex');
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaf = (s: string): string => h([0], Buffer.from(s));
const node = (l: string, r: string): string => h([1], Buffer.from(l, 'hex'), Buffer.from(r, 'hex'));
const items = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => Buffer.from(`item${i}`));

describe('merkleRoot (RFC 6962)', () => {
  it('hashes the empty list to SHA-256 of nothing, as CometBFT', () => {
    // The empty validator set hash asserted in CometBFT's TestValidatorSetBasic.
    expect(hex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('prefixes leaves with 0x00 and inner nodes with 0x01', () => {
    expect(hex(merkleRoot(items(1)))).toBe(leaf('item0'));
    expect(hex(merkleRoot(items(2)))).toBe(node(leaf('item0'), leaf('item1')));
  });

  it('splits at the largest power of two below n', () => {
    // n = 3 -> [0,1] | [2];  n = 5 -> [0..3] | [4];  n = 6 -> [0..3] | [4,5]
    const l = Array.from({ length: 6 }, (_, i) => leaf(`item${i}`));
    const [a, b, c, d, e, f] = l as [string, string, string, string, string, string];
    const ab = node(a, b);
    const cd = node(c, d);
    expect(hex(merkleRoot(items(3)))).toBe(node(ab, c));
    expect(hex(merkleRoot(items(4)))).toBe(node(ab, cd));
    expect(hex(merkleRoot(items(5)))).toBe(node(node(ab, cd), e));
    expect(hex(merkleRoot(items(6)))).toBe(node(node(ab, cd), node(e, f)));
  });
});
