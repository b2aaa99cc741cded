import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import { devNet, devSigner, tinyFeeder } from '../testkit.ts';

const request = { bus: 1, meterKeyHint: null, depositUc: 10_000_000, exportLimitW: 0, importLimitW: 0 };

function setup() {
  const net = devNet({ feeder: tinyFeeder(3) });
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  if (alice === undefined || bob === undefined) throw new Error('fixture');
  const operator = net.chain.operator;
  const oldMeter = devSigner('meter-old').publicKey;
  net.send(alice, 'join_request', request);
  expect(net.send(operator, 'approve_join', { member: alice.address, bus: 1, meterPubKey: oldMeter, exportLimitW: 0, importLimitW: 0 }).code).toBe(0);
  return { net, alice, bob, operator, oldMeter, newMeter: devSigner('meter-new').publicKey };
}

describe('replace_meter_key', () => {
  it('registers the new key and frees the old one', () => {
    const { net, alice, operator, oldMeter, newMeter } = setup();
    expect(net.send(operator, 'replace_meter_key', { member: alice.address, meterPubKey: newMeter }).code).toBe(0);
    expect(net.app.query(`member/${formatAddress(alice.address)}`).value).toMatchObject({ meterPubKey: toHex(newMeter) });
    expect(net.app.query(`key/meter/${toHex(oldMeter)}`).value).toBeNull();
    expect(net.app.query(`key/meter/${toHex(newMeter)}`).value).not.toBeNull();
  });

  it('BAD_KEY', () => {
    const { net, alice, operator } = setup();
    expect(net.check(net.tx(operator, 'replace_meter_key', { member: alice.address, meterPubKey: new Uint8Array(32) })).error).toBe('BAD_KEY');
  });

  it('NOT_OPERATOR', () => {
    const { net, alice, newMeter } = setup();
    expect(net.check(net.tx(alice, 'replace_meter_key', { member: alice.address, meterPubKey: newMeter })).error).toBe('NOT_OPERATOR');
  });

  it('MEMBER_NOT_FOUND', () => {
    const { net, bob, operator, newMeter } = setup();
    expect(net.check(net.tx(operator, 'replace_meter_key', { member: bob.address, meterPubKey: newMeter })).error).toBe('MEMBER_NOT_FOUND');
  });

  it('MEMBER_NOT_ACTIVE', () => {
    const { net, bob, operator, newMeter } = setup();
    net.send(bob, 'join_request', request);
    expect(net.check(net.tx(operator, 'replace_meter_key', { member: bob.address, meterPubKey: newMeter })).error).toBe('MEMBER_NOT_ACTIVE');
  });

  it('METER_KEY_IN_USE, including the member\'s own current key', () => {
    const { net, alice, operator, oldMeter } = setup();
    expect(net.check(net.tx(operator, 'replace_meter_key', { member: alice.address, meterPubKey: oldMeter })).error).toBe('METER_KEY_IN_USE');
  });
});
