import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import type { MemberInput, SettledTrade, SettlementInput, SettlementRates } from './settlement.ts';
import { MAIN_GRID, settleInterval, TREASURY } from './settlement.ts';

const rates: SettlementRates = {
  retailUcPerKwh: 300_000,
  feedInUcPerKwh: 80_000,
  gridFeeUcPerKwh: 20_000,
  gridFeePerLineUcPerKwh: 0,
  taxPpm: 100_000,
  mintUcPerKwh: 50_000,
  missingReadingPenaltyUc: 100_000,
  lossToleranceWh: 100,
  lossMaxPpm: 50_000,
};
const none = { loadWh: 0, generationWh: 0 };
const contract: SettledTrade = { seller: 'A', buyer: 'B', energyWh: 3_000, priceUcPerKwh: 200_000, linesCrossed: 1 };
const A: MemberInput = { member: 'A', scheduledNetWh: 3_000, reading: { producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 } };
const B: MemberInput = { member: 'B', scheduledNetWh: -4_000, reading: { producedWh: 0, consumedWh: 4_000, renewableWh: 0 } };
const worked: SettlementInput = { rates, trades: [contract], members: [A, B], pcc: { importWh: 1_010, exportWh: 0 }, background: none };

const of = (r: ReturnType<typeof settleInterval>, id: string) => r.members.find((m) => m.member === id);

