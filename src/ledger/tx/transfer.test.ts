import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { devNet, devSigner } from '../testkit.ts';

function setup() {
  const net = devNet();
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  const validator = net.chain.validators[0];
  if (alice === undefined || bob === undefined || validator === undefined) throw new Error('accounts');
  const balance = (a: Uint8Array): number => (net.app.query(`account/${formatAddress(a)}`).value as { balance: number }).balance;
  return { net, alice, bob, validator, balance };
}

describe('transfer', () => {
  it('moves the amount, charges the fee to the sender and pays it to the proposer', () => {
    const { net, alice, bob, validator, balance } = setup();
    const [a0, b0, v0] = [balance(alice.address), balance(bob.address), balance(validator.address)];
    const r = net.send(alice, 'transfer', { to: bob.address, amountUc: 250_000 });
    expect(r.code).toBe(0);
    expect(r.feeUc).toBeGreaterThan(0);
    expect(balance(alice.address)).toBe(a0 - 250_000 - r.feeUc);
    expect(balance(bob.address)).toBe(b0 + 250_000);
    expect(balance(validator.address)).toBe(v0 + r.feeUc);
    expect(r.events).toEqual([{ type: 'transfer', attributes: { from: formatAddress(alice.address), to: formatAddress(bob.address), amount_uc: '250000' } }]);
  });

  it('creates the recipient account', () => {
    const { net, alice, balance } = setup();
    const fresh = new Uint8Array(20).fill(42);
    expect(net.send(alice, 'transfer', { to: fresh, amountUc: 7 }).code).toBe(0);
    expect(balance(fresh)).toBe(7);
  });

  it('TRANSFER_TO_SELF', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'transfer', { to: alice.address, amountUc: 1 })).error).toBe('TRANSFER_TO_SELF');
  });

  it('TX_BODY_INVALID for a zero, negative or fractional amount', () => {
    const { net, alice, bob } = setup();
    for (const amountUc of [0, -5, 0.5]) {
      expect(net.check(net.tx(alice, 'transfer', { to: bob.address, amountUc }, { nonce: 0 })).error).toBe('TX_BODY_INVALID');
    }
  });

  it('TX_INSUFFICIENT_FUNDS: refused at admission; in a block the fee is still charged', () => {
    const { net, alice, bob } = setup();
    const huge = { to: bob.address, amountUc: 10 ** 15 };
    expect(net.check(net.tx(alice, 'transfer', huge, { nonce: 0 })).error).toBe('TX_INSUFFICIENT_FUNDS');
    const r = net.send(alice, 'transfer', huge);
    expect(r.error).toBe('TX_INSUFFICIENT_FUNDS');
    expect(r.feeUc).toBeGreaterThan(0);
    expect((net.app.query(`account/${formatAddress(alice.address)}`).value as { nonce: number }).nonce).toBe(1);
  });

  it('the amount must fit in what is left after the fee', () => {
    const { net, alice, bob, balance } = setup();
    const carol = devSigner('carol');
    const feeUc = 5_000;
    const amountUc = 1_000_000;
    expect(net.send(alice, 'transfer', { to: carol.address, amountUc: amountUc + feeUc - 1 }).code).toBe(0);
    const short = net.tx(carol, 'transfer', { to: bob.address, amountUc }, { feeUc, nonce: 0 });
    expect(net.check(short).error).toBe('TX_INSUFFICIENT_FUNDS');
    expect(net.send(alice, 'transfer', { to: carol.address, amountUc: 1 }).code).toBe(0);
    expect(net.block([short]).txResults[0]?.code).toBe(0);
    expect(balance(carol.address)).toBe(0);
  });
});
