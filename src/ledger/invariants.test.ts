import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { toHex } from './bytes.ts';
import { decodeCanonical } from './encoding.ts';
import type { Signer } from './keys.ts';
import { stateKeys } from './records.ts';
import { auditSupply } from './supply.ts';
import { devNet, devSigner, tinyFeeder } from './testkit.ts';
import { defaultParams } from './params.ts';
import type { Params } from './params.ts';

const base = defaultParams();
const params: Params = {
  ...base,
  staking: { ...base.staking, unbondingMs: 6_000, maxUnbondingEntries: 3 },
  slashing: { ...base.slashing, evidenceMaxAgeMs: 5_000, doubleSignSlashPpm: 123_457, signedBlocksWindow: 3, minSignedPpm: 600_000, downtimeSlashPpm: 77_777, downtimeJailMs: 2_000 },
};

const action = fc.oneof(
  fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(5), to: fc.nat(5), amount: fc.integer({ min: 1, max: 400_000_000 }) }),
  fc.record({ kind: fc.constant('stake' as const), from: fc.nat(5), to: fc.nat(2), amount: fc.integer({ min: 1, max: 50_000_000 }) }),
  fc.record({ kind: fc.constant('unstake' as const), from: fc.nat(5), to: fc.nat(2), amount: fc.integer({ min: 1, max: 50_000_000 }) }),
  fc.record({ kind: fc.constant('join' as const), from: fc.nat(5), to: fc.nat(3), amount: fc.integer({ min: 9_000_000, max: 20_000_000 }) }),
  fc.record({ kind: fc.constant('leave' as const), from: fc.nat(5), to: fc.nat(0), amount: fc.nat(0) }),
  fc.record({ kind: fc.constant('garbage' as const), from: fc.nat(5), to: fc.nat(0), amount: fc.nat(255) }),
);
const blockArb = fc.record({
  actions: fc.array(action, { maxLength: 8 }),
  evidenceAgainst: fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: fc.nat(2), weight: 1 }),
  absent: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(2), weight: 1 }),
  gapMs: fc.integer({ min: 1, max: 3_000 }),
});

function totalNonces(entries: ReadonlyArray<readonly [string, Uint8Array]>): number {
  let n = 0;
  for (const [k, v] of entries) if (k.startsWith('acct/')) n += (decodeCanonical(v) as { nonce: number }).nonce;
  return n;
}

describe('invariants under random transaction sequences', () => {
  it('supply = genesis + minted − burned, no negative balance, one nonce per charged transaction, and two instances agree', () => {
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 10 }), (blocks) => {
        const net = devNet({ validators: 3, params, feeder: tinyFeeder(3), accounts: ['alice', 'bob', 'carol', 'dave'], balanceUc: 500_000_000 });
        const twin = createApp();
        twin.initChain(net.chain.genesis);
        twin.commit();
        const people: Signer[] = [...['alice', 'bob', 'carol', 'dave'].map((l) => net.chain.accounts[l] as Signer), net.chain.validators[0] as Signer, devSigner('penniless')];
        const validators = net.chain.validators;
        for (const b of blocks) {
          const txs = b.actions.map((a) => {
            const from = people[a.from] as Signer;
            switch (a.kind) {
              case 'transfer':
                return net.tx(from, 'transfer', { to: (people[a.to] as Signer).address, amountUc: a.amount });
              case 'stake':
              case 'unstake':
                return net.tx(from, a.kind, { validator: (validators[a.to] as Signer).address, amountUc: a.amount });
              case 'join':
                return net.tx(from, 'join_request', { bus: a.to, meterKeyHint: null, depositUc: a.amount, exportLimitW: 0, importLimitW: 0 });
              case 'leave':
                return net.tx(from, 'leave', {});
              case 'garbage':
                return new Uint8Array([a.amount, 1, 2]);
            }
          });
          const before = net.app.entries();
          const noncesBefore = totalNonces(before);
          const misbehaviour = b.evidenceAgainst === null ? [] : [{ type: 'duplicate_vote' as const, validator: (validators[b.evidenceAgainst] as Signer).address, height: Math.max(1, net.app.info().height), timeMs: net.timeMs }];
          const lastCommitVotes = validators.map((v, i) => ({ validator: v.address, signed: i !== b.absent }));
          const timeMs = net.timeMs + b.gapMs;
          const height = net.app.info().height + 1;
          const proposer = (validators[0] as Signer).address;
          const r = net.block(txs, { timeMs, misbehaviour, lastCommitVotes });
          const t = twin.finalizeBlock({ height, timeMs, proposer, txs, misbehaviour, lastCommitVotes });
          twin.commit();
          expect(toHex(t.appHash)).toBe(toHex(r.appHash));

          const entries = net.app.entries();
          const audit = auditSupply(entries);
          expect(audit.heldUc).toBe(audit.expectedUc);
          for (const [k, v] of entries) {
            if (k.startsWith('acct/')) expect((decodeCanonical(v) as { balanceUc: number }).balanceUc).toBeGreaterThanOrEqual(0);
          }
          const charged = r.txResults.filter((x) => x.code === 0 || x.feeUc > 0).length;
          expect(totalNonces(entries) - noncesBefore).toBe(charged);
          expect(r.txResults.every((x) => x.code === 0 || typeof x.error === 'string')).toBe(true);
          expect(net.app.entries().some(([k]) => k === stateKeys.supply)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });
});
