import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFeeder } from '../grid/import/feederFile.ts';
import type { FeederModel } from '../grid/model.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import { syntheticRadialFeeder } from '../grid/synthetic.ts';
import { runDoubleAuction } from './auction.ts';
import { clearAuction } from './clear.ts';
import { scheduleDeliveries } from './contracts.ts';
import { curtailToFit } from './gridCheck.ts';
import type { ClearingResult } from './result.ts';
import { firmEnergy } from './schedule.ts';
import { acProblems, arbitraryBook, order, solveResult } from './testkit.ts';

const kerber = loadFeeder('data/feeders/kerber-landnetz-pv.json');

describe('grid check on the Kerber rural LV feeder (data/feeders/kerber-landnetz-pv.json)', () => {
  // Two batteries at bus 3 (house connection branchout_line_1_1, line 1: bus 2 -> 3, NAYY 4x50,
  // 18 m, rated max_i_ka 0.141 = 141 A) sell flexibly to two households on the other feeder
  // (buses 27 and 29), whose demand is firm.
  //   Auction: asks bat-a 12 kWh @150000, bat-b 16 kWh @160000; bids h27 14 kWh @300000,
  //   h29 14 kWh @280000 -> bat-a/h27 12000, bat-b/h27 2000, bat-b/h29 14000 Wh; marginal pair
  //   bat-b/h29: price floor((160000 + 280000) / 2) = 220000 µc/kWh; 28 kWh traded.
  //   28 kWh in 15 min = 112 kW through line 1 (less bus 3's own 1.26 kW load): about 157 A.
  // Hand-worked limit: the voltage at bus 3 rises above the busbar by about I·R·√3 =
  //   141 A × (0.053 km × 0.2067 + 0.018 km × 0.6417) Ω × √3 ≈ 5.5 V, the busbar sits near 1.0 pu
  //   while the batteries cover the buyers, so V3 ≈ 1.013 pu = 405 V. 141 A at 405 V carries
  //   √3 × 0.405 kV × 141 A ≈ 99.0 kVA (unity power factor); with bus 3's load the batteries may
  //   inject 99.0 + 1.26 ≈ 100.2 kW = 25.06 kWh per 15 min. Cut: 28.00 − 25.06 ≈ 2.94 kWh, all from
  //   bat-b/h29: both batteries have the same sensitivity, bat-b/h29 the largest volume.
  // h29's firm demand still flows: the 2.94 kWh it no longer buys from bat-b come from the main grid.
  const orders = [
    order('ask', 'bat-a', 12000, 150_000, { bus: 3, flexible: true }),
    order('ask', 'bat-b', 16000, 160_000, { bus: 3, flexible: true }),
    order('bid', 'h27', 14000, 300_000, { bus: 27 }),
    order('bid', 'h29', 14000, 280_000, { bus: 29 }),
  ];
  const r = clearAuction({ orders, deliveries: [] }, { feeder: kerber });

  it('cuts the largest battery trade by the hand-worked 2.94 kWh, with its reason', () => {
    expect(r.curtailed).toHaveLength(1);
    const cut = r.curtailed[0];
    expect(cut?.ask).toBe('bat-b');
    expect(cut?.bid).toBe('h29');
    expect(cut?.energyWh).toBeGreaterThan(2850);
    expect(cut?.energyWh).toBeLessThan(3050);
    expect(cut?.reason).toMatch(/^line 1 current 15\d\.\d A > 141\.0 A$/);
    expect(r.trades.map((t) => [t.ask, t.bid, t.energyWh])).toEqual([
      ['bat-a', 'h27', 12000],
      ['bat-b', 'h27', 2000],
      ['bat-b', 'h29', 14000 - (cut?.energyWh ?? 0)],
    ]);
    expect(r.alerts).toEqual([]);
  });

  it('keeps the price (no repricing) and counts only what still trades', () => {
    expect(r.clearingPriceUcPerKwh).toBe(220_000);
    expect(r.trades.every((t) => t.priceUcPerKwh === 220_000)).toBe(true);
    expect(r.matchedWh).toBe(28000 - (r.curtailed[0]?.energyWh ?? 0));
  });

  it('fits under an independent AC solve, without cutting more than the limit needs', () => {
    const pf = solveResult(kerber, orders, r);
    expect(pf.converged).toBe(true);
    expect(pf.violations).toEqual([]);
    const line1 = pf.branches[1];
    expect(line1?.from).toBe(2);
    expect(line1?.to).toBe(3);
    expect(line1?.iFromKa).toBeLessThanOrEqual(0.1410005);
    expect(line1?.iFromKa).toBeGreaterThan(0.1395); // within 1 % of the rating
  });

  it('buys the buyers\' remaining need from the main grid: PCC import rises by the cut', () => {
    const uncut = solvePowerFlow(kerber, {
      injections: [
        { bus: 3, pKw: 112 },
        { bus: 27, pKw: -56 },
        { bus: 29, pKw: -56 },
      ],
    });
    const after = solveResult(kerber, orders, r);
    const cutKw = ((r.curtailed[0]?.energyWh ?? 0) * 4) / 1000; // Wh per 15 min -> kW
    expect(after.pcc.pKw - uncut.pcc.pKw).toBeGreaterThan(cutKw - 0.5); // losses differ a little
    expect(after.pcc.pKw - uncut.pcc.pKw).toBeLessThan(cutKw + 0.5);
  });

  it('confirms with a few AC solves, not one per cut', () => {
    const s = scheduleDeliveries(orders, []);
    const { trades } = runDoubleAuction(orders, s.remainingWh);
    const out = curtailToFit({ feeder: kerber, firm: firmEnergy(orders, s.firmExtra), matches: trades, intervalMin: 15 });
    expect(out.curtailed).toEqual(r.curtailed);
    // The schedule, the firm-only schedule, one confirmation after a single screen.
    expect(out.acSolves).toBeLessThanOrEqual(3);
  });
});

