/** Bilateral contracts: create, accept, deliver each interval before the auction, terminate with notice. */
import { describe, expect, it } from 'vitest';
import { marketNet } from '../market/testkit.ts';
import { marketCodecs, marketKeys } from '../market/records.ts';
import { tinyFeeder } from '../testkit.ts';

function setup() {
  const m = marketNet({
    feeder: tinyFeeder(3),
    members: [
      { label: 'A', bus: 2, exportLimitW: 20_000, importLimitW: 20_000 },
      { label: 'B', bus: 3, exportLimitW: 0, importLimitW: 8_000 },
      { label: 'C', bus: 1, exportLimitW: 0, importLimitW: 8_000 },
    ],
  });
  return { m, A: m.member('A'), B: m.member('B'), C: m.member('C') };
}

type Body = Record<string, unknown>;
const terms = (counterparty: Uint8Array, extra: Body = {}): Body => ({
  counterparty,
  role: 'seller',
  energyWh: 1_000,
  priceUcPerKwh: 200_000,
  fromInterval: 1,
  toInterval: 10,
  flexible: false,
  condition: 'none',
  noticeIntervals: 2,
  ...extra,
});

describe('contract_create, contract_accept, contract_terminate', () => {
  it('delivers in every interval of its window once accepted, until the notice after a termination runs out', () => {
    const { m, A, B } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'contract_create', terms(B.signer.address))]);
    m.blockAt(m.start(0) + 20_000, [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
    m.blockAt(m.gateClosure(1));
    // Terminated while interval 2's gate is open: notice 2 → it delivers in 2 and 3, not 4.
    const t = m.blockAt(m.gateClosure(1) + 1_000, [m.net.tx(B.signer, 'contract_terminate', { contractId: 'c000000000000' })]);
    expect(t.txResults[0]?.code).toBe(0);
    expect(m.record(marketKeys.contract('c000000000000'), marketCodecs.contract)).toMatchObject({ status: 'terminated', endInterval: 3 });
    for (const k of [2, 3, 4]) m.blockAt(m.gateClosure(k));
    const delivered = [1, 2, 3, 4].map((k) => m.clearing(k)?.trades.map((x) => [x.kind, x.energyWh, x.priceUcPerKwh]) ?? null);
    expect(delivered).toEqual([[['contract', 1_000, 200_000]], [['contract', 1_000, 200_000]], [['contract', 1_000, 200_000]], null]);
    // Without orders the firm delivery is the schedule itself.
    expect(m.clearing(3)?.schedule.map((s) => s.netWh).sort((a, b) => a - b)).toEqual([-1_000, 1_000]);
    // Its last interval cleared, the contract is gone.
    expect(m.record(marketKeys.contract('c000000000000'), marketCodecs.contract)).toBeUndefined();
  });

  it('accepted after its first interval\'s gate closure, it starts at the first interval still open', () => {
    const { m, A, B } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'contract_create', terms(B.signer.address))]);
    m.blockAt(m.gateClosure(1), [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
    expect(m.record(marketKeys.contract('c000000000000'), marketCodecs.contract)?.activeFrom).toBe(2);
    expect(m.clearing(1)).toBeUndefined();
    m.blockAt(m.gateClosure(2));
    expect(m.clearing(2)?.trades).toHaveLength(1);
  });

  it('a proposal withdrawn is gone at once; a proposal never accepted delivers nothing', () => {
    const { m, A, B } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'contract_create', terms(B.signer.address))]);
    m.blockAt(m.start(0) + 20_000, [m.net.tx(A.signer, 'contract_terminate', { contractId: 'c000000000000' })]);
    expect(m.record(marketKeys.contract('c000000000000'), marketCodecs.contract)).toBeUndefined();
    m.blockAt(m.start(0) + 30_000, [m.net.tx(A.signer, 'contract_create', terms(B.signer.address, { toInterval: 1 }))]);
    m.blockAt(m.gateClosure(1));
    expect(m.clearing(1)).toBeUndefined();
    expect(m.record(marketKeys.contract('c000000000001'), marketCodecs.contract)).toBeUndefined();
  });

  it('refuses bad terms: CONTRACT_SELF, CONTRACT_BAD_WINDOW, CONTRACT_BAD_CONDITION, CONTRACT_EXCEEDS_CAPACITY, CONTRACT_WINDOW_CLOSED, MARKET_NOT_MEMBER', () => {
    const { m, A, B } = setup();
    expect(m.check(A.signer, 'contract_create', terms(A.signer.address)).error).toBe('CONTRACT_SELF');
    expect(m.check(A.signer, 'contract_create', terms(B.signer.address, { fromInterval: 5, toInterval: 4 })).error).toBe('CONTRACT_BAD_WINDOW');
    expect(m.check(A.signer, 'contract_create', terms(B.signer.address, { condition: 'spare_capacity' })).error).toBe('CONTRACT_BAD_CONDITION');
    // B imports at most 8 kW = 2,000 Wh per interval.
    expect(m.check(A.signer, 'contract_create', terms(B.signer.address, { energyWh: 2_001 })).error).toBe('CONTRACT_EXCEEDS_CAPACITY');
    // B exports nothing: it cannot sell.
    expect(m.check(B.signer, 'contract_create', terms(A.signer.address)).error).toBe('CONTRACT_EXCEEDS_CAPACITY');
    expect(m.check(A.signer, 'contract_create', terms(A.meter.address)).error).toBe('MARKET_NOT_MEMBER');
    m.blockAt(m.gateClosure(1));
    expect(m.check(A.signer, 'contract_create', terms(B.signer.address, { toInterval: 1 })).error).toBe('CONTRACT_WINDOW_CLOSED');
  });

  it('refuses the wrong party: CONTRACT_NOT_FOUND, CONTRACT_NOT_COUNTERPARTY, CONTRACT_NOT_PROPOSED, CONTRACT_NOT_PARTY, CONTRACT_NOT_ACTIVE', () => {
    const { m, A, B, C } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'contract_create', terms(B.signer.address))]);
    expect(m.check(B.signer, 'contract_accept', { contractId: 'c000000000001' }).error).toBe('CONTRACT_NOT_FOUND');
    expect(m.check(A.signer, 'contract_accept', { contractId: 'c000000000000' }).error).toBe('CONTRACT_NOT_COUNTERPARTY');
    expect(m.check(C.signer, 'contract_accept', { contractId: 'c000000000000' }).error).toBe('CONTRACT_NOT_COUNTERPARTY');
    expect(m.check(C.signer, 'contract_terminate', { contractId: 'c000000000000' }).error).toBe('CONTRACT_NOT_PARTY');
    m.blockAt(m.start(0) + 20_000, [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
    expect(m.check(B.signer, 'contract_accept', { contractId: 'c000000000000' }).error).toBe('CONTRACT_NOT_PROPOSED');
    m.blockAt(m.start(0) + 30_000, [m.net.tx(A.signer, 'contract_terminate', { contractId: 'c000000000000' })]);
    expect(m.check(B.signer, 'contract_terminate', { contractId: 'c000000000000' }).error).toBe('CONTRACT_NOT_ACTIVE');
  });
});
