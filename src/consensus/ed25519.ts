/**
 * Ed25519 through Node's crypto (native; DESIGN.md section 4), with public keys cached as
 * KeyObjects (building one per call halves the verify rate). Signing is deterministic.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { RawSigner } from './signGuard.ts';
import type { Hex, SignatureVerifier } from './types.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A key from its 32-byte seed (RFC 8032 private key). */
export function ed25519FromSeed(seed: Uint8Array): RawSigner {
  if (seed.length !== 32) throw new RangeError(`an Ed25519 seed has 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}

export function createEd25519Verifier(): SignatureVerifier {
  const keys = new Map<string, KeyObject>();
  return {
    verify(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      const id = Buffer.from(publicKey).toString('hex');
      let key = keys.get(id);
      if (key === undefined) {
        key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
        keys.set(id, key);
      }
      return verify(null, message, key, signature);
    },
  };
}

/** CometBFT's validator address: the first 20 bytes of SHA-256 of the public key, hex. */
export function validatorAddress(publicKey: Uint8Array): Hex {
  return createHash('sha256').update(publicKey).digest().subarray(0, 20).toString('hex');
}
