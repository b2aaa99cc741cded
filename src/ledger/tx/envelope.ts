/**
 * The transaction envelope: {chainId, sender, nonce, feeUc, type, body, signature}, encoded as a
 * canonical CBOR map. The sender is the raw 32-byte Ed25519 public key (its address is derived).
 * The signature covers TX_SIGN_DOMAIN ‖ canonical encoding of the map without `signature`; the
 * transaction hash is SHA-256 of the whole encoded signed transaction.
 */
import { z } from 'zod';
import { addressFromPublicKey } from '../address.ts';
import { uint } from '../amounts.ts';
import { bytesEqual, concatBytes, toHex, utf8 } from '../bytes.ts';
import { reject } from '../codes.ts';
import { decodeCanonical, encodeCanonical, parseWith } from '../encoding.ts';
import { sha256 } from '../hash.ts';
import type { Signer } from '../keys.ts';
import { isAcceptablePublicKey, verifySignature } from '../keys.ts';
import { publicKeyBytes, signatureBytes } from '../schemas.ts';
import type { BoundTx, TxRegistry } from './types.ts';

/** Domain separation: these signatures can never be mistaken for votes or other messages. */
export const TX_SIGN_DOMAIN = utf8('gridledger/tx/v1\n');

export interface UnsignedTx {
  readonly chainId: string;
  readonly sender: Uint8Array;
  readonly nonce: number;
  readonly feeUc: number;
  readonly type: string;
  readonly body: unknown;
}

export interface SignedTx extends UnsignedTx {
  readonly signature: Uint8Array;
}

const envelopeSchema = z.strictObject({
  chainId: z.string().min(1).max(64),
  sender: publicKeyBytes,
  nonce: uint,
  feeUc: uint,
  type: z.string().min(1).max(64),
  body: z.unknown(),
  signature: signatureBytes,
});

function unsignedOf(tx: UnsignedTx): UnsignedTx {
  return { chainId: tx.chainId, sender: tx.sender, nonce: tx.nonce, feeUc: tx.feeUc, type: tx.type, body: tx.body };
}

export function txSignBytes(tx: UnsignedTx): Uint8Array {
  return concatBytes(TX_SIGN_DOMAIN, encodeCanonical(unsignedOf(tx)));
}

export function encodeSignedTx(tx: SignedTx): Uint8Array {
  return encodeCanonical({ ...unsignedOf(tx), signature: tx.signature });
}

// Hashes by bytes object: a transaction is hashed at admission, in the proposal check, the
// transaction root, execution and the mempool's update, mostly on the same bytes. Transaction
// bytes are never modified once received (the transport's contract), so the memo is pure.
const hashes = new WeakMap<Uint8Array, Uint8Array>();

export function txHash(bytes: Uint8Array): Uint8Array {
  let hash = hashes.get(bytes);
  if (hash === undefined) {
    hash = sha256(bytes);
    hashes.set(bytes, hash);
  }
  return hash;
}

// The signed encoding ends with the signature: `signature` is the longest key, and canonical maps
// sort keys by length first. So the unsigned encoding is the signed one with the map header's
// count one lower (0xa7 -> 0xa6) and this entry cut off.
const SIGNATURE_ENTRY = concatBytes(encodeCanonical('signature'), new Uint8Array([0x58, 0x40]));
const SIGNATURE_TAIL = SIGNATURE_ENTRY.length + 64;
const SIGNED_MAP = 0xa7;
const UNSIGNED_MAP = 0xa6;

/**
 * Sign bytes cut from the canonical bytes of a signed transaction (no re-encoding); falls back to
 * encoding when the layout is not the one above.
 */
function signBytesOf(bytes: Uint8Array, tx: SignedTx): Uint8Array {
  const body = bytes.length - SIGNATURE_TAIL;
  if (bytes[0] !== SIGNED_MAP || body < 1 || !bytesEqual(bytes.subarray(body, body + SIGNATURE_ENTRY.length), SIGNATURE_ENTRY)) return txSignBytes(tx);
  const out = new Uint8Array(TX_SIGN_DOMAIN.length + body);
  out.set(TX_SIGN_DOMAIN, 0);
  out[TX_SIGN_DOMAIN.length] = UNSIGNED_MAP;
  out.set(bytes.subarray(1, body), TX_SIGN_DOMAIN.length + 1);
  return out;
}

/** Signs and encodes a transaction from `signer`. */
export function signTx(tx: Omit<UnsignedTx, 'sender'>, signer: Signer): Uint8Array {
  const unsigned: UnsignedTx = { ...tx, sender: signer.publicKey };
  return encodeSignedTx({ ...unsigned, signature: signer.sign(txSignBytes(unsigned)) });
}

/** A transaction decoded, hashed and bound to its type: decoded once, reused after. */
export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly tx: SignedTx;
  /** What the signature covers (TX_SIGN_DOMAIN ‖ unsigned encoding). */
  readonly signBytes: Uint8Array;
  readonly senderAddress: Uint8Array;
  readonly senderHex: string;
  readonly op: BoundTx;
}

/**
 * Decodes bytes from outside into a transaction. Never throws anything but GridLedgerError.
 * Checks form only (size, canonical encoding, fields, key, type, body): not the chain id, the
 * signature or anything in state.
 */
export function decodeTx(bytes: Uint8Array, registry: TxRegistry, maxTxBytes: number, hash: Uint8Array = txHash(bytes)): DecodedTx {
  if (bytes.length > maxTxBytes) reject('TX_TOO_LARGE', `transaction is ${bytes.length} bytes, the limit is ${maxTxBytes}`);
  const tx: SignedTx = parseWith(envelopeSchema, decodeCanonical(bytes), 'TX_MALFORMED', 'transaction');
  if (!isAcceptablePublicKey(tx.sender)) reject('TX_BAD_PUBLIC_KEY', 'sender key is not canonical or has small order');
  const type = registry.get(tx.type);
  if (type === undefined) reject('TX_UNKNOWN_TYPE', `unknown transaction type "${tx.type}"`);
  const senderAddress = addressFromPublicKey(tx.sender);
  const op = type.bind(tx.body, senderAddress);
  return { bytes, hash, hashHex: toHex(hash), tx, signBytes: signBytesOf(bytes, tx), senderAddress, senderHex: toHex(senderAddress), op };
}

export function verifyTxSignature(decoded: DecodedTx): boolean {
  return verifySignature(decoded.tx.sender, decoded.signBytes, decoded.tx.signature);
}
