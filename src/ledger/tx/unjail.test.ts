import { describe, expect, it } from 'vitest';
import { formatAddress } from '../address.ts';
import { defaultParams } from '../params.ts';
import type { Params } from '../params.ts';
import { devNet } from '../testkit.ts';
import type { DevNet } from '../testkit.ts';
import type { Signer } from '../keys.ts';

const base = defaultParams();
const params: Params = {
  ...base,
  slashing: { ...base.slashing, signedBlocksWindow: 4, minSignedPpm: 500_000, downtimeJailMs: 10_000, downtimeSlashPpm: 10_000 },
};

function setup() {
  const net = devNet({ validators: 2, params, blockMs: 1_000 });
  const alice = net.chain.accounts['alice'];
  const [v0, v1] = net.chain.validators;
  if (alice === undefined || v0 === undefined || v1 === undefined) throw new Error('fixture');
  return { net, alice, v0, v1 };
}

/** v1 misses every block until it is jailed for downtime. */
function jailForDowntime(net: DevNet, v0: Signer, v1: Signer): void {
  for (let i = 0; i < 10; i++) {
    const r = net.block([], { lastCommitVotes: [{ validator: v0.address, signed: true }, { validator: v1.address, signed: false }] });
    if (r.events.some((e) => e.type === 'jail')) return;
  }
  throw new Error('never jailed');
}

describe('unjail (and downtime jailing)', () => {
  it('a validator missing more than the window allows is slashed, jailed and leaves the set; after the jail time it unjails', () => {
    const { net, v0, v1 } = setup();
    jailForDowntime(net, v0, v1);
    const jailed = net.app.query(`validator/${formatAddress(v1.address)}`).value as { jailed: boolean; bondedUc: number; jailedUntilMs: number };
    expect(jailed.jailed).toBe(true);
    expect(jailed.bondedUc).toBe(99_000_000); // 1 % slashed
    const early = net.check(net.tx(v1, 'unjail', { validator: v1.address }, { nonce: 0 }));
    expect(early.error).toBe('JAIL_PERIOD_ACTIVE');
    net.block([], { timeMs: jailed.jailedUntilMs });
    const r = net.block([net.tx(v1, 'unjail', { validator: v1.address })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(r.validatorUpdates.map((u) => u.power)).toEqual([99]);
  });

  it('VALIDATOR_NOT_FOUND, NOT_VALIDATOR_OWNER, VALIDATOR_NOT_JAILED', () => {
    const { net, alice, v1 } = setup();
    expect(net.check(net.tx(alice, 'unjail', { validator: new Uint8Array(20) }, { nonce: 0 })).error).toBe('VALIDATOR_NOT_FOUND');
    expect(net.check(net.tx(alice, 'unjail', { validator: v1.address }, { nonce: 0 })).error).toBe('NOT_VALIDATOR_OWNER');
    expect(net.check(net.tx(v1, 'unjail', { validator: v1.address }, { nonce: 0 })).error).toBe('VALIDATOR_NOT_JAILED');
  });

  it('VALIDATOR_TOMBSTONED after double signing', () => {
    const { net, v1 } = setup();
    net.block([]);
    net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: v1.address, height: 1, timeMs: net.timeMs }] });
    net.block([], { timeMs: net.timeMs + 10 ** 9 });
    expect(net.check(net.tx(v1, 'unjail', { validator: v1.address })).error).toBe('VALIDATOR_TOMBSTONED');
  });

  it('SELF_STAKE_TOO_LOW: a jailed validator must restore its self-stake first', () => {
    const { net, v0, v1 } = setup();
    jailForDowntime(net, v0, v1);
    expect(net.send(v1, 'unstake', { validator: v1.address, amountUc: 98_500_000 }).code).toBe(0);
    net.block([], { timeMs: net.timeMs + 20_000 });
    expect(net.check(net.tx(v1, 'unjail', { validator: v1.address })).error).toBe('SELF_STAKE_TOO_LOW');
  });
});
