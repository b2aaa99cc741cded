/**
 * The worked example of DESIGN.md section 2, on the ledger app: real signed transactions in a
 * finalizeBlock sequence, clearing and settlement in the end blocker.
 *
 * Parameters (params.market and fees of this chain):
 *   retail 300,000 µc/kWh, feed-in 80,000 µc/kWh, grid fee 20,000 µc/kWh (buyer), tax 10 %
 *   (100,000 ppm, buyer, on the trade value), mint 50,000 µc per renewable kWh delivered to a
 *   member, loss model 100 Wh + 5 % (50,000 ppm) of the energy in; every transaction's fee is
 *   exactly 1,000 µc (base 1,000, 0 per byte).
 * The story, interval 1 (15 min, gate closure 5 min before it starts, readings until 5 min after):
 *   A (bus 2) produces 8 kWh and uses 5: offers 3,000 Wh firm at 150,000 µc/kWh.
 *   B (bus 3) needs 4 kWh: bids 4,000 Wh firm at 250,000 µc/kWh.
 *   A proposes a firm contract, 3,000 Wh per interval at 200,000 µc/kWh; B accepts.
 *   Clearing: the contract covers A's ask and 3,000 Wh of B's bid; B's remaining 1,000 Wh meets
 *   no ask, so it comes from the main grid. Schedule A +3,000 Wh, B −4,000 Wh: 12 kW on a
 *   feeder rated 200 A at 0.4 kV (138 kVA): the grid check passes, nothing is cut.
 *   Meters: A produced 8,000, consumed 5,000 (renewable 8,000); B consumed 4,000.
 *   PCC: import 1,010 Wh: 1,000 for B plus 10 Wh of losses. Losses = 1,010 − 0 − (9,000 − 8,000)
 *   = 10 Wh, allowed −100 .. 100 + floor((1,010 + 8,000) × 5 %) = 550 Wh: the interval is clean.
 * Settlement by hand:
 *   B → A  3,000 Wh × 200,000 / 1,000                     = 600,000 µc
 *   B → treasury grid fee 3,000 × 20,000 / 1,000          =  60,000 µc
 *   B → treasury tax 10 % of 600,000                        =  60,000 µc
 *   B → main grid 1,000 Wh at retail 1,000 × 300,000 / 1,000 = 300,000 µc
 *     (B: actual net −4,000, traded net −3,000: grid −1,000; A: +3,000 − 3,000 = 0)
 *   mint to A: min(3,000 sold, 3,000 net export, 8,000 renewable) × 50,000 / 1,000 = 150,000 µc
 *   A: +600,000 + 150,000 − 2 fees (order, contract_create) 2,000          = +748,000 µc
 *   B: −600,000 − 60,000 − 60,000 − 300,000 − 2 fees (order, accept) 2,000 = −1,022,000 µc
 *   treasury +120,000 µc, main grid +300,000 µc, supply +150,000 µc (minted).
 */
import { describe, expect, it } from 'vitest';
import { tinyFeeder } from '../testkit.ts';
import { auditSupply } from '../supply.ts';
import { marketParams } from './params.ts';
import { marketNet, WORKED_RATES } from './testkit.ts';

const MARKET = {
  ...WORKED_RATES,
  lossToleranceWh: 100,
  lossMaxPpm: 50_000,
};

function runWorkedExample() {
  const m = marketNet({
    feeder: tinyFeeder(3),
    members: [
      { label: 'A', bus: 2, exportLimitW: 20_000, importLimitW: 20_000 },
      { label: 'B', bus: 3, exportLimitW: 0, importLimitW: 20_000 },
    ],
    market: MARKET,
    fees: { baseUc: 1_000, perByteUc: 0 },
  });
  const { net } = m;
  const A = m.member('A');
  const B = m.member('B');
  const mp = marketParams(m.params);
  const before = {
    A: m.balance(A.signer.address),
    B: m.balance(B.signer.address),
    treasury: m.balance(mp.treasuryAddress),
    mainGrid: m.balance(mp.mainGridAddress),
    minted: m.supply().mintedUc,
  };
  const k = 1;
  const results = [
    m.blockAt(m.start(0) + 10_000, [
      net.tx(A.signer, 'order', { side: 'ask', bus: 2, energyWh: 3_000, priceUcPerKwh: 150_000, flexible: false, fromInterval: k, intervals: 1 }),
      net.tx(B.signer, 'order', { side: 'bid', bus: 3, energyWh: 4_000, priceUcPerKwh: 250_000, flexible: false, fromInterval: k, intervals: 1 }),
      net.tx(A.signer, 'contract_create', {
        counterparty: B.signer.address,
        role: 'seller',
        energyWh: 3_000,
        priceUcPerKwh: 200_000,
        fromInterval: k,
        toInterval: k,
        flexible: false,
        condition: 'none',
        noticeIntervals: 0,
      }),
    ]),
    m.blockAt(m.start(0) + 20_000, [net.tx(B.signer, 'contract_accept', { contractId: 'c000000000000' })]),
    m.blockAt(m.gateClosure(k)),
  ];
  const clearing = m.clearing(k);
  results.push(
    m.blockAt(m.end(k), [
      net.tx(A.meter, 'meter_reading', { interval: k, producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 }),
      net.tx(B.meter, 'meter_reading', { interval: k, producedWh: 0, consumedWh: 4_000, renewableWh: 0 }),
      net.tx(net.chain.operator, 'pcc_reading', { interval: k, importWh: 1_010, exportWh: 0 }),
    ]),
    m.blockAt(m.deadline(k)),
  );
  return { m, A, B, mp, before, results, clearing, k };
}

