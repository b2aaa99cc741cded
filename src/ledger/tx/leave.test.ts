import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import type { LeaveGuard } from '../context.ts';
import { devNet, devSigner, tinyFeeder } from '../testkit.ts';

const request = { bus: 1, meterKeyHint: null, depositUc: 10_000_000, exportLimitW: 0, importLimitW: 0 };

function setup(leaveGuards: LeaveGuard[] = []) {
  const net = devNet({ feeder: tinyFeeder(3), app: { hooks: { leaveGuards } } });
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('fixture');
  const balance = (a: Uint8Array): number => (net.app.query(`account/${formatAddress(a)}`).value as { balance: number; nonce: number }).balance;
  return { net, alice, bob, operator: net.chain.operator, balance };
}

describe('leave', () => {
  it('returns the deposit, removes the member and frees its meter key; the account and its nonce stay', () => {
    const { net, alice, bob, operator, balance } = setup();
    const meter = devSigner('meter').publicKey;
    net.send(alice, 'join_request', request);
    net.send(operator, 'approve_join', { member: alice.address, bus: 1, meterPubKey: meter, exportLimitW: 0, importLimitW: 0 });
    const before = balance(alice.address);
    const r = net.send(alice, 'leave', {});
    expect(r.code).toBe(0);
    expect(balance(alice.address)).toBe(before + 10_000_000 - r.feeUc);
    expect(net.app.query(`member/${formatAddress(alice.address)}`).value).toBeNull();
    expect(net.app.query('members').value).toEqual([]);
    expect(net.app.query(`key/meter/${toHex(meter)}`).value).toBeNull();
    expect((net.app.query(`account/${formatAddress(alice.address)}`).value as { nonce: number }).nonce).toBe(2); // join_request, leave
    // The freed meter key can be registered to someone else.
    net.send(bob, 'join_request', request);
    expect(net.send(operator, 'approve_join', { member: bob.address, bus: 1, meterPubKey: meter, exportLimitW: 0, importLimitW: 0 }).code).toBe(0);
  });

  it('withdraws a pending request the same way', () => {
    const { net, alice, balance } = setup();
    const start = balance(alice.address);
    const fees = net.send(alice, 'join_request', request).feeUc + net.send(alice, 'leave', {}).feeUc;
    expect(balance(alice.address)).toBe(start - fees);
  });

  it('MEMBER_NOT_FOUND', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'leave', {})).error).toBe('MEMBER_NOT_FOUND');
  });

  it('LEAVE_VETOED: a guard (the market) refuses while the member has open business', () => {
    let open = true;
    const guard: LeaveGuard = () => (open ? new GridLedgerError('MARKET_OPEN_INTERVALS', 'member has 2 unsettled intervals') : undefined);
    const { net, alice } = setup([guard]);
    net.send(alice, 'join_request', request);
    const r = net.check(net.tx(alice, 'leave', {}, { nonce: 1 }));
    expect(r.error).toBe('LEAVE_VETOED');
    expect(r.log).toContain('2 unsettled intervals');
    open = false;
    expect(net.send(alice, 'leave', {}).code).toBe(0);
  });

  it('TX_BODY_INVALID: leave takes an empty body', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'leave', { now: true })).error).toBe('TX_BODY_INVALID');
  });
});
