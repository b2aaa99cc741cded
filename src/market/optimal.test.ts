import fc from 'fast-check';
import highsModule from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFeeder } from '../grid/import/feederFile.ts';
import type { FeederModel } from '../grid/model.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import { syntheticRadialFeeder } from '../grid/synthetic.ts';
import { clearAuction } from './clear.ts';
import { clearOptimal } from './optimal.ts';
import type { OptimalOptions } from './optimal.ts';
import type { Order } from './order.ts';
import { energyToPowerW } from './schedule.ts';
import { acProblems, arbitraryBook, order } from './testkit.ts';

type Loader = typeof highsModule.default;
const exported: unknown = highsModule;
const loadHighs: Loader = typeof exported === 'function' ? (exported as Loader) : highsModule.default;

let solver: OptimalOptions['solver'];
beforeAll(async () => {
  solver = await loadHighs();
});

const kerber = loadFeeder('data/feeders/kerber-landnetz-pv.json');

describe('clearOptimal without a feeder', () => {
  it('reaches the welfare of the merit-order auction (which is maximal without limits)', () => {
    fc.assert(
      fc.property(arbitraryBook({ maxOrders: 16 }), (book) => {
        const limit = (id: string): number => (book.orders.find((o) => o.id === id) as Order).priceUcPerKwh;
        // Exact welfare, µc × 1000: the auction's and the LP's must be equal. Volume may differ
        // only by pairs of equal limits, which add no welfare (the LP is indifferent to them).
        const exact = (r: ReturnType<typeof clearAuction>): number => r.trades.reduce((s, t) => s + (limit(t.bid) - limit(t.ask)) * t.energyWh, 0);
        const greedy = clearAuction(book);
        const optimal = clearOptimal(book, { solver });
        expect(exact(optimal)).toBe(exact(greedy));
        expect(optimal.matchedWh).toBeLessThanOrEqual(greedy.matchedWh);
        for (const t of optimal.trades) {
          const ask = book.orders.find((o) => o.id === t.ask) as Order;
          const bid = book.orders.find((o) => o.id === t.bid) as Order;
          expect(ask.priceUcPerKwh).toBeLessThanOrEqual(t.priceUcPerKwh);
          expect(t.buyerPriceUcPerKwh ?? Number.NaN).toBeLessThanOrEqual(bid.priceUcPerKwh);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('clearOptimal on random books and small LV feeders', () => {
  const feeders = [21, 22].map((seed) => syntheticRadialFeeder({ buses: 12, seed, voltage: 'lv' }));
  it('holds under the AC check, like the greedy clearing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1).chain((fi) => fc.tuple(fc.constant(fi), arbitraryBook({ buses: (feeders[fi] as FeederModel).loads.map((l) => l.bus), maxOrders: 10, maxEnergyWh: 40_000 }))),
        ([fi, book]) => {
          const feeder = feeders[fi] as FeederModel;
          expect(acProblems(feeder, book.orders, clearOptimal(book, { solver, feeder }))).toEqual([]);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('clearOptimal on the congested Kerber case', () => {
  // The case of gridCheck.test.ts: batteries at bus 3 (bat-a 12 kWh @150000, bat-b 16 kWh @160000)
  // behind line 1 (141 A, about 25.06 kWh per 15 min), firm buyers h27 14 kWh @300000 and h29
  // 14 kWh @280000 on the other feeder. The LP accepts bat-a in full and bat-b up to the line's
  // capacity (bat-b is the marginal seller at bus 3), and h27 in full and h29 partly (the marginal
  // buyer). Locational prices: bus 3 = bat-b's 160000 µc/kWh, the buyers' side = λ = h29's 280000;
  // the difference is the line's congestion rent.
  const orders = [
    order('ask', 'bat-a', 12000, 150_000, { bus: 3, flexible: true }),
    order('ask', 'bat-b', 16000, 160_000, { bus: 3, flexible: true }),
    order('bid', 'h27', 14000, 300_000, { bus: 27 }),
    order('bid', 'h29', 14000, 280_000, { bus: 29 }),
  ];

  it('trades up to the line at locational prices', () => {
    const r = clearOptimal({ orders, deliveries: [] }, { solver, feeder: kerber });
    expect(r.matchedWh).toBeGreaterThan(24_900);
    expect(r.matchedWh).toBeLessThan(25_200);
    expect(r.clearingPriceUcPerKwh).toBe(280_000);
    expect(r.trades.map((t) => [t.ask, t.bid])).toEqual([
      ['bat-a', 'h27'],
      ['bat-b', 'h27'],
      ['bat-b', 'h29'],
    ]);
    for (const t of r.trades) {
      expect(t.priceUcPerKwh).toBe(160_000);
      expect(t.buyerPriceUcPerKwh).toBe(280_000);
    }
  });

  it('holds under the AC check', () => {
    const r = clearOptimal({ orders, deliveries: [] }, { solver, feeder: kerber });
    const batteryWh = r.trades.reduce((s, t) => s + t.energyWh, 0);
    const pf = solvePowerFlow(kerber, {
      injections: [
        { bus: 3, pKw: energyToPowerW(batteryWh, 15) / 1000 },
        { bus: 27, pKw: -56 },
        { bus: 29, pKw: -56 },
      ],
    });
    expect(pf.converged).toBe(true);
    expect(pf.violations).toEqual([]);
  });
});
