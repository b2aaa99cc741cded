import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isGridLedgerError } from '../errors.ts';
import { bytesEqual, fromHex, toHex } from './bytes.ts';
import { decodeCanonical, decodeWith, encodeCanonical } from './encoding.ts';
import { uint } from './amounts.ts';

// Values of the data model the ledger encodes: safe integers, strings, bytes, booleans, null,
// arrays and string-keyed maps (floats appear only in feeder models and are tested there).
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.maxSafeInteger(),
    fc.string(),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(fc.string({ minLength: 1 }), tie('node'), { maxKeys: 5 })),
})).node;

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isGridLedgerError(e)) throw e;
    return e.code;
  }
}

describe('canonical encoding', () => {
  it('round-trips every value of the data model', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCanonical(v);
        expect(decodeCanonical(bytes)).toEqual(v);
      }),
    );
  });

  it('gives one encoding per value: map key order and decode/encode cannot change the bytes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.maxSafeInteger(), { maxKeys: 8 }), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        const a = encodeCanonical(obj);
        expect(bytesEqual(a, encodeCanonical(reversed))).toBe(true);
        expect(bytesEqual(encodeCanonical(decodeCanonical(a)), a)).toBe(true);
      }),
    );
  });

  it('refuses byte strings that are not the canonical encoding of their value', () => {
    const cases: Record<string, string> = {
      'integer in more bytes than needed': '1801',
      'integer 1 written as a float': 'fb3ff0000000000000',
      'map keys out of order': 'a2616201616101',
      'indefinite-length bytes': '5f4101ff',
      'half-precision NaN': 'f97e00',
      'truncated array': '81',
      'declared length beyond the input': '9a00ffffff',
      'bignum tag': 'c2420100',
      'trailing byte': '0100',
      'duplicate map key': 'a2616101616102',
    };
    for (const [what, hex] of Object.entries(cases)) {
      const c = code(() => decodeCanonical(fromHex(hex)));
      expect(c, what).toMatch(/^ENCODING_(INVALID|NOT_CANONICAL)$/);
    }
  });

  it('decodes integers beyond 2^53 to bigint, which amount schemas refuse', () => {
    const big = fromHex('1b0020000000000002'); // 2^53 + 2
    expect(typeof decodeCanonical(big)).toBe('bigint');
    expect(code(() => decodeWith(uint, big, 'TX_MALFORMED', 'amount'))).toBe('TX_MALFORMED');
    expect(code(() => decodeWith(z.strictObject({ a: uint }), encodeCanonical({ a: 1.5 }), 'TX_MALFORMED', 'x'))).toBe('TX_MALFORMED');
  });

  it('refuses to encode what the data model lacks', () => {
    expect(code(() => encodeCanonical({ a: undefined }))).toBe('ENCODING_UNSUPPORTED');
    expect(code(() => encodeCanonical(Number.NaN))).toBe('ENCODING_UNSUPPORTED');
    expect(code(() => encodeCanonical(Number.POSITIVE_INFINITY))).toBe('ENCODING_UNSUPPORTED');
  });

  it('encodes maps with keys sorted by length, then bytes (dag-cbor)', () => {
    expect(toHex(encodeCanonical({ bb: 1, a: 2, c: 3 }))).toBe('a361610261630362626201');
  });
});
