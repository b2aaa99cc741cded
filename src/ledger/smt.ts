/**
 * The state commitment: a compressed sparse Merkle tree (the Diem/Aptos design) over
 * path = SHA-256(key), 256 levels deep in principle, with every subtree that holds a single
 * leaf replaced by that leaf, so a leaf sits just below the first bit that sets it apart.
 *
 *   empty   = 32 zero bytes
 *   leaf    = H(0x00 ‖ path ‖ H(value))
 *   inner   = H(0x01 ‖ left ‖ right)
 *
 * Expected leaf depth is log2(n) + O(1), so one update rehashes O(log n) nodes: inner nodes cache
 * their hash and an update only clears the caches on its own path. The root depends on the set of
 * key/value pairs only, never on the order they were written in.
 *
 * A proof lists the sibling hashes from the root down to where the key's path ends: at its own
 * leaf (inclusion), at an empty subtree, or at another key's leaf that shares the prefix
 * (exclusion; the proof then carries that leaf's path and value hash).
 */
import { z } from 'zod';
import { bytesEqual, fromHex, toHex } from './bytes.ts';
import { sha256 } from './hash.ts';

export const EMPTY_HASH: Uint8Array = new Uint8Array(32);
const LEAF = new Uint8Array([0]);
const INNER = new Uint8Array([1]);
const MAX_DEPTH = 256;

interface Leaf {
  readonly kind: 'leaf';
  readonly path: Uint8Array;
  valueHash: Uint8Array;
  hash: Uint8Array | null;
}

interface Inner {
  readonly kind: 'inner';
  left: TreeNode | null;
  right: TreeNode | null;
  hash: Uint8Array | null;
}

type TreeNode = Leaf | Inner;

export interface StateProof {
  /** Sibling hashes from the root down. */
  readonly siblings: readonly Uint8Array[];
  /** For an exclusion proof ending at another key's leaf: that leaf. */
  readonly leaf?: { readonly path: Uint8Array; readonly valueHash: Uint8Array };
}

