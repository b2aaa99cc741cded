/**
 * Meter and PCC readings: who may send them, when, once; and what a fake reading can (not) mint.
 * The interval is the worked example's (docs/settlement.md): A sells B 3 kWh under a firm
 * contract at 200,000 µc/kWh; A's honest reading (8,000 produced, 5,000 consumed, all renewable)
 * mints 3 kWh × 50,000 = 150,000 µc when the PCC (1,010 Wh import) agrees.
 */
import { describe, expect, it } from 'vitest';
import { WORKED_RATES, workedPair } from '../market/testkit.ts';

function cleared() {
  const { m, A, B } = workedPair({ market: { ...WORKED_RATES, missingReadingPenaltyUc: 100_000 } });
  const k = 1;
  m.blockAt(m.start(0) + 10_000, [
    m.net.tx(A.signer, 'order', { side: 'ask', bus: 2, energyWh: 3_000, priceUcPerKwh: 150_000, flexible: false, fromInterval: k, intervals: 1 }),
    m.net.tx(B.signer, 'order', { side: 'bid', bus: 3, energyWh: 4_000, priceUcPerKwh: 250_000, flexible: false, fromInterval: k, intervals: 1 }),
    m.net.tx(A.signer, 'contract_create', { counterparty: B.signer.address, role: 'seller', energyWh: 3_000, priceUcPerKwh: 200_000, fromInterval: k, toInterval: k, flexible: false, condition: 'none', noticeIntervals: 0 }),
  ]);
  m.blockAt(m.start(0) + 20_000, [m.net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]);
  m.blockAt(m.gateClosure(k));
  return { m, A, B, k, operator: m.net.chain.operator };
}

const honestA = { interval: 1, producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 };
const honestB = { interval: 1, producedWh: 0, consumedWh: 4_000, renewableWh: 0 };
const pcc = { interval: 1, importWh: 1_010, exportWh: 0 };

describe('meter_reading and pcc_reading: refusals', () => {
  it('METER_NOT_REGISTERED: the member\'s own key (or any key but its meter\'s) cannot report', () => {
    const { m, A } = cleared();
    m.blockAt(m.end(1));
    expect(m.check(A.signer, 'meter_reading', honestA).error).toBe('METER_NOT_REGISTERED');
    expect(m.check(m.net.chain.operator, 'meter_reading', honestA).error).toBe('METER_NOT_REGISTERED');
  });

  it('READING_WRONG_INTERVAL: an interval that has not ended', () => {
    const { m, A } = cleared();
    const r = m.blockAt(m.end(1) - 1, [m.net.tx(A.meter, 'meter_reading', honestA)]);
    expect(r.txResults[0]?.error).toBe('READING_WRONG_INTERVAL');
    expect(m.check(A.meter, 'meter_reading', { ...honestA, interval: 2 }).error).toBe('READING_WRONG_INTERVAL');
  });

  it('READING_DUPLICATE: one reading per meter and interval (and one PCC reading)', () => {
    const { m, A, operator } = cleared();
    m.blockAt(m.end(1), [m.net.tx(A.meter, 'meter_reading', honestA), m.net.tx(operator, 'pcc_reading', pcc)]);
    expect(m.check(A.meter, 'meter_reading', { ...honestA, producedWh: 9_000 }).error).toBe('READING_DUPLICATE');
    expect(m.check(operator, 'pcc_reading', pcc).error).toBe('READING_DUPLICATE');
  });

  it('READING_LATE: at or after the reading deadline (the interval settles in that block)', () => {
    const { m, A, operator } = cleared();
    const r = m.blockAt(m.deadline(1), [m.net.tx(A.meter, 'meter_reading', honestA), m.net.tx(operator, 'pcc_reading', pcc)]);
    expect(r.txResults.map((t) => t.error)).toEqual(['READING_LATE', 'READING_LATE']);
    expect(m.settlement(1)?.members.every((s) => !s.metered)).toBe(true);
  });

  it('READING_INVALID: renewable beyond production; NOT_OPERATOR for the PCC meter', () => {
    const { m, A } = cleared();
    m.blockAt(m.end(1));
    expect(m.check(A.meter, 'meter_reading', { ...honestA, renewableWh: 8_001 }).error).toBe('READING_INVALID');
    expect(m.check(A.signer, 'pcc_reading', pcc).error).toBe('NOT_OPERATOR');
  });
});

