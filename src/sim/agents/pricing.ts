/**
 * Limit prices of the household agents. Every strategy prices inside one band, set by each side's
 * alternative with the main grid, so that a trade can only beat it:
 *
 * - a seller's alternative is the feed-in price: asks never go below it;
 * - a buyer's alternative is the retail price, and a local kWh at price p costs the buyer
 *   p + grid fee + tax on p (settlement.ts), so bids never go above (retail − fee) / (1 + tax).
 *
 * The clearing price is the midpoint of the marginal pair, so it lies in the band as well, and a
 * kWh that trades leaves both sides better off than the main grid would. Each end of the band
 * keeps a margin of 1,000 µc/kWh (0.1 ct) so that the settlement's floor roundings cannot tip a
 * member that trades at the edge to a bill a few µc above its baseline.
 */
import type { Rng } from '../random.ts';
import type { Scenario, StrategySpec } from '../scenario.ts';

export const BAND_MARGIN_UC_PER_KWH = 1_000;

export interface PriceBand {
  /** Lowest ask: feed-in + margin. */
  askFloorUcPerKwh: number;
  /** Highest bid: the price at which a local kWh costs the buyer as much as retail, − margin. */
  bidCapUcPerKwh: number;
}

/** The band for the scenario's prices; null when no local price can beat both alternatives. */
export function priceBand(prices: Scenario['prices']): PriceBand | null {
  const taxPpm = taxPercentToPpm(prices.taxPercent);
  const breakEven = Math.floor(((prices.retailUcPerKwh - prices.gridFeeUcPerKwh) * 1_000_000) / (1_000_000 + taxPpm));
  const band = { askFloorUcPerKwh: prices.feedInUcPerKwh + BAND_MARGIN_UC_PER_KWH, bidCapUcPerKwh: breakEven - BAND_MARGIN_UC_PER_KWH };
  return band.bidCapUcPerKwh >= band.askFloorUcPerKwh ? band : null;
}

/** 19 (%) -> 190,000 ppm; the scenario allows two decimals. */
export function taxPercentToPpm(percent: number): number {
  return Math.round(percent * 10_000);
}

/** A strategy's limit price for one order (zero-intelligence draws a new one each time). */
export function limitPrice(strategy: StrategySpec, side: 'ask' | 'bid', band: PriceBand, rng: Rng): number {
  const lo = band.askFloorUcPerKwh;
  const hi = band.bidCapUcPerKwh;
  const spread = hi - lo;
  switch (strategy.kind) {
    case 'truthful':
      return side === 'ask' ? lo : hi;
    case 'midpoint':
      return lo + Math.floor(spread / 2);
    case 'markup':
      return side === 'ask' ? lo + Math.floor(strategy.markupFraction * spread) : hi - Math.floor(strategy.markupFraction * spread);
    case 'zero-intelligence':
      return lo + rng.intBelow(spread + 1);
  }
}
