import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { defaultParams } from '../params.ts';
import type { Params } from '../params.ts';
import { devNet } from '../testkit.ts';

const base = defaultParams();
const params: Params = {
  ...base,
  staking: { ...base.staking, unbondingMs: 10_000, maxUnbondingEntries: 2 },
  slashing: { ...base.slashing, evidenceMaxAgeMs: 5_000 },
};

function setup(validators = 2) {
  const net = devNet({ validators, params, blockMs: 1_000 });
  const alice = net.chain.accounts['alice'];
  const [v0, v1 = v0] = net.chain.validators;
  if (alice === undefined || v0 === undefined || v1 === undefined) throw new Error('fixture');
  const balance = (a: Uint8Array): number => (net.app.query(`account/${formatAddress(a)}`).value as { balance: number }).balance;
  return { net, alice, v0, v1, balance };
}

describe('unstake', () => {
  it('moves stake to unbonding, lowers power, and pays it back at the first block at or after the end of the period', () => {
    const { net, alice, v1, balance } = setup();
    net.send(alice, 'stake', { validator: v1.address, amountUc: 4_000_000 });
    const r = net.block([net.tx(alice, 'unstake', { validator: v1.address, amountUc: 3_000_000 })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(r.validatorUpdates.map((u) => u.power)).toEqual([101]);
    const startedMs = net.timeMs;
    const after = balance(alice.address);
    const v = net.app.query(`validator/${formatAddress(v1.address)}`).value as { unbonding: Array<{ amountUc: number; completionTimeMs: number }> };
    expect(v.unbonding).toEqual([expect.objectContaining({ amountUc: 3_000_000, completionTimeMs: startedMs + 10_000 })]);
    net.block([], { timeMs: startedMs + 9_999 });
    expect(balance(alice.address)).toBe(after);
    const done = net.block([], { timeMs: startedMs + 10_000 });
    expect(balance(alice.address)).toBe(after + 3_000_000);
    expect(done.events.some((e) => e.type === 'unbonding_complete')).toBe(true);
  });

  it('VALIDATOR_NOT_FOUND', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'unstake', { validator: new Uint8Array(20), amountUc: 1 })).error).toBe('VALIDATOR_NOT_FOUND');
  });

  it('DELEGATION_NOT_FOUND', () => {
    const { net, alice, v1 } = setup();
    expect(net.check(net.tx(alice, 'unstake', { validator: v1.address, amountUc: 1 })).error).toBe('DELEGATION_NOT_FOUND');
  });

  it('UNSTAKE_EXCEEDS_DELEGATION', () => {
    const { net, alice, v1 } = setup();
    net.send(alice, 'stake', { validator: v1.address, amountUc: 1_000 });
    expect(net.check(net.tx(alice, 'unstake', { validator: v1.address, amountUc: 1_001 })).error).toBe('UNSTAKE_EXCEEDS_DELEGATION');
  });

  it('UNBONDING_QUEUE_FULL', () => {
    const { net, alice, v1 } = setup();
    net.send(alice, 'stake', { validator: v1.address, amountUc: 1_000 });
    expect(net.send(alice, 'unstake', { validator: v1.address, amountUc: 1 }).code).toBe(0);
    expect(net.send(alice, 'unstake', { validator: v1.address, amountUc: 1 }).code).toBe(0);
    expect(net.check(net.tx(alice, 'unstake', { validator: v1.address, amountUc: 1 })).error).toBe('UNBONDING_QUEUE_FULL');
  });

  it('LAST_VALIDATOR: the only validator cannot unbond below its minimum self-stake', () => {
    const { net, v0 } = setup(1);
    expect(net.check(net.tx(v0, 'unstake', { validator: v0.address, amountUc: 99_500_000 }, { nonce: 0 })).error).toBe('LAST_VALIDATOR');
    expect(net.check(net.tx(v0, 'unstake', { validator: v0.address, amountUc: 99_000_000 }, { nonce: 0 })).code).toBe(0);
  });

  it('a validator whose self-stake falls below the minimum leaves the set', () => {
    const { net, v1 } = setup();
    const r = net.block([net.tx(v1, 'unstake', { validator: v1.address, amountUc: 99_500_000 })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(r.validatorUpdates.map((u) => u.power)).toEqual([0]);
  });
});
