/**
 * Key files: a key pair as JSON, its secret encrypted at rest (scrypt + AES-256-GCM under a
 * passphrase) or, in dev mode, in plain hex. Pure functions: the caller reads and writes files.
 * The public key, address and KDF parameters are authenticated as GCM additional data, so a
 * file whose header was edited fails to decrypt instead of lying about whose key it holds.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { addressFromPublicKey, formatAddress } from './address.ts';
import { bytesEqual, fromHex, toHex, utf8 } from './bytes.ts';
import { reject } from './codes.ts';
import { parseWith } from './encoding.ts';
import type { KeyPair } from './keys.ts';
import { keyPairFromSeed } from './keys.ts';

export interface ScryptParams {
  /** CPU/memory cost, a power of two (default 2^15: ~32 MiB, ~0.1 s). */
  n: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { n: 2 ** 15, r: 8, p: 1 };

const hex = (n: number): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${n * 2}}$`));

const header = {
  version: z.literal(1),
  kind: z.literal('ed25519'),
  publicKey: hex(32),
  address: z.string(),
};

const encryptedSchema = z.strictObject({
  ...header,
  crypto: z.strictObject({
    kdf: z.literal('scrypt'),
    n: z.int().min(2).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
    r: z.int().min(1).max(32),
    p: z.int().min(1).max(16),
    salt: hex(16),
    cipher: z.literal('aes-256-gcm'),
    iv: hex(12),
    ciphertext: hex(32),
    tag: hex(16),
  }),
});

const plainSchema = z.strictObject({ ...header, secretKey: hex(32) });

export type EncryptedKeyFile = z.infer<typeof encryptedSchema>;
export type PlainKeyFile = z.infer<typeof plainSchema>;
export type KeyFile = EncryptedKeyFile | PlainKeyFile;

function deriveKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: params.n, r: params.r, p: params.p, maxmem: 256 * params.n * params.r + 1024 * 1024 });
}

function additionalData(file: { publicKey: string; address: string }, params: ScryptParams): Uint8Array {
  return utf8(`gridledger-keyfile-v1|${file.publicKey}|${file.address}|${params.n}|${params.r}|${params.p}`);
}

/** Encrypts a key pair. `salt` (16 bytes) and `iv` (12 bytes) default to fresh random bytes. */
export function encryptKey(
  pair: KeyPair,
  passphrase: string,
  opts: { scrypt?: ScryptParams; salt?: Uint8Array; iv?: Uint8Array } = {},
): EncryptedKeyFile {
  const params = opts.scrypt ?? DEFAULT_SCRYPT;
  const salt = opts.salt ?? randomBytes(16);
  const iv = opts.iv ?? randomBytes(12);
  const publicKey = toHex(pair.publicKey);
  const address = formatAddress(addressFromPublicKey(pair.publicKey));
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, params), iv);
  cipher.setAAD(additionalData({ publicKey, address }, params));
  const ciphertext = Buffer.concat([cipher.update(pair.secretKey), cipher.final()]);
  return {
    version: 1,
    kind: 'ed25519',
    publicKey,
    address,
    crypto: {
      kdf: 'scrypt',
      n: params.n,
      r: params.r,
      p: params.p,
      salt: toHex(salt),
      cipher: 'aes-256-gcm',
      iv: toHex(iv),
      ciphertext: toHex(ciphertext),
      tag: toHex(cipher.getAuthTag()),
    },
  };
}

/** Dev mode: the secret in plain hex (tests, `node init --dev`). */
export function plainKeyFile(pair: KeyPair): PlainKeyFile {
  return {
    version: 1,
    kind: 'ed25519',
    publicKey: toHex(pair.publicKey),
    address: formatAddress(addressFromPublicKey(pair.publicKey)),
    secretKey: toHex(pair.secretKey),
  };
}

export function isEncryptedKeyFile(file: KeyFile): file is EncryptedKeyFile {
  return 'crypto' in file;
}

/** Parses a key file (already JSON-parsed) and checks its shape. */
export function parseKeyFile(json: unknown): KeyFile {
  const isEncrypted = typeof json === 'object' && json !== null && 'crypto' in json;
  return parseWith<KeyFile>(isEncrypted ? encryptedSchema : plainSchema, json, 'KEYFILE_INVALID', 'key file');
}

/** Opens a key file; the passphrase is required for an encrypted one. */
export function decryptKey(json: unknown, passphrase?: string): KeyPair {
  const file = parseKeyFile(json);
  let secret: Uint8Array;
  if (isEncryptedKeyFile(file)) {
    if (passphrase === undefined) reject('KEYFILE_PASSPHRASE_REQUIRED', 'this key file is encrypted: a passphrase is required');
    const c = file.crypto;
    const params = { n: c.n, r: c.r, p: c.p };
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, fromHex(c.salt), params), fromHex(c.iv));
      decipher.setAAD(additionalData(file, params));
      decipher.setAuthTag(fromHex(c.tag));
      secret = new Uint8Array(Buffer.concat([decipher.update(fromHex(c.ciphertext)), decipher.final()]));
    } catch (e) {
      throw new GridLedgerError('KEYFILE_BAD_PASSPHRASE', 'wrong passphrase, or the key file was altered', { cause: e });
    }
  } else {
    secret = fromHex(file.secretKey);
  }
  const pair = keyPairFromSeed(secret);
  if (!bytesEqual(pair.publicKey, fromHex(file.publicKey)) || file.address !== formatAddress(addressFromPublicKey(pair.publicKey))) {
    reject('KEYFILE_INVALID', 'key file public key or address does not match its secret key');
  }
  return pair;
}
