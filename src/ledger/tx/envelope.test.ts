import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { concatBytes, toHex } from '../bytes.ts';
import { ERROR_CODES } from '../codes.ts';
import type { ErrorCode } from '../codes.ts';
import { decodeCanonical, encodeCanonical } from '../encoding.ts';
import { defaultParams } from '../params.ts';
import { buildTx, devNet, devSigner } from '../testkit.ts';
import { decodeTx, encodeSignedTx, signTx, TX_SIGN_DOMAIN, txSignBytes, verifyTxSignature } from './envelope.ts';
import type { SignedTx } from './envelope.ts';
import { createRegistry, defineTxType } from './types.ts';

function expectCode(r: { code: number; error?: string }, code: ErrorCode): void {
  expect(r.error).toBe(code);
  expect(r.code).toBe(ERROR_CODES[code]);
}

function setup() {
  const net = devNet();
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('accounts');
  return { net, alice, bob, pay: { to: bob.address, amountUc: 1_000 } };
}

describe('transaction envelope and signatures', () => {
  it('signs TX_SIGN_DOMAIN ‖ canonical encoding of everything but the signature', () => {
    const { alice, bob } = setup();
    const bytes = buildTx(alice, { chainId: 'dev-1', nonce: 0, type: 'transfer', body: { to: bob.address, amountUc: 5 } });
    const tx = decodeCanonical(bytes) as SignedTx;
    const unsigned = { chainId: tx.chainId, sender: tx.sender, nonce: tx.nonce, feeUc: tx.feeUc, type: tx.type, body: tx.body };
    expect(toHex(txSignBytes(tx))).toBe(toHex(concatBytes(TX_SIGN_DOMAIN, encodeCanonical(unsigned))));
    expect(toHex(encodeSignedTx(tx))).toBe(toHex(bytes));
  });

  it('cuts the sign bytes from the received bytes exactly as encoding them would give', () => {
    // A type that takes any body, so the property covers bodies of every shape and size.
    const anyBody = createRegistry([defineTxType({ type: 'any', body: z.unknown(), checkState() {}, apply() {} })]);
    const signer = devSigner('sign-bytes');
    const body = fc.oneof(fc.integer(), fc.string(), fc.uint8Array({ maxLength: 300 }), fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())), fc.array(fc.string(), { maxLength: 40 }));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat(), body, (chainId, nonce, feeUc, b) => {
        const bytes = signTx({ chainId, nonce, feeUc, type: 'any', body: b }, signer);
        const decoded = decodeTx(bytes, anyBody, 1 << 20);
        expect(toHex(decoded.signBytes)).toBe(toHex(txSignBytes(decoded.tx)));
        expect(verifyTxSignature(decoded)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a valid transaction and applies it once', () => {
    const { net, alice, pay } = setup();
    const bytes = net.tx(alice, 'transfer', pay);
    expect(net.check(bytes).code).toBe(0);
    const r = net.block([bytes]).txResults[0];
    expect(r?.code).toBe(0);
    // Replayed in the next block: the nonce is spent.
    const again = net.block([bytes]).txResults[0];
    if (again === undefined) throw new Error('result');
    expectCode(again, 'TX_NONCE_TOO_LOW');
    expectCode(net.check(bytes), 'TX_NONCE_TOO_LOW');
  });

  it('refuses a forged signature and a signature by another key', () => {
    const { net, alice, bob, pay } = setup();
    const bytes = net.tx(alice, 'transfer', pay);
    const tx = decodeCanonical(bytes) as SignedTx;
    const flipped = new Uint8Array(tx.signature);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expectCode(net.check(encodeSignedTx({ ...tx, signature: flipped })), 'TX_BAD_SIGNATURE');
    const byBob = signTx({ chainId: tx.chainId, nonce: tx.nonce, feeUc: tx.feeUc, type: tx.type, body: tx.body }, bob);
    const claimsAlice = { ...(decodeCanonical(byBob) as SignedTx), sender: alice.publicKey };
    expectCode(net.check(encodeSignedTx(claimsAlice)), 'TX_BAD_SIGNATURE');
    // Changing the body after signing breaks the signature too.
    expectCode(net.check(encodeSignedTx({ ...tx, body: { ...pay, amountUc: 2_000 } })), 'TX_BAD_SIGNATURE');
  });

  it('refuses a transaction signed for another chain, in checkTx and in a block', () => {
    const { net, alice, pay } = setup();
    const other = buildTx(alice, { chainId: 'other-1', nonce: 0, type: 'transfer', body: pay });
    expectCode(net.check(other), 'TX_WRONG_CHAIN');
    const r = net.block([other]).txResults[0];
    if (r === undefined) throw new Error('result');
    expectCode(r, 'TX_WRONG_CHAIN');
    expect(net.app.query(`account/${formatAddress(alice.address)}`).value).toMatchObject({ nonce: 0 });
  });

  it('refuses a nonce from the future (TX_NONCE_TOO_HIGH) and reports the expected nonce', () => {
    const { net, alice, pay } = setup();
    const r = net.check(net.tx(alice, 'transfer', pay, { nonce: 3 }));
    expectCode(r, 'TX_NONCE_TOO_HIGH');
    expect(r.expectedNonce).toBe(0);
  });

  it('refuses a fee below baseUc + perByteUc × size', () => {
    const { net, alice, pay } = setup();
    expectCode(net.check(net.tx(alice, 'transfer', pay, { feeUc: 1 })), 'TX_FEE_TOO_LOW');
  });

  it('refuses a sender who cannot pay the fee, and charges nothing', () => {
    const { net, pay } = setup();
    const poor = devSigner('poor');
    const r = net.check(net.tx(poor, 'transfer', pay));
    expectCode(r, 'TX_INSUFFICIENT_FUNDS');
  });

  it('refuses malformed envelopes, unknown types, bad bodies, oversize and bad sender keys', () => {
    const { net, alice, pay } = setup();
    const good = decodeCanonical(net.tx(alice, 'transfer', pay)) as SignedTx;
    expectCode(net.check(encodeCanonical({ ...good, extra: 1 })), 'TX_MALFORMED');
    expectCode(net.check(encodeCanonical({ ...good, nonce: -1 })), 'TX_MALFORMED');
    expectCode(net.check(encodeCanonical({ ...good, feeUc: 1.5 })), 'TX_MALFORMED');
    expectCode(net.check(encodeCanonical({ ...good, signature: good.signature.subarray(0, 10) })), 'TX_MALFORMED');
    expectCode(net.check(new Uint8Array([0xff, 0x00])), 'ENCODING_INVALID');
    expectCode(net.check(buildTx(alice, { chainId: 'dev-1', nonce: 0, type: 'mint_me', body: {} })), 'TX_UNKNOWN_TYPE');
    expectCode(net.check(buildTx(alice, { chainId: 'dev-1', nonce: 0, type: 'transfer', body: { to: pay.to } })), 'TX_BODY_INVALID');
    expectCode(net.check(buildTx(alice, { chainId: 'dev-1', nonce: 0, type: 'transfer', body: { ...pay, amountUc: 2 ** 53 } })), 'TX_BODY_INVALID');
    const huge = buildTx(alice, { chainId: 'dev-1', nonce: 0, type: 'transfer', body: { ...pay, pad: new Uint8Array(defaultParams().limits.maxTxBytes) } });
    expectCode(net.check(huge), 'TX_TOO_LARGE');
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expectCode(net.check(encodeSignedTx({ ...good, sender: identity })), 'TX_BAD_PUBLIC_KEY');
  });

  it('a refused transaction never changes state', () => {
    const { net, alice, pay } = setup();
    const root = net.app.stateRoot();
    net.check(net.tx(alice, 'transfer', pay, { feeUc: 1 }));
    net.check(net.tx(alice, 'transfer', { ...pay, amountUc: 10 ** 15 }));
    expect(toHex(net.app.stateRoot())).toBe(toHex(root));
    expect(net.app.changes()).toEqual([]);
  });
});
