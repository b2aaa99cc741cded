/**
 * Integer money (µc) and other counts. Every amount is a JavaScript safe integer: the whole
 * supply must stay below 2^53 µc (about 9e9 coin), which genesis checks. Arithmetic that could
 * leave that range throws instead of rounding.
 */
import { z } from 'zod';
import { reject } from './codes.ts';

/** A non-negative safe integer (zod's int() already refuses floats and unsafe integers). */
export const uint = z.int().min(0);
/** A positive safe integer. */
export const posInt = z.int().min(1);
/** A signed safe integer amount (system accounts may go negative). */
export const signedUc = z.int();

export function addUc(a: number, b: number): number {
  const r = a + b;
  if (!Number.isSafeInteger(r)) reject('AMOUNT_OVERFLOW', `amount ${a} + ${b} leaves the safe integer range`);
  return r;
}

export function subUc(a: number, b: number): number {
  const r = a - b;
  if (!Number.isSafeInteger(r)) reject('AMOUNT_OVERFLOW', `amount ${a} - ${b} leaves the safe integer range`);
  return r;
}

/** floor(amount × ppm / 1e6), exact (BigInt: the product can exceed 2^53). */
export function mulPpm(amountUc: number, ppm: number): number {
  return Number((BigInt(amountUc) * BigInt(ppm)) / 1_000_000n);
}