describe('settleInterval', () => {
  it('the worked example (DESIGN.md section 2), by hand', () => {
    const r = settleInterval(worked);
    // B → A 3 × 200,000; B → treasury 3 × 20,000 fee and 10 % of 600,000 tax; B → main grid 1 kWh
    // at 300,000 (actual −4,000, traded −3,000); A minted 3 × 50,000.
    expect(r.postings).toEqual([
      { from: 'B', to: 'A', amountUc: 600_000, reason: 'energy' },
      { from: 'B', to: TREASURY, amountUc: 60_000, reason: 'grid_fee' },
      { from: 'B', to: TREASURY, amountUc: 60_000, reason: 'tax' },
      { from: 'B', to: MAIN_GRID, amountUc: 300_000, reason: 'grid_import' },
    ]);
    expect(r.mints).toEqual([{ to: 'A', amountUc: 150_000 }]);
    expect(of(r, 'A')?.netUc).toBe(750_000);
    expect(of(r, 'B')?.netUc).toBe(-1_020_000);
    expect(r.grid).toEqual({ importWh: 1_000, exportWh: 0 });
    expect(r.energy).toMatchObject({ lossesWh: 10, allowedLossMinWh: -100, allowedLossMaxWh: 550 });
    expect(r.flagged).toBe(false);
    expect(r.totals).toMatchObject({ tradedWh: 3_000, mainGridNetUc: 300_000, treasuryUc: 120_000, mintedUc: 150_000 });
  });

  it('an under-delivering seller pays for the replacement once, at retail', () => {
    // A nets +1,000 instead of +3,000: grid = 1,000 − 3,000 = −2,000 Wh bought at retail; B's
    // figures do not change.
    const r = settleInterval({ ...worked, members: [{ ...A, reading: { producedWh: 6_000, consumedWh: 5_000, renewableWh: 6_000 } }, B], pcc: { importWh: 3_000, exportWh: 0 } });
    expect(of(r, 'A')).toMatchObject({ gridImportWh: 2_000, gridCostUc: 600_000, salesUc: 600_000, deviationWh: -2_000, mintUc: 50_000 });
    expect(of(r, 'B')).toMatchObject({ gridImportWh: 1_000, gridCostUc: 300_000, netUc: -1_020_000 });
  });

  it('an over-producer sells its surplus at feed-in; minting stays capped by what it sold', () => {
    const r = settleInterval({ ...worked, members: [{ ...A, reading: { producedWh: 10_000, consumedWh: 5_000, renewableWh: 10_000 } }, B], pcc: { importWh: 0, exportWh: 1_000 } });
    // A: actual +5,000, traded +3,000 → 2,000 Wh at 80,000 = 160,000 µc; mint for 3,000 Wh only.
    expect(of(r, 'A')).toMatchObject({ gridExportWh: 2_000, gridRevenueUc: 160_000, mintUc: 150_000, netUc: 600_000 + 160_000 + 150_000 });
    expect(r.grid).toEqual({ importWh: 1_000, exportWh: 2_000 });
    expect(r.totals.mainGridNetUc).toBe(300_000 - 160_000);
  });

  it('a member without a reading: schedule as actual, no mint, the penalty to the treasury', () => {
    const r = settleInterval({ ...worked, members: [{ ...A, reading: null }, B] });
    expect(of(r, 'A')).toMatchObject({ metered: false, producedWh: 3_000, consumedWh: 0, deviationWh: 0, mintUc: 0, penaltyUc: 100_000, netUc: 500_000 });
    expect(r.totals.treasuryUc).toBe(220_000);
  });

  it('flags a PCC mismatch (and a missing PCC reading) and holds the minting', () => {
    const fake = settleInterval({ ...worked, members: [{ ...A, reading: { producedWh: 20_000, consumedWh: 5_000, renewableWh: 20_000 } }, B] });
    expect(fake.flagged).toBe(true);
    expect(fake.energy.lossesWh).toBe(12_010);
    expect(fake.mints).toEqual([]);
    expect(of(fake, 'A')?.mintHeldUc).toBe(150_000);
    const noPcc = settleInterval({ ...worked, pcc: null });
    expect(noPcc.flagReason).toBe('no PCC reading');
    expect(noPcc.totals).toMatchObject({ mintedUc: 0, mintHeldUc: 150_000 });
    // Just inside the model on both sides: 550 and −100 Wh of losses.
    expect(settleInterval({ ...worked, pcc: { importWh: 1_550, exportWh: 0 } }).flagged).toBe(false);
    expect(settleInterval({ ...worked, pcc: { importWh: 1_578, exportWh: 0 } }).flagged).toBe(false); // 100 + floor(9,578 × 5 %) = 578
    expect(settleInterval({ ...worked, pcc: { importWh: 1_579, exportWh: 0 } }).flagged).toBe(true);
    expect(settleInterval({ ...worked, pcc: { importWh: 900, exportWh: 0 } }).flagged).toBe(false);
    expect(settleInterval({ ...worked, pcc: { importWh: 899, exportWh: 0 } }).flagged).toBe(true);
  });

  it('counts the feeder\'s background in the PCC match', () => {
    // Non-member loads of 2,000 Wh and PV of 5,000 Wh: the PCC exports 3,000 − 1,000 = 2,000 Wh
    // less 10 Wh of losses.
    const r = settleInterval({ ...worked, pcc: { importWh: 0, exportWh: 1_990 }, background: { loadWh: 2_000, generationWh: 5_000 } });
    expect(r.energy.lossesWh).toBe(10);
    expect(r.flagged).toBe(false);
  });

  it('the grid fee per line crossed; floors every amount; no mint for a self-trade', () => {
    const r = settleInterval({
      ...worked,
      rates: { ...rates, gridFeePerLineUcPerKwh: 1_000, taxPpm: 190_000 },
      trades: [{ ...contract, energyWh: 1_001, priceUcPerKwh: 199_999, linesCrossed: 3 }, { seller: 'A', buyer: 'A', energyWh: 500, priceUcPerKwh: 100_000, linesCrossed: 0 }],
      members: [{ ...A, reading: { producedWh: 6_000, consumedWh: 5_000, renewableWh: 6_000 } }, B],
      pcc: { importWh: 3_010, exportWh: 0 },
    });
    // value floor(199,999 × 1,001 / 1,000) = 200,198; fee floor(23,000 × 1.001) = 23,023;
    // tax floor(200,198 × 0.19) = 38,037.
    expect(r.postings.filter((p) => p.from === 'B' && p.to !== MAIN_GRID).map((p) => p.amountUc)).toEqual([200_198, 23_023, 38_037]);
    // A sold 1,001 Wh to B (and 500 Wh to itself): mint for min(1,001, 1,000 net, 6,000) Wh.
    expect(of(r, 'A')?.mintUc).toBe(50_000);
  });

  it('refuses a trade party that is not an interval member', () => {
    const err = (() => {
      try {
        settleInterval({ ...worked, members: [A] });
      } catch (e) {
        return isGridLedgerError(e) ? e.code : 'other';
      }
      return 'none';
    })();
    expect(err).toBe('SETTLEMENT_BAD_INPUT');
  });

  it('conserves coin and energy on random intervals', () => {
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const reading = fc.option(
      fc.record({ producedWh: fc.nat(20_000), consumedWh: fc.nat(20_000), share: fc.nat(100) }).map((r) => ({ producedWh: r.producedWh, consumedWh: r.consumedWh, renewableWh: Math.floor((r.producedWh * r.share) / 100) })),
      { nil: null },
    );
    const input = fc.record({
      members: fc.tuple(...ids.map(() => fc.record({ scheduledNetWh: fc.integer({ min: -20_000, max: 20_000 }), reading }))),
      trades: fc.array(fc.record({ s: fc.nat(4), b: fc.nat(4), energyWh: fc.integer({ min: 1, max: 9_999 }), priceUcPerKwh: fc.nat(999_999), linesCrossed: fc.nat(6) }), { maxLength: 8 }),
      pcc: fc.option(fc.record({ importWh: fc.nat(60_000), exportWh: fc.nat(60_000) }), { nil: null }),
      perLine: fc.nat(5_000),
    });
    fc.assert(
      fc.property(input, (x) => {
        const r = settleInterval({
          rates: { ...rates, gridFeePerLineUcPerKwh: x.perLine },
          members: x.members.map((m, i) => ({ member: ids[i] as string, ...m })),
          trades: x.trades.map((t) => ({ seller: ids[t.s] as string, buyer: ids[t.b] as string, energyWh: t.energyWh, priceUcPerKwh: t.priceUcPerKwh, linesCrossed: t.linesCrossed })),
          pcc: x.pcc,
          background: none,
        });
        const balance = new Map<string, number>();
        for (const p of r.postings) {
          expect(p.amountUc).toBeGreaterThan(0);
          balance.set(p.from, (balance.get(p.from) ?? 0) - p.amountUc);
          balance.set(p.to, (balance.get(p.to) ?? 0) + p.amountUc);
        }
        expect([...balance.values()].reduce((a, b) => a + b, 0)).toBe(0);
        const netImport = r.members.reduce((s, m) => s + m.consumedWh - m.producedWh, 0);
        expect(r.grid.importWh - r.grid.exportWh).toBe(netImport);
        for (const m of r.members) {
          expect(m.mintUc + m.mintHeldUc).toBeLessThanOrEqual(Math.floor((Math.max(0, Math.min(m.soldWh, m.renewableWh)) * rates.mintUcPerKwh) / 1000));
          if (r.flagged) expect(m.mintUc).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
