import { describe, expect, it } from 'vitest';
import { addressFromPublicKey, formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import { devNet, devSigner } from '../testkit.ts';

function setup() {
  const net = devNet();
  const alice = net.chain.accounts['alice'];
  if (alice === undefined) throw new Error('alice');
  return { net, alice, key: devSigner('new-validator-key') };
}

describe('validator_create', () => {
  it('registers the key, bonds the self-stake and reports the new validator to consensus', () => {
    const { net, alice, key } = setup();
    const r = net.block([net.tx(alice, 'validator_create', { pubKey: key.publicKey, selfStakeUc: 5_000_000 })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(r.validatorUpdates.map((u) => [toHex(u.pubKey), u.power])).toEqual([[toHex(key.publicKey), 5]]);
    const v = net.app.query(`validator/${formatAddress(addressFromPublicKey(key.publicKey))}`).value;
    expect(v).toMatchObject({ rewardAddress: formatAddress(alice.address), bondedUc: 5_000_000, selfStakeUc: 5_000_000, power: 5, jailed: false });
  });

  it('BAD_KEY: a small-order or off-curve key', () => {
    const { net, alice } = setup();
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    for (const pubKey of [identity, offCurve]) {
      expect(net.check(net.tx(alice, 'validator_create', { pubKey, selfStakeUc: 5_000_000 }, { nonce: 0 })).error).toBe('BAD_KEY');
    }
  });

  it('VALIDATOR_EXISTS', () => {
    const { net, alice } = setup();
    const existing = net.chain.validators[0];
    if (existing === undefined) throw new Error('validator');
    expect(net.check(net.tx(alice, 'validator_create', { pubKey: existing.publicKey, selfStakeUc: 5_000_000 })).error).toBe('VALIDATOR_EXISTS');
  });

  it('SELF_STAKE_TOO_LOW', () => {
    const { net, alice, key } = setup();
    expect(net.check(net.tx(alice, 'validator_create', { pubKey: key.publicKey, selfStakeUc: 999_999 })).error).toBe('SELF_STAKE_TOO_LOW');
  });

  it('TX_INSUFFICIENT_FUNDS', () => {
    const { net, alice, key } = setup();
    expect(net.check(net.tx(alice, 'validator_create', { pubKey: key.publicKey, selfStakeUc: 10 ** 14 })).error).toBe('TX_INSUFFICIENT_FUNDS');
  });
});