describe('the worked example (DESIGN.md section 2) on the ledger app', () => {
  const { m, A, B, mp, before, results, clearing, k } = runWorkedExample();

  it('accepts every transaction', () => {
    for (const r of results) for (const t of r.txResults) expect({ code: t.code, log: t.log }).toEqual({ code: 0, log: 'ok' });
  });

  it('clears at gate closure: the contract delivers 3 kWh, the grid check passes', () => {
    expect(clearing?.status).toBe('cleared');
    expect(clearing?.trades.map((t) => ({ kind: t.kind, energyWh: t.energyWh, price: t.priceUcPerKwh }))).toEqual([{ kind: 'contract', energyWh: 3_000, price: 200_000 }]);
    expect(clearing?.trades[0]?.seller).toEqual(A.signer.address);
    expect(clearing?.trades[0]?.buyer).toEqual(B.signer.address);
    expect(clearing?.curtailed).toEqual([]);
    expect(clearing?.alerts).toEqual([]);
    expect(clearing?.clearingPriceUcPerKwh).toBeNull(); // B's remaining 1 kWh met no ask
    const schedule = new Map(clearing?.schedule.map((s) => [Buffer.from(s.member).toString('hex'), s.netWh]));
    expect(schedule.get(Buffer.from(A.signer.address).toString('hex'))).toBe(3_000);
    expect(schedule.get(Buffer.from(B.signer.address).toString('hex'))).toBe(-4_000);
  });

  it('settles after the reading deadline: the PCC matches within the loss model', () => {
    const s = m.settlement(k);
    expect(s?.status).toBe('settled');
    expect(s?.grid).toEqual({ importWh: 1_000, exportWh: 0 });
    expect(s?.lossesWh).toBe(10);
    expect(s?.allowedLossMaxWh).toBe(550);
    const a = s?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(A.signer.address)));
    const b = s?.members.find((x) => Buffer.from(x.member).equals(Buffer.from(B.signer.address)));
    expect(a).toMatchObject({ soldWh: 3_000, boughtWh: 0, salesUc: 600_000, gridImportWh: 0, gridExportWh: 0, mintUc: 150_000, netUc: 750_000, deviationWh: 0 });
    expect(b).toMatchObject({ soldWh: 0, boughtWh: 3_000, purchasesUc: 600_000, gridFeeUc: 60_000, taxUc: 60_000, gridImportWh: 1_000, gridCostUc: 300_000, netUc: -1_020_000 });
    expect(s?.totals).toMatchObject({ tradeValueUc: 600_000, gridFeeUc: 60_000, taxUc: 60_000, mintedUc: 150_000, mainGridNetUc: 300_000, treasuryUc: 120_000 });
  });

  it('ends with the hand-worked balances', () => {
    expect(m.balance(A.signer.address) - before.A).toBe(748_000);
    expect(m.balance(B.signer.address) - before.B).toBe(-1_022_000);
    expect(m.balance(mp.treasuryAddress) - before.treasury).toBe(120_000);
    expect(m.balance(mp.mainGridAddress) - before.mainGrid).toBe(300_000);
    expect(m.supply().mintedUc - before.minted).toBe(150_000);
    const audit = auditSupply(m.net.app.entries());
    expect(audit.heldUc).toBe(audit.supply.genesisUc + audit.supply.mintedUc - audit.supply.burnedUc);
  });

  it('cleans up the interval and lets the members leave', () => {
    expect(m.net.app.entries().some(([key]) => key.startsWith(`mkt/pos/${k}/`) || key === `mkt/iv/${k}` || key.startsWith('mkt/order/') || key.startsWith('mkt/contract/'))).toBe(false);
    expect(m.net.send(A.signer, 'leave', {}).code).toBe(0);
    expect(m.net.send(B.signer, 'leave', {}).code).toBe(0);
  });
});