describe('what readings mint', () => {
  function settle(readings: { a?: object; b?: object; pcc?: object }) {
    const c = cleared();
    const { m, A, B, operator } = c;
    const txs = [];
    if (readings.a !== undefined) txs.push(m.net.tx(A.meter, 'meter_reading', readings.a));
    if (readings.b !== undefined) txs.push(m.net.tx(B.meter, 'meter_reading', readings.b));
    if (readings.pcc !== undefined) txs.push(m.net.tx(operator, 'pcc_reading', readings.pcc));
    const minted0 = m.supply().mintedUc;
    const read = m.blockAt(m.end(1), txs);
    m.blockAt(m.deadline(1));
    return { ...c, read, minted: m.supply().mintedUc - minted0, s: m.settlement(1) };
  }

  it('honest readings matching the PCC: A minted for the 3 kWh it delivered', () => {
    const { minted, s } = settle({ a: honestA, b: honestB, pcc });
    expect(s?.status).toBe('settled');
    expect(minted).toBe(150_000);
  });

  it('a reading from a key that is not the registered meter mints nothing', () => {
    const c = cleared();
    const { m, A, B, operator } = c;
    const minted0 = m.supply().mintedUc;
    // A signs a reading claiming all of its production itself: refused.
    const r = m.blockAt(m.end(1), [m.net.tx(A.signer, 'meter_reading', honestA), m.net.tx(B.meter, 'meter_reading', honestB), m.net.tx(operator, 'pcc_reading', pcc)]);
    expect(r.txResults[0]?.error).toBe('METER_NOT_REGISTERED');
    m.blockAt(m.deadline(1));
    expect(m.supply().mintedUc - minted0).toBe(0);
    // A is settled on its schedule (+3,000 Wh) and pays the missing-reading penalty.
    const a = m.settlement(1)?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(A.signer.address)));
    expect(a).toMatchObject({ metered: false, producedWh: 3_000, consumedWh: 0, mintUc: 0, penaltyUc: 100_000 });
  });

  it('a sum beyond the PCC meter flags the interval and holds the minting', () => {
    // A's meter claims 20 kWh produced: members would export 11 kWh net, the PCC saw 1,010 Wh
    // imported: implied losses 1,010 − (9,000 − 20,000) = 12,010 Wh, beyond the model's
    // 100 + 5 % of (1,010 + 20,000) = 1,150 Wh.
    const { minted, s } = settle({ a: { ...honestA, producedWh: 20_000, renewableWh: 20_000 }, b: honestB, pcc });
    expect(s?.status).toBe('flagged');
    expect(s?.lossesWh).toBe(12_010);
    expect(s?.allowedLossMaxWh).toBe(1_150);
    expect(s?.flagReason).toContain('PCC mismatch');
    expect(minted).toBe(0);
    expect(s?.totals.mintHeldUc).toBe(150_000); // held: min(3,000 sold, ...) × 50
  });

  it('no PCC reading: flagged, minting held', () => {
    const { minted, s } = settle({ a: honestA, b: honestB });
    expect(s?.status).toBe('flagged');
    expect(s?.flagReason).toBe('no PCC reading');
    expect(minted).toBe(0);
  });

  it('an under-delivering seller buys its shortfall from the main grid once; its buyer pays only the trade', () => {
    // A delivers 1 kWh net instead of 3: it still receives 600,000 for the 3 kWh sold and buys
    // the 2,000 Wh it did not deliver at retail (600,000); B buys only its own untraded 1 kWh.
    // A is minted for what it delivered: min(3,000, 1,000, 6,000) = 1,000 Wh → 50,000 µc.
    const { s, minted, A, B } = settle({ a: { interval: 1, producedWh: 6_000, consumedWh: 5_000, renewableWh: 6_000 }, b: honestB, pcc: { ...pcc, importWh: 3_020 } });
    expect(s?.status).toBe('settled');
    const a = s?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(A.signer.address)));
    const b = s?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(B.signer.address)));
    expect(a).toMatchObject({ soldWh: 3_000, salesUc: 600_000, gridImportWh: 2_000, gridCostUc: 600_000, deviationWh: -2_000, mintUc: 50_000 });
    expect(b).toMatchObject({ boughtWh: 3_000, gridImportWh: 1_000, gridCostUc: 300_000 });
    expect(minted).toBe(50_000);
  });
});
