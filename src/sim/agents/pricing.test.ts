import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyValueUc } from '../../market/money.ts';
import { settleInterval } from '../../market/settlement.ts';
import { createRng } from '../random.ts';
import { limitPrice, priceBand, taxPercentToPpm } from './pricing.ts';

const PRICES = { retailUcPerKwh: 300_000, feedInUcPerKwh: 80_000, gridFeeUcPerKwh: 40_000, taxPercent: 19, mintRateUcPerKwh: 10_000 };

describe('the price band', () => {
  it('runs from feed-in to the price at which a local kWh costs the buyer retail, each with a margin', () => {
    // (300,000 − 40,000) / 1.19 = 218,487.4 → 218,487; minus 1,000 margin
    expect(priceBand(PRICES)).toEqual({ askFloorUcPerKwh: 81_000, bidCapUcPerKwh: 217_487 });
  });

  it('is empty when fee and tax leave no price that beats both alternatives', () => {
    expect(priceBand({ ...PRICES, gridFeeUcPerKwh: 210_000 })).toBeNull();
  });

  it('makes any trade inside it better for both sides than the main grid, after the settlement\'s roundings', () => {
    const band = priceBand(PRICES);
    if (band === null) throw new Error('no band');
    const rates = {
      retailUcPerKwh: PRICES.retailUcPerKwh,
      feedInUcPerKwh: PRICES.feedInUcPerKwh,
      gridFeeUcPerKwh: PRICES.gridFeeUcPerKwh,
      gridFeePerLineUcPerKwh: 0,
      taxPpm: taxPercentToPpm(PRICES.taxPercent),
      mintUcPerKwh: 0,
      missingReadingPenaltyUc: 0,
      lossToleranceWh: 1_000_000,
      lossMaxPpm: 0,
    };
    fc.assert(
      fc.property(fc.integer({ min: band.askFloorUcPerKwh, max: band.bidCapUcPerKwh }), fc.integer({ min: 1, max: 50_000 }), (price, wh) => {
        const r = settleInterval({
          rates,
          trades: [{ seller: 's', buyer: 'b', energyWh: wh, priceUcPerKwh: price, linesCrossed: 0 }],
          members: [
            { member: 'b', scheduledNetWh: -wh, reading: { producedWh: 0, consumedWh: wh, renewableWh: 0 } },
            { member: 's', scheduledNetWh: wh, reading: { producedWh: wh, consumedWh: 0, renewableWh: wh } },
          ],
          pcc: { importWh: 0, exportWh: 0 },
          background: { loadWh: 0, generationWh: 0 },
        });
        const buyer = r.members.find((m) => m.member === 'b');
        const seller = r.members.find((m) => m.member === 's');
        // the buyer pays at most what the main grid would charge; the seller earns at least feed-in
        expect(-(buyer?.netUc ?? 0)).toBeLessThanOrEqual(energyValueUc(PRICES.retailUcPerKwh, wh));
        expect(seller?.netUc ?? 0).toBeGreaterThanOrEqual(energyValueUc(PRICES.feedInUcPerKwh, wh));
      }),
      { numRuns: 300 },
    );
  });
});

describe('limit prices by strategy', () => {
  const band = { askFloorUcPerKwh: 100_000, bidCapUcPerKwh: 200_000 };
  const rng = createRng(1);

  it('truthful asks at the floor and bids at the cap; midpoint meets in the middle', () => {
    expect(limitPrice({ kind: 'truthful' }, 'ask', band, rng)).toBe(100_000);
    expect(limitPrice({ kind: 'truthful' }, 'bid', band, rng)).toBe(200_000);
    expect(limitPrice({ kind: 'midpoint' }, 'ask', band, rng)).toBe(150_000);
    expect(limitPrice({ kind: 'midpoint' }, 'bid', band, rng)).toBe(150_000);
  });

  it('markup moves both sides the same fraction of the spread inwards', () => {
    expect(limitPrice({ kind: 'markup', markupFraction: 0.25 }, 'ask', band, rng)).toBe(125_000);
    expect(limitPrice({ kind: 'markup', markupFraction: 0.25 }, 'bid', band, rng)).toBe(175_000);
  });

  it('zero-intelligence draws inside the band, the same draws for the same seed', () => {
    const draw = (seed: number): number[] => {
      const r = createRng(seed);
      return Array.from({ length: 200 }, () => limitPrice({ kind: 'zero-intelligence' }, 'ask', band, r));
    };
    const a = draw(5);
    expect(a.every((p) => p >= 100_000 && p <= 200_000)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(150);
    expect(draw(5)).toEqual(a);
  });
});