describe('a violation the firm schedule causes alone', () => {
  // A firm PV ask of 30 kWh at bus 3 pushes 120 kW through line 1 (141 A) by itself: about
  // 168 A, whatever trades. That is an alert for the operator, not something the market can cure.
  // The flexible battery at the same bus would add to it, so it is cut (the market must not make
  // it worse); the flexible trade on the other side of the feeder (bat-far at bus 21 to ev29 at
  // bus 29) does not load line 1 and stays.
  //   Auction: asks pv-big 30 kWh @50000 (firm), bat-a 4 kWh @100000, bat-far 3 kWh @120000;
  //   bids h27 20 kWh @300000, h29 10 kWh @280000 (firm), ev29 7 kWh @250000 (flexible):
  //   pv-big/h27 20000, pv-big/h29 10000, bat-a/ev29 4000, bat-far/ev29 3000;
  //   price floor((120000 + 250000) / 2) = 185000.
  const orders = [
    order('ask', 'pv-big', 30000, 50_000, { bus: 3 }),
    order('ask', 'bat-a', 4000, 100_000, { bus: 3, flexible: true }),
    order('ask', 'bat-far', 3000, 120_000, { bus: 21, flexible: true }),
    order('bid', 'h27', 20000, 300_000, { bus: 27 }),
    order('bid', 'h29', 10000, 280_000, { bus: 29 }),
    order('bid', 'ev29', 7000, 250_000, { bus: 29, flexible: true }),
  ];
  const r = clearAuction({ orders, deliveries: [] }, { feeder: kerber });

  it('raises an alert with the firm-only value', () => {
    expect(r.alerts).toHaveLength(1);
    const a = r.alerts[0];
    expect(a?.kind).toBe('current');
    expect(a?.element).toBe('line 1');
    expect(a?.limit).toBe(141_000);
    expect(a?.unit).toBe('mA');
    // 120 kW less bus 3's 1.26 kW load at about 1.016 pu: 118.7 / (√3 × 0.4065) ≈ 168.6 A.
    expect(a?.value).toBeGreaterThan(167_000);
    expect(a?.value).toBeLessThan(170_000);
  });

  it('does not let flexible volume make it worse, and keeps trades that do not load the line', () => {
    const batA = r.curtailed.find((c) => c.ask === 'bat-a');
    expect(batA?.bid).toBe('ev29');
    expect(batA?.energyWh).toBeGreaterThan(3900); // (nearly) all of it: see docs/market.md
    expect(batA?.reason).toMatch(/^line 1 current .* > 141\.0 A \(firm schedule alone: 168\.\d A\)$/);
    expect(r.trades.find((t) => t.ask === 'bat-far')?.energyWh).toBe(3000);
    expect(r.trades.filter((t) => t.ask === 'pv-big').map((t) => t.energyWh)).toEqual([20000, 10000]);
    const pf = solveResult(kerber, orders, r);
    const line1 = pf.branches[1];
    expect(Math.round((line1?.iFromKa ?? 0) * 1e6)).toBeLessThanOrEqual(a0(r));
  });
});

