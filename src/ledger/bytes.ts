/** Byte helpers shared by the ledger: hex text, concatenation, comparison. */
import { GridLedgerError } from '../errors.ts';

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Lower-case hex only (one spelling per byte string, so text forms stay unique). */
export function fromHex(text: string, expectedBytes?: number): Uint8Array {
  if (!HEX_RE.test(text)) throw new GridLedgerError('HEX_INVALID', 'not lower-case hex of whole bytes');
  if (expectedBytes !== undefined && text.length !== expectedBytes * 2) {
    throw new GridLedgerError('HEX_INVALID', `expected ${expectedBytes} bytes of hex, got ${text.length / 2}`);
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unsigned lexicographic order (the order of sorted addresses and keys). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
