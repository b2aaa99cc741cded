/**
 * Ed25519 keys and signatures through Node's crypto (OpenSSL, native speed).
 *
 * The verification rule of the protocol (any light client must use the same one):
 * - RFC 8032 verification without the cofactor ([S]B = R + [k]A compared as encodings), as
 *   OpenSSL does it: S must be < L (a signature with S >= L is rejected: no malleability);
 * - public keys must be canonical (y < p) and not of small order (blocklist below), checked by the
 *   ledger before Node is asked: Node alone would accept forgeries under a small-order key;
 * - keys registered on chain (validator and meter keys) must also decode to a curve point.
 * With noble-ed25519 the same rule is `zip215: false` plus the same key checks.
 *
 * Randomness is drawn only by generateKeyPair (a wallet action, never on a consensus path).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { addressFromPublicKey } from './address.ts';
import { concatBytes, fromHex, toHex } from './bytes.ts';
import { reject } from './codes.ts';
import { decodePoint, isSmallOrder } from './curve.ts';

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

const SPKI_PREFIX = fromHex('302a300506032b6570032100');
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

/** A raw key pair: `secretKey` is the 32-byte RFC 8032 seed. */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A key ready to sign many messages (its KeyObject is built once). */
export interface Signer {
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== SECRET_KEY_BYTES) reject('KEY_INVALID', `secret key must be ${SECRET_KEY_BYTES} bytes`);
  const priv = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), secretKey: new Uint8Array(seed) };
}

/** A fresh key pair from the operating system's CSPRNG (wallets and CLI only). */
export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return keyPairFromSeed(new Uint8Array(der.subarray(PKCS8_PREFIX.length)));
}

export function createSigner(secretKey: Uint8Array): Signer {
  const pair = keyPairFromSeed(secretKey);
  const key = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, pair.secretKey)), format: 'der', type: 'pkcs8' });
  return {
    publicKey: pair.publicKey,
    address: addressFromPublicKey(pair.publicKey),
    sign: (message) => new Uint8Array(cryptoSign(null, message, key)),
  };
}

// Verification KeyObjects by public key: building one per call halves the verify rate. A pure
// memo (no effect on results); bounded, oldest dropped first.
const KEY_CACHE_LIMIT = 65_536;
const keyCache = new Map<string, KeyObject | null>();

/** The key's KeyObject, or null for a key the rule refuses (cached either way). */
function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  let key = keyCache.get(id);
  if (key === undefined) {
    key = isAcceptablePublicKey(publicKey)
      ? createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' })
      : null;
    if (keyCache.size >= KEY_CACHE_LIMIT) {
      const oldest = keyCache.keys().next();
      if (oldest.done !== true) keyCache.delete(oldest.value);
    }
    keyCache.set(id, key);
  }
  return key;
}

let verifications = 0;

/** How many signatures this process has verified (a metric; tests check verify-once with it). */
export function verificationCount(): number {
  return verifications;
}

/** The protocol's verification rule (see the top of this file). Never throws. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  verifications++;
  try {
    const key = publicKeyObject(publicKey);
    return key !== null && cryptoVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

// Encodings (sign bit cleared) of the eight small-order points' y, and the non-canonical p and
// p+1 (libsodium's list; keys.test.ts re-derives each entry with exact arithmetic).
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => fromHex(h));

function sameY(key: Uint8Array, y: Uint8Array): boolean {
  for (let i = 0; i < 31; i++) if (key[i] !== y[i]) return false;
  return ((key[31] ?? 0) & 0x7f) === y[31];
}

/** y < p, byte-wise: only y in [p, 2^255) has bytes 1..30 all 0xff, top 0x7f and low byte >= 0xed. */
function isCanonicalY(key: Uint8Array): boolean {
  if (((key[31] ?? 0) & 0x7f) !== 0x7f || (key[0] ?? 0) < 0xed) return true;
  for (let i = 1; i < 31; i++) if (key[i] !== 0xff) return true;
  return false;
}

/** Canonical (y < p) and not of small order: cheap, checked for every sender. */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || !isCanonicalY(publicKey)) return false;
  for (const y of SMALL_ORDER_Y) if (sameY(publicKey, y)) return false;
  return true;
}

/** Also decodes to a curve point of large order: checked once for keys registered on chain. */
export function isRegistrableKey(publicKey: Uint8Array): boolean {
  if (!isAcceptablePublicKey(publicKey)) return false;
  const point = decodePoint(publicKey);
  return point !== null && !isSmallOrder(point);
}
