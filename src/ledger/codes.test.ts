import { describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { z } from 'zod';
import { addUc, mulPpm, subUc } from './amounts.ts';
import { fromHex } from './bytes.ts';
import { codeNumber, ERROR_CODES } from './codes.ts';
import { keyPairFromSeed } from './keys.ts';
import { checkNodeVersion, defaultParams } from './params.ts';
import { devNet } from './testkit.ts';
import { TX_TYPES } from './tx/registry.ts';
import { createRegistry, defineTxType } from './tx/types.ts';
import { creditUc } from './accounts.ts';
import { formatAddress } from './address.ts';


describe('error codes', () => {
  it('every code has its own number, none is 0 (success) or 1 (foreign code)', () => {
    const numbers = Object.values(ERROR_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n) => n > 1)).toBe(true);
    expect(codeNumber('TX_BAD_SIGNATURE')).toBe(206);
    expect(codeNumber('SOMETHING_ELSE')).toBe(1);
  });

  it('HEX_INVALID, AMOUNT_OVERFLOW, KEY_INVALID, NODE_VERSION_MISMATCH', () => {
    expect(thrownCode(() => fromHex('zz'))).toBe('HEX_INVALID');
    expect(thrownCode(() => fromHex('ABCD'))).toBe('HEX_INVALID');
    expect(thrownCode(() => fromHex('abc'))).toBe('HEX_INVALID');
    expect(thrownCode(() => fromHex('abcd', 3))).toBe('HEX_INVALID');
    expect(thrownCode(() => addUc(Number.MAX_SAFE_INTEGER, 1))).toBe('AMOUNT_OVERFLOW');
    expect(thrownCode(() => subUc(-Number.MAX_SAFE_INTEGER, 1))).toBe('AMOUNT_OVERFLOW');
    expect(mulPpm(Number.MAX_SAFE_INTEGER, 999_999)).toBe(Number((BigInt(Number.MAX_SAFE_INTEGER) * 999_999n) / 1_000_000n));
    expect(thrownCode(() => keyPairFromSeed(new Uint8Array(31)))).toBe('KEY_INVALID');
    expect(thrownCode(() => checkNodeVersion(defaultParams(), 22))).toBe('NODE_VERSION_MISMATCH');
    expect(thrownCode(() => checkNodeVersion(defaultParams(), 20))).toBeUndefined();
  });

  it('TX_INTERNAL_ERROR: a bug in a type\'s code fails that transaction only, its writes dropped, the fee kept', () => {
    const buggy = defineTxType({
      type: 'buggy',
      body: z.strictObject({}),
      checkState() {},
      apply(view, _body, ctx) {
        creditUc(view, ctx.senderAddress, 1_000_000); // must not survive
        throw new TypeError('oops');
      },
    });
    const net = devNet({ app: { registry: createRegistry([...TX_TYPES, buggy]) } });
    const alice = net.chain.accounts['alice'];
    if (alice === undefined) throw new Error('alice');
    const before = (net.app.query(`account/${formatAddress(alice.address)}`).value as { balance: number }).balance;
    const r = net.send(alice, 'buggy', {});
    expect(r.error).toBe('TX_INTERNAL_ERROR');
    expect(r.log).toContain('oops');
    expect((net.app.query(`account/${formatAddress(alice.address)}`).value as { balance: number }).balance).toBe(before - r.feeUc);
  });
});
