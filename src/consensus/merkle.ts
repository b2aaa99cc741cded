/**
 * RFC 6962 Merkle tree hash (as CometBFT's merkle.HashFromByteSlices): leaf = H(0x00 || x),
 * node = H(0x01 || left || right), split at the largest power of two below n; the empty tree
 * hashes to H("").
 */
import { createHash } from 'node:crypto';

const LEAF = Uint8Array.of(0);
const INNER = Uint8Array.of(1);

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function root(items: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 1) return sha256(LEAF, items[from] as Uint8Array);
  const k = splitPoint(n);
  return sha256(INNER, root(items, from, from + k), root(items, from + k, to));
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  return root(items, 0, items.length);
}
