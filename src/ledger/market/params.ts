/**
 * The market's parameters: the flat `params.market` record of genesis, read through this schema.
 * Every field has a default, so `market: {}` is a working market; unknown fields are refused.
 *
 * Intervals: interval k covers [epochMs + k × intervalMs, epochMs + (k + 1) × intervalMs); set
 * epochMs to the genesis time to number intervals from genesis (0 counts from the Unix epoch).
 */
import { z } from 'zod';
import { addressText } from '../address.ts';
import { utf8 } from '../bytes.ts';
import { reject } from '../codes.ts';
import { describeIssues } from '../encoding.ts';
import { sha256 } from '../hash.ts';
import type { Params } from '../params.ts';

/**
 * System accounts without a key: 20 bytes of SHA-256 of a name, so no one can sign for them.
 * The main grid may go negative (the utility settles in fiat off chain); the treasury only
 * receives.
 */
export const DEFAULT_MAIN_GRID_ADDRESS = sha256(utf8('gridledger/system/main-grid')).subarray(0, 20);
export const DEFAULT_TREASURY_ADDRESS = sha256(utf8('gridledger/system/treasury')).subarray(0, 20);

const uint = z.int().min(0);
const price = z.int().min(0).max(1_000_000_000);
const ppm = z.int().min(0).max(1_000_000);

export const marketParamsSchema = z.strictObject({
  epochMs: uint.default(0),
  /** Whole minutes: the grid check turns energy per interval into power. */
  intervalMs: z.int().min(60_000).max(86_400_000).multipleOf(60_000).default(900_000),
  /** Orders and cancellations for interval k close this long before k starts. */
  gateClosureLeadMs: uint.max(86_400_000).default(300_000),
  /** Readings for k are accepted from k's end until this long after it; then k settles. */
  readingDeadlineMs: z.int().min(1).max(86_400_000).default(300_000),
  /** Intervals one order may cover. */
  maxOrderIntervals: z.int().min(1).max(10_000).default(96),
  /** How far ahead of the first open interval an order or a contract may start (default 30 days of 15 min). */
  maxAheadIntervals: z.int().min(0).max(1_000_000).default(2_880),
  retailUcPerKwh: price.default(300_000),
  feedInUcPerKwh: price.default(80_000),
  gridFeeUcPerKwh: price.default(20_000),
  gridFeePerLineUcPerKwh: price.default(0),
  taxPpm: ppm.default(100_000),
  mintUcPerKwh: price.default(50_000),
  missingReadingPenaltyUc: z.int().min(0).max(1_000_000_000_000).default(100_000),
  /** Loss model of the PCC match: losses in [−tolerance, tolerance + lossMaxPpm of the energy in]. */
  lossToleranceWh: uint.max(1_000_000_000).default(100),
  lossMaxPpm: ppm.default(50_000),
  mainGridAddress: addressText.default(DEFAULT_MAIN_GRID_ADDRESS),
  treasuryAddress: addressText.default(DEFAULT_TREASURY_ADDRESS),
});

export type MarketParams = z.output<typeof marketParamsSchema>;
/** The genesis form (`params.market`): every field optional, addresses as text. */
export type MarketParamsInput = z.input<typeof marketParamsSchema>;

const cache = new WeakMap<Params, MarketParams>();

/** The market parameters of a chain (parsed once per params object). Throws MARKET_PARAMS_INVALID. */
export function marketParams(params: Params): MarketParams {
  let mp = cache.get(params);
  if (mp === undefined) {
    const r = marketParamsSchema.safeParse(params.market);
    if (!r.success) reject('MARKET_PARAMS_INVALID', `params.market: ${describeIssues(r.error)}`);
    mp = r.data;
    cache.set(params, mp);
  }
  return mp;
}

/** Energy a connection limit allows in one interval: floor(W × ms / 3.6e6) Wh. */
export function capacityWh(limitW: number, mp: MarketParams): number {
  return Number((BigInt(limitW) * BigInt(mp.intervalMs)) / 3_600_000n);
}
