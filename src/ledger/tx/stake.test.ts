import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { devNet } from '../testkit.ts';

function setup() {
  const net = devNet({ validators: 2 });
  const alice = net.chain.accounts['alice'];
  const [v0, v1] = net.chain.validators;
  if (alice === undefined || v0 === undefined || v1 === undefined) throw new Error('fixture');
  return { net, alice, v0, v1 };
}

describe('stake', () => {
  it('delegates to a validator and raises its power', () => {
    const { net, alice, v1 } = setup();
    const r = net.block([net.tx(alice, 'stake', { validator: v1.address, amountUc: 3_000_000 })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(r.validatorUpdates.map((u) => u.power)).toEqual([103]);
    const v = net.app.query(`validator/${formatAddress(v1.address)}`).value as { delegations: unknown[]; bondedUc: number };
    expect(v.bondedUc).toBe(103_000_000);
    expect(v.delegations).toContainEqual({ delegator: formatAddress(alice.address), amountUc: 3_000_000 });
  });

  it('adds to an existing delegation', () => {
    const { net, alice, v1 } = setup();
    net.send(alice, 'stake', { validator: v1.address, amountUc: 1_000_000 });
    net.send(alice, 'stake', { validator: v1.address, amountUc: 2_000_000 });
    const v = net.app.query(`validator/${formatAddress(v1.address)}`).value as { delegations: Array<{ amountUc: number }> };
    expect(v.delegations).toContainEqual({ delegator: formatAddress(alice.address), amountUc: 3_000_000 });
  });

  it('VALIDATOR_NOT_FOUND', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'stake', { validator: new Uint8Array(20), amountUc: 1 })).error).toBe('VALIDATOR_NOT_FOUND');
  });

  it('VALIDATOR_TOMBSTONED', () => {
    const { net, alice, v1 } = setup();
    net.block([]);
    net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 1, timeMs: net.timeMs }] });
    expect(net.check(net.tx(alice, 'stake', { validator: v1.address, amountUc: 1 })).error).toBe('VALIDATOR_TOMBSTONED');
  });

  it('TX_INSUFFICIENT_FUNDS and TX_BODY_INVALID', () => {
    const { net, alice, v1 } = setup();
    expect(net.check(net.tx(alice, 'stake', { validator: v1.address, amountUc: 10 ** 14 }, { nonce: 0 })).error).toBe('TX_INSUFFICIENT_FUNDS');
    expect(net.check(net.tx(alice, 'stake', { validator: v1.address, amountUc: 0 }, { nonce: 0 })).error).toBe('TX_BODY_INVALID');
  });
});
