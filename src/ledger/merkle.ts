/**
 * RFC 6962 (RFC 9162 section 2.1) Merkle tree over an ordered list: the transactions of a block
 * and the validator set. Leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right), a list of n > 1
 * split at k, the largest power of two below n; the empty list's root is H("").
 */
import { bytesEqual } from './bytes.ts';
import { sha256 } from './hash.ts';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right);
}

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOf(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo] as Uint8Array;
  const k = splitPoint(n);
  return nodeHash(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/** Merkle tree hash of the items (raw data, hashed as leaves here). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  return rootOf(items.map(leafHash), 0, items.length);
}

function pathOf(leaves: Uint8Array[], m: number, lo: number, hi: number, out: Uint8Array[]): void {
  const n = hi - lo;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    pathOf(leaves, m, lo, lo + k, out);
    out.push(rootOf(leaves, lo + k, hi));
  } else {
    pathOf(leaves, m - k, lo + k, hi, out);
    out.push(rootOf(leaves, lo, lo + k));
  }
}

/** The audit path of item `index` (RFC 6962 PATH), nearest the leaf first. */
export function merkleProof(items: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new RangeError(`index ${index} outside 0..${items.length - 1}`);
  const out: Uint8Array[] = [];
  pathOf(items.map(leafHash), index, 0, items.length, out);
  return out;
}

/** RFC 9162 section 2.1.3.2: does `proof` place `item` at `index` of a tree of `size` with `root`? */
export function verifyMerkleProof(root: Uint8Array, item: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(item);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}
