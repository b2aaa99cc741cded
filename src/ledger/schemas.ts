/** zod schemas of the ledger's primitive fields, shared by transactions, records and blocks. */
import { z } from 'zod';
import { ADDRESS_BYTES } from './address.ts';
import { fromHex } from './bytes.ts';
import { HASH_BYTES } from './hash.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './keys.ts';

/** A byte string of exactly `n` bytes (decoded CBOR bytes). */
export function bytesOf(n: number): z.ZodType<Uint8Array> {
  return z.instanceof(Uint8Array).refine((b) => b.length === n, `must be ${n} bytes`);
}

export const addressBytes = bytesOf(ADDRESS_BYTES);
export const publicKeyBytes = bytesOf(PUBLIC_KEY_BYTES);
export const signatureBytes = bytesOf(SIGNATURE_BYTES);
export const hashBytes = bytesOf(HASH_BYTES);

/** A byte string given as lower-case hex in JSON, of exactly `n` bytes. */
export function hexOf(n: number): z.ZodType<Uint8Array, string> {
  return z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${n * 2}}$`), `must be ${n} bytes of lower-case hex`)
    .transform((t) => fromHex(t));
}

/** Any byte string. */
export const anyBytes: z.ZodType<Uint8Array> = z.instanceof(Uint8Array);
