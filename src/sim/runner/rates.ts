/**
 * The market parameters a scenario implies: its prices, and a loss model for the PCC check wide
 * enough for the feeders' real losses (members' meters + line and transformer losses must match
 * the PCC meter, or the interval is flagged and its minting held).
 */
import type { SettlementRates } from '../../market/settlement.ts';
import { taxPercentToPpm } from '../agents/pricing.ts';
import type { Scenario } from '../scenario.ts';

/** Losses up to 10 % of the energy entering the microgrid, plus 500 Wh (transformer no-load losses). */
export const LOSS_MAX_PPM = 100_000;
export const LOSS_TOLERANCE_WH = 500;
export const MISSING_READING_PENALTY_UC = 100_000;

export function settlementRates(s: Scenario): SettlementRates {
  return {
    retailUcPerKwh: s.prices.retailUcPerKwh,
    feedInUcPerKwh: s.prices.feedInUcPerKwh,
    gridFeeUcPerKwh: s.prices.gridFeeUcPerKwh,
    gridFeePerLineUcPerKwh: 0,
    taxPpm: taxPercentToPpm(s.prices.taxPercent),
    mintUcPerKwh: s.prices.mintRateUcPerKwh,
    missingReadingPenaltyUc: MISSING_READING_PENALTY_UC,
    lossToleranceWh: LOSS_TOLERANCE_WH,
    lossMaxPpm: LOSS_MAX_PPM,
  };
}
