import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import { devNet, devSigner, tinyFeeder } from '../testkit.ts';

const request = { bus: 2, meterKeyHint: null, depositUc: 10_000_000, exportLimitW: 5_000, importLimitW: 7_000 };

function setup() {
  const net = devNet({ feeder: tinyFeeder(3) });
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('fixture');
  expect(net.send(alice, 'join_request', request).code).toBe(0);
  const meter = devSigner('meter-alice').publicKey;
  const approve = { member: alice.address, bus: 2, meterPubKey: meter, exportLimitW: 4_000, importLimitW: 7_000 };
  return { net, alice, bob, operator: net.chain.operator, meter, approve };
}

describe('approve_join', () => {
  it('activates the member with the operator\'s meter key and limits', () => {
    const { net, alice, operator, meter, approve } = setup();
    expect(net.send(operator, 'approve_join', approve).code).toBe(0);
    expect(net.app.query(`member/${formatAddress(alice.address)}`).value).toMatchObject({
      status: 'active',
      meterPubKey: toHex(meter),
      exportLimitW: 4_000,
      joinedHeight: net.app.info().height,
    });
    expect(net.app.query(`key/meter/${toHex(meter)}`).value).not.toBeNull();
  });

  it('BAD_KEY', () => {
    const { net, operator, approve } = setup();
    expect(net.check(net.tx(operator, 'approve_join', { ...approve, meterPubKey: new Uint8Array(32) })).error).toBe('BAD_KEY');
  });

  it('NOT_OPERATOR: a member cannot register its own meter', () => {
    const { net, alice, approve } = setup();
    expect(net.check(net.tx(alice, 'approve_join', approve)).error).toBe('NOT_OPERATOR');
  });

  it('MEMBER_NOT_FOUND', () => {
    const { net, bob, operator, approve } = setup();
    expect(net.check(net.tx(operator, 'approve_join', { ...approve, member: bob.address })).error).toBe('MEMBER_NOT_FOUND');
  });

  it('MEMBER_NOT_PENDING', () => {
    const { net, operator, approve } = setup();
    net.send(operator, 'approve_join', approve);
    expect(net.check(net.tx(operator, 'approve_join', { ...approve, meterPubKey: devSigner('m2').publicKey })).error).toBe('MEMBER_NOT_PENDING');
  });

  it('BUS_NOT_IN_FEEDER', () => {
    const { net, operator, approve } = setup();
    expect(net.check(net.tx(operator, 'approve_join', { ...approve, bus: 17 })).error).toBe('BUS_NOT_IN_FEEDER');
  });

  it('METER_KEY_IN_USE: one meter, one member', () => {
    const { net, bob, operator, approve } = setup();
    net.send(operator, 'approve_join', approve);
    net.send(bob, 'join_request', request);
    expect(net.check(net.tx(operator, 'approve_join', { ...approve, member: bob.address })).error).toBe('METER_KEY_IN_USE');
  });
});
