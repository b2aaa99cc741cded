/**
 * What the report layer reads: one run of the city (with trading, or the no-trading baseline),
 * as the runner reads it from chain state (or, for the baseline, from the simulator). Integers
 * for energy (Wh) and money (µc); the schema checks them because the energy balance must close
 * exactly, and a fractional Wh would make that check meaningless.
 */
import { z } from 'zod';

const wh = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const signedInt = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One market interval of one microgrid. All energies over the interval, in Wh. */
export const intervalRecordSchema = z.strictObject({
  /** Interval index, numbered from genesis. */
  interval: count,
  /** Start of the interval, ms since epoch. */
  startMs: z.number().int(),
  /** Energy used by the members' loads (battery charging is storage, not consumption). */
  consumptionWh: wh,
  /** Energy produced inside the microgrid, by kind, after any curtailment of production. */
  productionWh: z.strictObject({ pv: wh, wind: wh }),
  /** Energy traded between members (contracts and auction, after the grid check). */
  localTradedWh: wh,
  /** Energy through the PCC from the main grid into the microgrid. */
  pccImportWh: wh,
  /** Energy through the PCC from the microgrid to the main grid. */
  pccExportWh: wh,
  /** Line and transformer losses. */
  lossesWh: wh,
  /** Battery conversion losses (charge and discharge). */
  storageLossesWh: wh,
  /** Change of stored energy: charged − discharged, as stored (negative when batteries emptied). */
  storageDeltaWh: signedInt,
  /** Traded flexible energy cut by the grid check. */
  curtailedWh: wh,
  /** Highest line or transformer loading in the interval, %; null when no flow was computed. */
  maxLineLoadingPct: z.number().nonnegative().nullable(),
  /** Clearing price, µc/kWh; null when nothing cleared. */
  priceUcPerKwh: count.nullable(),
});
export type IntervalRecord = z.output<typeof intervalRecordSchema>;

/** One member's totals over the run. */
export const memberRecordSchema = z.strictObject({
  memberId: z.string().min(1).max(128),
  bus: count,
  /** Net payment over the run, µc: positive = the member paid, negative = the member earned. */
  billUc: signedInt,
  /** Reward minted to this member. */
  mintedUc: count,
  /** Energy sold to and bought from other members (not the main grid). */
  soldWh: wh,
  boughtWh: wh,
});
export type MemberRecord = z.output<typeof memberRecordSchema>;

/** Chain figures of one microgrid's chain at the end of the run. */
export const chainRecordSchema = z.strictObject({
  height: count,
  /** Blocks committed during the run. */
  blocks: count,
  transactions: count,
  /** Time from a transaction's submission to its block's commit, ms; null without transactions. */
  meanFinalityMs: z.number().nonnegative().nullable(),
  p50FinalityMs: z.number().nonnegative().nullable(),
});
export type ChainRecord = z.output<typeof chainRecordSchema>;

export const microgridRecordSchema = z.strictObject({
  name: z.string().min(1).max(128),
  intervals: z.array(intervalRecordSchema),
  members: z.array(memberRecordSchema),
  /** Null for the baseline, which runs without a chain. */
  chain: chainRecordSchema.nullable(),
  /** Coin minted to producers over the run. */
  mintedUc: count,
  /** Treasury balance change over the run (grid fees and tax). */
  treasuryUc: signedInt,
});
export type MicrogridRecord = z.output<typeof microgridRecordSchema>;

/** One run of the whole city. The trading run and the baseline have this same shape. */
export const runRecordsSchema = z.strictObject({
  /** Length of a market interval, ms. */
  intervalMs: z.number().int().positive(),
  microgrids: z.array(microgridRecordSchema).min(1),
});
export type RunRecords = z.output<typeof runRecordsSchema>;
