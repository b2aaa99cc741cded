import { describe, expect, it } from 'vitest';
import { formatAddress } from './address.ts';
import { toHex } from './bytes.ts';
import { defaultParams } from './params.ts';
import type { Params } from './params.ts';
import { auditSupply } from './supply.ts';
import { devNet } from './testkit.ts';

const base = defaultParams();
const params: Params = {
  ...base,
  staking: { ...base.staking, unbondingMs: 100_000 },
  slashing: { ...base.slashing, evidenceMaxAgeMs: 50_000, doubleSignSlashPpm: 100_000 },
};

function setup(validators = 3, p: Params = params) {
  const net = devNet({ validators, params: p, blockMs: 1_000 });
  const alice = net.chain.accounts['alice'];
  const [v0, v1] = net.chain.validators;
  if (alice === undefined || v0 === undefined || v1 === undefined) throw new Error('fixture');
  const validator = (a: Uint8Array) =>
    net.app.query(`validator/${formatAddress(a)}`).value as { bondedUc: number; jailed: boolean; tombstoned: boolean; unbonding: Array<{ amountUc: number; creationHeight: number }> };
  return { net, alice, v0, v1, validator };
}

describe('slashing for double signing', () => {
  it('takes the fraction from bonded stake and from unbonding begun at or after the infraction, burns it, tombstones and removes the validator', () => {
    const { net, alice, v1, validator } = setup();
    net.send(alice, 'stake', { validator: v1.address, amountUc: 10_000_000 }); // height 1
    net.send(alice, 'unstake', { validator: v1.address, amountUc: 2_000_000 }); // height 2: before the infraction
    net.block([]); // 3
    net.block([]); // 4: the infraction
    const infractionTimeMs = net.timeMs;
    net.send(alice, 'unstake', { validator: v1.address, amountUc: 4_000_000 }); // height 5: after it
    const burnedBefore = (net.app.query('supply').value as { burnedUc: number }).burnedUc;
    const r = net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 4, timeMs: infractionTimeMs }] });
    const v = validator(v1.address);
    // bonded: 100 + 10 − 2 − 4 = 104 coin → 10 % slashed; unbonding from height 5 (4 coin) slashed, from height 2 not.
    expect(v.bondedUc).toBe(104_000_000 - 10_400_000);
    expect(v.unbonding.map((u) => [u.creationHeight, u.amountUc])).toEqual([
      [2, 2_000_000],
      [5, 3_600_000],
    ]);
    expect((net.app.query('supply').value as { burnedUc: number }).burnedUc - burnedBefore).toBe(10_400_000 + 400_000);
    expect(v.jailed && v.tombstoned).toBe(true);
    expect(r.validatorUpdates).toEqual([{ pubKey: net.chain.validators[1]?.publicKey, power: 0 }]);
    expect(r.events.find((e) => e.type === 'slash')?.attributes['amount_uc']).toBe(String(10_800_000));
    const audit = auditSupply(net.app.entries());
    expect(audit.heldUc).toBe(audit.expectedUc);
  });

  it('ignores evidence that is too old, about an unknown validator, or repeated after a tombstone', () => {
    const { net, v1, validator } = setup();
    for (let i = 0; i < 60; i++) net.block([]);
    const old = net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 2, timeMs: net.chain.genesis.genesisTimeMs + 2_000 }] });
    expect(old.events.map((e) => e.type)).toEqual(['evidence_ignored']);
    expect(validator(v1.address).bondedUc).toBe(100_000_000);
    const unknown = net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: new Uint8Array(20), height: 60, timeMs: net.timeMs }] });
    expect(unknown.events.map((e) => e.type)).toEqual(['evidence_ignored']);
    net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 60, timeMs: net.timeMs }] });
    const once = validator(v1.address).bondedUc;
    net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 61, timeMs: net.timeMs }] });
    expect(validator(v1.address).bondedUc).toBe(once);
  });
});

describe('validator set', () => {
  it('keeps the maxValidators largest by power, ties to the lower address, and reports only changes', () => {
    const p: Params = { ...params, staking: { ...params.staking, maxValidators: 2 } };
    const { net, alice } = setup(3, p);
    const initial = net.app.query('validators').value as { active: Array<{ address: string }> };
    expect(initial.active).toHaveLength(2);
    const sorted = net.chain.validators.map((v) => formatAddress(v.address)).sort();
    expect(initial.active.map((v) => v.address)).toEqual(sorted.slice(0, 2));
    // Raise the left-out validator above the others: it enters, the highest address leaves.
    const outsider = net.chain.validators.find((v) => formatAddress(v.address) === sorted[2]);
    if (outsider === undefined) throw new Error('outsider');
    const r = net.block([net.tx(alice, 'stake', { validator: outsider.address, amountUc: 1_000_000 })]);
    const byKey = new Map(r.validatorUpdates.map((u) => [toHex(u.pubKey), u.power]));
    expect(byKey.get(toHex(outsider.publicKey))).toBe(101);
    expect([...byKey.values()].filter((pw) => pw === 0)).toHaveLength(1);
    expect(net.block([]).validatorUpdates).toEqual([]);
  });
});
