import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import { devNet, devSigner, tinyFeeder } from '../testkit.ts';

function setup(withFeeder = true) {
  const net = devNet(withFeeder ? { feeder: tinyFeeder(3) } : {});
  const alice = net.chain.accounts['alice'];
  if (alice === undefined) throw new Error('alice');
  const balance = (a: Uint8Array): number => (net.app.query(`account/${formatAddress(a)}`).value as { balance: number }).balance;
  return { net, alice, operator: net.chain.operator, balance };
}

const request = { bus: 2, meterKeyHint: null, depositUc: 10_000_000, exportLimitW: 5_000, importLimitW: 7_000 };

describe('join_request', () => {
  it('locks the deposit and records a pending member', () => {
    const { net, alice, balance } = setup();
    const before = balance(alice.address);
    const hint = devSigner('meter-hint').publicKey;
    const r = net.send(alice, 'join_request', { ...request, meterKeyHint: hint });
    expect(r.code).toBe(0);
    expect(balance(alice.address)).toBe(before - 10_000_000 - r.feeUc);
    expect(net.app.query(`member/${formatAddress(alice.address)}`).value).toMatchObject({
      bus: 2,
      status: 'pending',
      meterPubKey: null,
      meterKeyHint: toHex(hint),
      depositUc: 10_000_000,
    });
    expect(net.app.query('members').value).toHaveLength(1);
  });

  it('BAD_KEY: the meter key hint must be a valid key', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'join_request', { ...request, meterKeyHint: new Uint8Array(32) })).error).toBe('BAD_KEY');
  });

  it('OPERATOR_CANNOT_JOIN', () => {
    const { net, operator } = setup();
    expect(net.check(net.tx(operator, 'join_request', request)).error).toBe('OPERATOR_CANNOT_JOIN');
  });

  it('ALREADY_MEMBER', () => {
    const { net, alice } = setup();
    net.send(alice, 'join_request', request);
    expect(net.check(net.tx(alice, 'join_request', request)).error).toBe('ALREADY_MEMBER');
  });

  it('FEEDER_MISSING', () => {
    const { net, alice } = setup(false);
    expect(net.check(net.tx(alice, 'join_request', request)).error).toBe('FEEDER_MISSING');
  });

  it('BUS_NOT_IN_FEEDER', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'join_request', { ...request, bus: 42 })).error).toBe('BUS_NOT_IN_FEEDER');
  });

  it('DEPOSIT_TOO_LOW', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'join_request', { ...request, depositUc: 9_999_999 })).error).toBe('DEPOSIT_TOO_LOW');
  });

  it('TX_INSUFFICIENT_FUNDS', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'join_request', { ...request, depositUc: 10 ** 14 })).error).toBe('TX_INSUFFICIENT_FUNDS');
  });
});
