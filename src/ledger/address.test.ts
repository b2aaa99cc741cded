import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { ADDRESS_TEXT_LENGTH, addressFromPublicKey, formatAddress, isAddressText, parseAddress } from './address.ts';
import { bytesEqual, fromHex, toHex } from './bytes.ts';
import { sha256 } from './hash.ts';


describe('addresses', () => {
  it('are the first 20 bytes of SHA-256 of the public key', () => {
    const pk = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(toHex(addressFromPublicKey(pk))).toBe(toHex(sha256(pk)).slice(0, 40));
  });

  it('text form round-trips and has a fixed shape', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (a) => {
        const text = formatAddress(a);
        expect(text).toHaveLength(ADDRESS_TEXT_LENGTH);
        expect(text.startsWith('gl')).toBe(true);
        expect(bytesEqual(parseAddress(text), a)).toBe(true);
        expect(isAddressText(text)).toBe(true);
      }),
    );
  });

  it('a single mistyped character fails the checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 2, max: 49 }), fc.integer({ min: 1, max: 15 }), (a, pos, shift) => {
        const text = formatAddress(a);
        const digit = ((parseInt(text[pos] ?? '0', 16) + shift) % 16).toString(16);
        const typo = text.slice(0, pos) + digit + text.slice(pos + 1);
        expect(thrownCode(() => parseAddress(typo))).toBe('ADDRESS_CHECKSUM');
      }),
    );
  });

  it('refuses malformed text', () => {
    const good = formatAddress(new Uint8Array(20).fill(7));
    for (const bad of ['', 'gl', good.toUpperCase(), `x${good.slice(1)}`, good.slice(0, -1), `${good}0`, good.replace('gl', 'GL')]) {
      expect(thrownCode(() => parseAddress(bad)), bad).toBe('ADDRESS_INVALID');
    }
  });
});
