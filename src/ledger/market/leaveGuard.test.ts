/**
 * Leaving and debt. B holds little coin: after its 10-coin deposit and fees it cannot pay for the
 * worked example's interval (1,020,000 µc), so the main grid covers the shortfall and B owes it.
 *   B's balance: 10,500,000 − 10,000,000 deposit − 1,000 join fee − 2 × 1,000 (order, accept)
 *   = 497,000 µc, all paid; shortfall 1,020,000 − 497,000 = 523,000 µc = B's debt.
 *   Main grid: +300,000 (B's retail kWh) − 523,000 (covering B) = −223,000 µc.
 */
import { describe, expect, it } from 'vitest';
import { tinyFeeder } from '../testkit.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { marketNet, workedPair } from './testkit.ts';

function setup() {
  const { m, A, B } = workedPair({ fees: { baseUc: 1_000, perByteUc: 0 }, balanceUc: 10_500_000 });
  m.blockAt(m.start(0) + 10_000, [
    m.net.tx(A.signer, 'order', { side: 'ask', bus: 2, energyWh: 3_000, priceUcPerKwh: 150_000, flexible: false, fromInterval: 1, intervals: 1 }),
    m.net.tx(B.signer, 'order', { side: 'bid', bus: 3, energyWh: 4_000, priceUcPerKwh: 250_000, flexible: false, fromInterval: 1, intervals: 1 }),
    m.net.tx(A.signer, 'contract_create', { counterparty: B.signer.address, role: 'seller', energyWh: 3_000, priceUcPerKwh: 200_000, fromInterval: 1, toInterval: 1, flexible: false, condition: 'none', noticeIntervals: 0 }),
  ]);
  return { m, A, B };
}

function settleInterval(m: ReturnType<typeof setup>['m'], A: ReturnType<typeof setup>['A'], B: ReturnType<typeof setup>['B']): void {
  m.blockAt(m.end(1), [
    m.net.tx(A.meter, 'meter_reading', { interval: 1, producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 }),
    m.net.tx(B.meter, 'meter_reading', { interval: 1, producedWh: 0, consumedWh: 4_000, renewableWh: 0 }),
    m.net.tx(m.net.chain.operator, 'pcc_reading', { interval: 1, importWh: 1_010, exportWh: 0 }),
  ]);
  m.blockAt(m.deadline(1));
}

describe('leave guard', () => {
  it('MARKET_OPEN_INTERVALS until every interval the member takes part in is settled', () => {
    const { m, A, B } = setup();
    const refusal = (s: typeof A.signer) => {
      const r = m.check(s, 'leave', {});
      return [r.error, r.log];
    };
    // A has an order in interval 1 and a proposed contract; B an order.
    expect(refusal(A.signer)).toEqual(['LEAVE_VETOED', 'cannot leave yet: intervals 1 are not settled yet']);
    m.blockAt(m.start(0) + 20_000, [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
    expect(refusal(B.signer)).toEqual(['LEAVE_VETOED', 'cannot leave yet: intervals 1 are not settled yet']);
    m.blockAt(m.gateClosure(1));
    // The contract's last interval is cleared (its record gone); the interval is not settled.
    expect(refusal(A.signer)).toEqual(['LEAVE_VETOED', 'cannot leave yet: intervals 1 are not settled yet']);
    settleInterval(m, A, B);
    expect(m.check(A.signer, 'leave', {}).code).toBe(0);
  });

  it('MARKET_OPEN_CONTRACT: a proposed contract alone keeps a member in', () => {
    const m = marketNet({ feeder: tinyFeeder(3), members: [{ label: 'A', bus: 2, exportLimitW: 20_000, importLimitW: 0 }, { label: 'B', bus: 3, exportLimitW: 0, importLimitW: 20_000 }] });
    const A = m.member('A');
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'contract_create', { counterparty: m.member('B').signer.address, role: 'seller', energyWh: 1_000, priceUcPerKwh: 1, fromInterval: 3, toInterval: 4, flexible: false, condition: 'none', noticeIntervals: 0 })]);
    const r = m.check(m.member('B').signer, 'leave', {});
    expect(r.error).toBe('LEAVE_VETOED');
    expect(r.log).toContain('contract c000000000000');
  });
});

describe('debt', () => {
  it('the main grid covers what a member cannot pay; the member owes it, cannot leave, and repays', () => {
    const { m, A, B } = setup();
    m.blockAt(m.start(0) + 20_000, [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
    m.blockAt(m.gateClosure(1));
    const grid0 = m.balance(m.mp.mainGridAddress);
    expect(m.balance(B.signer.address)).toBe(497_000);
    settleInterval(m, A, B);
    expect(m.balance(B.signer.address)).toBe(0);
    expect(m.record(marketKeys.member(B.signer.address), marketCodecs.member)?.debtUc).toBe(523_000);
    expect(m.balance(m.mp.mainGridAddress) - grid0).toBe(300_000 - 523_000);
    const b = m.settlement(1)?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(B.signer.address)));
    expect(b).toMatchObject({ netUc: -1_020_000, shortfallUc: 523_000 });
    // The operator lends B 600,000 µc; in debt, B still cannot leave; it repays, then may.
    m.blockAt(m.deadline(1) + 1_000, [m.net.tx(m.net.chain.operator, 'transfer', { to: B.signer.address, amountUc: 600_000 })]);
    expect(m.check(B.signer, 'leave', {}).log).toBe('cannot leave yet: the member owes the main grid 523000 µc (repay_debt)');
    expect(m.check(B.signer, 'repay_debt', { amountUc: 523_001 }).error).toBe('MARKET_NO_DEBT');
    const r = m.blockAt(m.deadline(1) + 2_000, [m.net.tx(B.signer, 'repay_debt', { amountUc: 523_000 })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(m.balance(m.mp.mainGridAddress) - grid0).toBe(300_000);
    expect(m.balance(B.signer.address)).toBe(600_000 - 523_000 - 1_000);
    expect(m.check(B.signer, 'repay_debt', { amountUc: 1 }).error).toBe('MARKET_NO_DEBT');
    expect(m.blockAt(m.deadline(1) + 3_000, [m.net.tx(B.signer, 'leave', {})]).txResults[0]?.code).toBe(0);
  });
});
