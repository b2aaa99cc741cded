/**
 * Addresses: the first 20 bytes of SHA-256(public key). On the wire and in state they are those
 * 20 raw bytes. Their text form is `gl` + 40 hex digits of the address + 8 hex digits of checksum
 * (the first 4 bytes of SHA-256("gridledger-address" ‖ address)), 50 characters, lower case:
 * a mistyped address fails its checksum instead of sending coin nowhere.
 */
import { z } from 'zod';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { reject } from './codes.ts';
import { sha256 } from './hash.ts';

export const ADDRESS_BYTES = 20;
export const ADDRESS_TEXT_LENGTH = 50;
const PREFIX = 'gl';
const CHECKSUM_DOMAIN = utf8('gridledger-address');
const TEXT_RE = /^gl[0-9a-f]{48}$/;

export function addressFromPublicKey(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, ADDRESS_BYTES);
}

function checksum(address: Uint8Array): string {
  return toHex(sha256(CHECKSUM_DOMAIN, address).subarray(0, 4));
}

// Text forms by address hex: events name the same few accounts again and again. A pure memo,
// bounded (cleared when full).
const TEXT_CACHE_LIMIT = 65_536;
const textCache = new Map<string, string>();
// And by address object (a transaction's addresses are formatted at each check and execution):
// addresses are never modified, so this memo is pure too.
const textByObject = new WeakMap<Uint8Array, string>();

export function formatAddress(address: Uint8Array): string {
  const known = textByObject.get(address);
  if (known !== undefined) return known;
  if (address.length !== ADDRESS_BYTES) reject('ADDRESS_INVALID', `an address is ${ADDRESS_BYTES} bytes`);
  const hex = toHex(address);
  let text = textCache.get(hex);
  if (text === undefined) {
    text = `${PREFIX}${hex}${checksum(address)}`;
    if (textCache.size >= TEXT_CACHE_LIMIT) textCache.clear();
    textCache.set(hex, text);
  }
  textByObject.set(address, text);
  return text;
}

export function parseAddress(text: string): Uint8Array {
  if (!TEXT_RE.test(text)) reject('ADDRESS_INVALID', `not an address: expected "gl" and 48 lower-case hex digits`);
  const address = fromHex(text.slice(2, 2 + ADDRESS_BYTES * 2));
  if (text.slice(2 + ADDRESS_BYTES * 2) !== checksum(address)) reject('ADDRESS_CHECKSUM', `address checksum does not match: mistyped?`);
  return address;
}

export function isAddressText(text: string): boolean {
  if (!TEXT_RE.test(text)) return false;
  return text.slice(2 + ADDRESS_BYTES * 2) === checksum(fromHex(text.slice(2, 2 + ADDRESS_BYTES * 2)));
}

/** zod schema of an address in text form, parsed to its bytes (for JSON files and API bodies). */
export const addressText = z
  .string()
  .refine(isAddressText, 'not a valid address (gl + 40 hex digits + 8 checksum digits)')
  .transform((t) => parseAddress(t));
