/**
 * The report's JSON shape (`report.json`), as a zod schema so that tests, the CLI and the API read
 * it back with checks. Field names are the contract of DESIGN.md section 7; docs/report.md defines
 * each figure.
 */
import { z } from 'zod';

const int = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const nonneg = int.nonnegative();

/** The figures of one microgrid or of the city, for one run. */
export const figuresSchema = z.strictObject({
  consumption_wh: nonneg,
  local_production_wh: nonneg,
  local_traded_wh: nonneg,
  pcc_import_wh: nonneg,
  pcc_export_wh: nonneg,
  losses_wh: nonneg,
  storage_losses_wh: nonneg,
  storage_delta_wh: int,
  /** 1 − pcc_import_wh / consumption_wh; null without consumption. */
  self_sufficiency: z.number().nullable(),
  peak_import_w: nonneg,
  /** Peak over mean of the net PCC import curve; null when the mean is not positive. */
  peak_to_average: z.number().nullable(),
  bills_uc: int,
  /** 1 − pcc_export_wh / local_production_wh; null without production. */
  self_consumption: z.number().nullable(),
  minted_uc: nonneg,
  treasury_uc: int,
  max_line_loading_pct: z.number().nonnegative().nullable(),
  curtailed_wh: nonneg,
});
export type Figures = z.output<typeof figuresSchema>;

export const memberLineSchema = z.strictObject({
  id: z.string(),
  bus: nonneg,
  bill_uc: int,
  baseline_bill_uc: int,
  minted_uc: nonneg,
  sold_wh: nonneg,
  bought_wh: nonneg,
  /** bill_uc > baseline_bill_uc */
  worse_off: z.boolean(),
});
export type MemberLine = z.output<typeof memberLineSchema>;

export const microgridReportSchema = z.strictObject({
  name: z.string(),
  height: nonneg,
  blocks: nonneg,
  transactions: nonneg,
  finality_mean_ms: z.number().nonnegative().nullable(),
  finality_p50_ms: z.number().nonnegative().nullable(),
  ...figuresSchema.shape,
  members_worse_off: nonneg,
  baseline: figuresSchema,
  members: z.array(memberLineSchema),
});
export type MicrogridReport = z.output<typeof microgridReportSchema>;

/** Everything that identifies the run; deterministic (no wall-clock time). */
export const reportMetaSchema = z.strictObject({
  scenario: z.string(),
  seed: z.union([nonneg, z.string()]),
  days: nonneg,
  interval_minutes: z.number().positive(),
  /** Start of the first interval, ms since epoch; null for a run without intervals. */
  start_ms: int.nullable(),
  intervals: nonneg,
  /** Offset of the local time shown on chart axes, minutes east of UTC. */
  utc_offset_minutes: int,
  /** e.g. "gridledger 0.1.0" */
  generated_by: z.string(),
  /** Where the trades ran: "chain" (the microgrids' chains) or "offchain" (the market code without chains). */
  mode: z.enum(['chain', 'processes', 'offchain']).optional(),
  /** True when the run was stopped early: the report covers the intervals completed until then. */
  partial: z.boolean().optional(),
});
export type ReportMeta = z.output<typeof reportMetaSchema>;

/** How the run went on this machine: differs between runs of the same scenario. */
export const runInfoSchema = z.strictObject({
  wall_ms: z.number().nonnegative(),
  intervals_per_s: z.number().nonnegative().nullable(),
});
export type RunInfo = z.output<typeof runInfoSchema>;

export const reportSchema = z.strictObject({
  meta: reportMetaSchema,
  city: figuresSchema,
  baseline: figuresSchema,
  members: nonneg,
  members_worse_off: nonneg,
  microgrids: z.array(microgridReportSchema),
  run: runInfoSchema.optional(),
});
export type Report = z.output<typeof reportSchema>;
