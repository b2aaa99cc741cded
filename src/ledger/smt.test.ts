import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex, utf8 } from './bytes.ts';
import { sha256 } from './hash.ts';
import { EMPTY_HASH, SparseMerkleTree, stateLeafHash, statePath, stateProofFromJson, stateProofToJson, verifyStateProof } from './smt.ts';

function treeOf(entries: ReadonlyArray<readonly [string, string]>): SparseMerkleTree {
  const t = new SparseMerkleTree();
  for (const [k, v] of entries) t.set(statePath(utf8(k)), sha256(utf8(v)));
  return t;
}

const entriesArb = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })), {
  size: 'max',
  selector: ([k]) => k,
  maxLength: 40,
});

describe('sparse Merkle tree (state commitment)', () => {
  it('empty tree has the empty root; one leaf is its own root', () => {
    expect(bytesEqual(new SparseMerkleTree().root(), EMPTY_HASH)).toBe(true);
    const t = treeOf([['k', 'v']]);
    expect(toHex(t.root())).toBe(toHex(stateLeafHash(statePath(utf8('k')), sha256(utf8('v')))));
  });

  it('the root depends on the key/value set only, not the order of writes', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const a = treeOf(entries);
        const b = treeOf([...entries].reverse());
        expect(toHex(a.root())).toBe(toHex(b.root()));
      }),
    );
  });

  it('deleting keys gives the root of the tree that never had them', () => {
    fc.assert(
      fc.property(entriesArb, fc.integer({ min: 0, max: 40 }), (entries, cut) => {
        const keep = entries.slice(0, Math.min(cut, entries.length));
        const t = treeOf(entries);
        for (const [k] of entries.slice(keep.length)) expect(t.delete(statePath(utf8(k)))).toBe(true);
        expect(toHex(t.root())).toBe(toHex(treeOf(keep).root()));
        expect(t.size).toBe(keep.length);
      }),
    );
  });

  it('cached hashes stay right under any interleaving of writes, deletes and root() calls', () => {
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'root'), fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 60, maxLength: 200 }), (ops) => {
        const t = new SparseMerkleTree();
        const model = new Map<string, string>();
        for (const [kind, k, v] of ops) {
          const key = `k${k}`;
          if (kind === 'set') {
            t.set(statePath(utf8(key)), sha256(utf8(v)));
            model.set(key, v);
          } else if (kind === 'delete') {
            expect(t.delete(statePath(utf8(key)))).toBe(model.delete(key));
          } else {
            expect(toHex(t.root())).toBe(toHex(treeOf([...model]).root()));
          }
        }
        expect(toHex(t.root())).toBe(toHex(treeOf([...model]).root()));
        expect(t.size).toBe(model.size);
      }),
      { numRuns: 100 },
    );
  });

  it('proves presence and absence; tampered proofs and values fail', () => {
    fc.assert(
      fc.property(entriesArb, fc.string({ minLength: 1, maxLength: 8 }), (entries, probe) => {
        const t = treeOf(entries);
        const root = t.root();
        for (const [k, v] of entries) {
          const proof = t.prove(statePath(utf8(k)));
          expect(verifyStateProof(root, utf8(k), utf8(v), proof)).toBe(true);
          expect(verifyStateProof(root, utf8(k), utf8(`${v}x`), proof)).toBe(false);
          expect(verifyStateProof(root, utf8(k), null, proof)).toBe(false);
          if (proof.siblings.length > 0) {
            const siblings = proof.siblings.map((s, i) => (i === proof.siblings.length - 1 ? sha256(s) : s));
            expect(verifyStateProof(root, utf8(k), utf8(v), { siblings })).toBe(false);
          }
        }
        if (!entries.some(([k]) => k === probe)) {
          const proof = t.prove(statePath(utf8(probe)));
          expect(verifyStateProof(root, utf8(probe), null, proof)).toBe(true);
          expect(verifyStateProof(root, utf8(probe), utf8('anything'), proof)).toBe(false);
          // Someone else's absence proof does not prove this key absent.
          const other = entries[0];
          if (other !== undefined) expect(verifyStateProof(root, utf8(other[0]), null, proof)).toBe(false);
        }
      }),
    );
  });

  it('proofs survive a JSON round trip; malformed JSON is refused', () => {
    const t = treeOf([['a', '1'], ['b', '2'], ['c', '3']]);
    const proof = t.prove(statePath(utf8('z')));
    const back = stateProofFromJson(JSON.parse(JSON.stringify(stateProofToJson(proof))));
    if (back === null) throw new Error('refused');
    expect(verifyStateProof(t.root(), utf8('z'), null, back)).toBe(true);
    expect(stateProofFromJson({ siblings: ['00'] })).toBeNull();
    expect(stateProofFromJson({ siblings: [], extra: 1 })).toBeNull();
  });

  it('one update in a tree of n keys rehashes O(log n) nodes, not O(n)', () => {
    const n = 20_000;
    const t = new SparseMerkleTree();
    for (let i = 0; i < n; i++) t.set(statePath(utf8(`acct/${i}`)), sha256(utf8(String(i))));
    t.root();
    let worst = 0;
    for (let i = 0; i < 50; i++) {
      const before = t.hashCount;
      t.set(statePath(utf8(`acct/${i * 397}`)), sha256(utf8(`new ${i}`)));
      t.root();
      worst = Math.max(worst, t.hashCount - before);
    }
    // log2(20000) ≈ 14.3: expected leaf depth ~15, rarely past 2·log2(n).
    expect(worst).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 2);
    expect(worst).toBeGreaterThanOrEqual(Math.floor(Math.log2(n)) - 2);
    const before = t.hashCount;
    t.root();
    expect(t.hashCount).toBe(before); // cached: nothing changed, nothing rehashed
  });
});