function bitAt(path: Uint8Array, depth: number): number {
  return ((path[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;
}

export function statePath(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function stateLeafHash(path: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return sha256(LEAF, path, valueHash);
}

export class SparseMerkleTree {
  private top: TreeNode | null = null;
  private count = 0;
  /** Hashes computed so far (leaf and inner): lets tests check that updates cost O(log n). */
  hashCount = 0;

  get size(): number {
    return this.count;
  }

  /** Sets the leaf at `path` (32 bytes) to a value whose hash is `valueHash`. */
  set(path: Uint8Array, valueHash: Uint8Array): void {
    this.top = this.insert(this.top, path, valueHash, 0);
  }

  /** Removes the leaf at `path`; false if there was none. */
  delete(path: Uint8Array): boolean {
    const before = this.count;
    this.top = this.remove(this.top, path, 0);
    return this.count < before;
  }

  root(): Uint8Array {
    return this.top === null ? EMPTY_HASH : this.hashOf(this.top);
  }

  prove(path: Uint8Array): StateProof {
    const siblings: Uint8Array[] = [];
    let node = this.top;
    let depth = 0;
    while (node !== null && node.kind === 'inner') {
      const right = bitAt(path, depth) === 1;
      siblings.push(this.hashOrEmpty(right ? node.left : node.right));
      node = right ? node.right : node.left;
      depth++;
    }
    if (node !== null && !bytesEqual(node.path, path)) return { siblings, leaf: { path: node.path, valueHash: node.valueHash } };
    return { siblings };
  }

  private insert(node: TreeNode | null, path: Uint8Array, valueHash: Uint8Array, depth: number): TreeNode {
    if (node === null) {
      this.count++;
      return { kind: 'leaf', path, valueHash, hash: null };
    }
    if (node.kind === 'leaf') {
      if (bytesEqual(node.path, path)) {
        node.valueHash = valueHash;
        node.hash = null;
        return node;
      }
      this.count++;
      return this.split(node, { kind: 'leaf', path, valueHash, hash: null }, depth);
    }
    node.hash = null;
    if (bitAt(path, depth) === 1) node.right = this.insert(node.right, path, valueHash, depth + 1);
    else node.left = this.insert(node.left, path, valueHash, depth + 1);
    return node;
  }

  /** Inner nodes from `depth` down to the first bit where the two leaves' paths differ. */
  private split(a: Leaf, b: Leaf, depth: number): Inner {
    if (depth >= MAX_DEPTH) throw new Error('two leaves with one path');
    const bitA = bitAt(a.path, depth);
    if (bitA !== bitAt(b.path, depth)) {
      return bitA === 0 ? { kind: 'inner', left: a, right: b, hash: null } : { kind: 'inner', left: b, right: a, hash: null };
    }
    const child = this.split(a, b, depth + 1);
    return bitA === 0 ? { kind: 'inner', left: child, right: null, hash: null } : { kind: 'inner', left: null, right: child, hash: null };
  }

  private remove(node: TreeNode | null, path: Uint8Array, depth: number): TreeNode | null {
    if (node === null) return null;
    if (node.kind === 'leaf') {
      if (!bytesEqual(node.path, path)) return node;
      this.count--;
      return null;
    }
    const right = bitAt(path, depth) === 1;
    const countBefore = this.count;
    const next = this.remove(right ? node.right : node.left, path, depth + 1);
    if (this.count === countBefore) return node; // nothing removed below: caches stay valid
    if (right) node.right = next;
    else node.left = next;
    node.hash = null;
    // Keep the tree compressed: a subtree holding one leaf is that leaf.
    if (node.left === null && node.right === null) return null;
    if (node.left === null && node.right?.kind === 'leaf') return node.right;
    if (node.right === null && node.left?.kind === 'leaf') return node.left;
    return node;
  }

  private hashOrEmpty(node: TreeNode | null): Uint8Array {
    return node === null ? EMPTY_HASH : this.hashOf(node);
  }

  private hashOf(node: TreeNode): Uint8Array {
    if (node.hash !== null) return node.hash;
    this.hashCount++;
    node.hash =
      node.kind === 'leaf'
        ? stateLeafHash(node.path, node.valueHash)
        : sha256(INNER, this.hashOrEmpty(node.left), this.hashOrEmpty(node.right));
    return node.hash;
  }
}

/**
 * Checks a proof against a state root: `value` is the key's value bytes, or null to prove the
 * key absent. Pure; all a light client needs besides a trusted header's app hash.
 */
export function verifyStateProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: StateProof): boolean {
  const path = statePath(key);
  const depth = proof.siblings.length;
  if (depth > MAX_DEPTH) return false;
  let h: Uint8Array;
  if (value !== null) {
    if (proof.leaf !== undefined) return false;
    h = stateLeafHash(path, sha256(value));
  } else if (proof.leaf !== undefined) {
    const other = proof.leaf;
    if (other.path.length !== 32 || other.valueHash.length !== 32 || bytesEqual(other.path, path)) return false;
    for (let d = 0; d < depth; d++) if (bitAt(other.path, d) !== bitAt(path, d)) return false;
    h = stateLeafHash(other.path, other.valueHash);
  } else {
    h = EMPTY_HASH;
  }
  for (let d = depth - 1; d >= 0; d--) {
    const sibling = proof.siblings[d];
    if (sibling === undefined || sibling.length !== 32) return false;
    h = bitAt(path, d) === 1 ? sha256(INNER, sibling, h) : sha256(INNER, h, sibling);
  }
  return bytesEqual(h, root);
}

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const proofJsonSchema = z.strictObject({
  siblings: z.array(hex32).max(MAX_DEPTH),
  leaf: z.strictObject({ path: hex32, valueHash: hex32 }).optional(),
});
export type StateProofJson = z.infer<typeof proofJsonSchema>;

export function stateProofToJson(proof: StateProof): StateProofJson {
  const siblings = proof.siblings.map(toHex);
  return proof.leaf === undefined ? { siblings } : { siblings, leaf: { path: toHex(proof.leaf.path), valueHash: toHex(proof.leaf.valueHash) } };
}

/** Parses a proof received as JSON; null if malformed (a light client then refuses it). */
export function stateProofFromJson(json: unknown): StateProof | null {
  const r = proofJsonSchema.safeParse(json);
  if (!r.success) return null;
  const siblings = r.data.siblings.map((s) => fromHex(s));
  const leaf = r.data.leaf;
  return leaf === undefined ? { siblings } : { siblings, leaf: { path: fromHex(leaf.path), valueHash: fromHex(leaf.valueHash) } };
}