function a0(r: ClearingResult): number {
  return r.alerts[0]?.value ?? 0;
}

describe('grid check properties on random books and random small LV feeders', () => {
  const feeders = [11, 12, 13].map((seed) => syntheticRadialFeeder({ buses: 12, seed, voltage: 'lv' }));
  const loadBuses = (f: FeederModel): number[] => f.loads.map((l) => l.bus).sort((a, b) => a - b);

  it('respects every limit after the check, except alerted ones, which it does not worsen', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2).chain((fi) => fc.tuple(fc.constant(fi), arbitraryBook({ buses: loadBuses(feeders[fi] as FeederModel), maxOrders: 12, maxEnergyWh: 40_000 }))),
        ([fi, book]) => {
          const feeder = feeders[fi] as FeederModel;
          const r = clearAuction(book, { feeder });
          expect(acProblems(feeder, book.orders, r)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('cuts nothing and changes nothing when no limit binds', () => {
    fc.assert(
      fc.property(arbitraryBook({ buses: loadBuses(feeders[0] as FeederModel), maxOrders: 12, maxEnergyWh: 20_000 }), (book) => {
        const feeder = feeders[0] as FeederModel;
        const plain = clearAuction(book);
        const pf = solveResult(feeder, book.orders, plain);
        fc.pre(pf.converged && pf.violations.length === 0);
        const checked = clearAuction(book, { feeder });
        expect(checked.curtailed).toEqual([]);
        expect(checked.trades).toEqual(plain.trades);
        expect(checked.matchedWh).toBe(plain.matchedWh);
      }),
      { numRuns: 30 },
    );
  });

  it('gives the same result for the same book in any order', () => {
    fc.assert(
      fc.property(
        arbitraryBook({ buses: loadBuses(feeders[1] as FeederModel), maxOrders: 10, maxEnergyWh: 40_000 }).chain((book) =>
          fc.tuple(fc.constant(book), fc.shuffledSubarray(book.orders, { minLength: book.orders.length })),
        ),
        ([book, shuffled]) => {
          const feeder = feeders[1] as FeederModel;
          const a = JSON.stringify(clearAuction(book, { feeder }));
          expect(JSON.stringify(clearAuction({ ...book, orders: shuffled }, { feeder }))).toBe(a);
          expect(JSON.stringify(clearAuction(book, { feeder }))).toBe(a);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('cut order between contracts and auction trades', () => {
  // The congested case again (28 kWh from bus 3 where line 1 carries about 25.06 kWh), with
  // 10 kWh of it under a flexible contract bat-a -> h27 and 18 kWh traded in the auction.
  const orders = [
    order('ask', 'bat-a', 10000, 150_000, { bus: 3, flexible: true, owner: 'A' }),
    order('ask', 'bat-b', 18000, 160_000, { bus: 3, flexible: true, owner: 'B' }),
    order('bid', 'h27', 10000, 300_000, { bus: 27, owner: 'H27' }),
    order('bid', 'h29', 18000, 280_000, { bus: 29, owner: 'H29' }),
  ];
  const contract = { contractId: 'k1', seller: 'A', buyer: 'H27', sellerBus: 3, buyerBus: 27, energyWh: 10000, priceUcPerKwh: 200_000, flexible: true };

  it('cuts a spare_capacity delivery before any auction trade', () => {
    const r = clearAuction({ orders, deliveries: [{ ...contract, condition: 'spare_capacity' }] }, { feeder: kerber });
    expect(r.curtailed.map((c) => [c.contractId, c.ask, c.bid])).toEqual([['k1', 'bat-a', 'h27']]);
    expect(r.curtailed[0]?.energyWh).toBeGreaterThan(2850);
    expect(r.curtailed[0]?.energyWh).toBeLessThan(3050);
    expect(r.trades).toEqual([{ ask: 'bat-b', bid: 'h29', energyWh: 18000, priceUcPerKwh: 220_000 }]);
    expect(r.deliveries[0]?.energyWh).toBe(10000 - (r.curtailed[0]?.energyWh ?? 0));
  });

  it('keeps a plain flexible delivery and cuts the auction trade instead', () => {
    const r = clearAuction({ orders, deliveries: [contract] }, { feeder: kerber });
    expect(r.curtailed.map((c) => [c.contractId, c.ask, c.bid])).toEqual([[undefined, 'bat-b', 'h29']]);
    expect(r.deliveries[0]?.energyWh).toBe(10000);
  });
});
