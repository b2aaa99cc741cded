/** SHA-256, the one hash of the protocol (DESIGN.md section 4). */
import * as nodeCrypto from 'node:crypto';

export const HASH_BYTES = 32;

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
// crypto.hash (Node >= 20.12) avoids building a Hash object per call: hashing is most of the
// state machine's own work (state tree, keys, transaction ids).
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

let scratch = new Uint8Array(1024);

function digest(data: Uint8Array): Uint8Array {
  const d = oneShot === undefined ? nodeCrypto.createHash('sha256').update(data).digest() : oneShot('sha256', data, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return digest(parts[0] as Uint8Array);
  let n = 0;
  for (const p of parts) n += p.length;
  if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  let at = 0;
  for (const p of parts) {
    scratch.set(p, at);
    at += p.length;
  }
  return digest(scratch.subarray(0, n));
}
