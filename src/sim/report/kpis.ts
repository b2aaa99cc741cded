/**
 * The report's figures (DESIGN.md section 7, defined in docs/report.md) from one run's records.
 * Energy must close exactly in every interval of every microgrid:
 *   production + PCC import = consumption + PCC export + losses + storage losses + storage change
 * A record that does not close is a bug upstream (meter, settlement or simulator), so it throws
 * rather than being reported.
 */
import { GridLedgerError } from '../../errors.ts';
import type { Figures } from './schema.ts';
import { runRecordsSchema, type IntervalRecord, type MicrogridRecord, type RunRecords } from './types.ts';

export interface CityFigures {
  city: Figures;
  microgrids: Array<{ name: string; figures: Figures }>;
}

/** Figures of the microgrids in input order and of the city (their sum, curves summed first). */
export function computeKpis(records: RunRecords): CityFigures {
  const parsed = runRecordsSchema.safeParse(records);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`;
    throw new GridLedgerError('REPORT_INVALID_INPUT', `invalid run records: ${where}`, { cause: parsed.error });
  }
  checkAligned(records);
  const parts = records.microgrids.map((mg) => microgridTotals(mg));
  const microgrids = parts.map((p, i) => ({ name: records.microgrids[i]?.name ?? '', figures: figuresOf(p, records.intervalMs) }));
  return { city: figuresOf(sumTotals(parts), records.intervalMs), microgrids };
}

/** Sums and curves of one microgrid (or of the city), before ratios are taken. */
interface Totals {
  consumptionWh: number;
  productionWh: number;
  localTradedWh: number;
  pccImportWh: number;
  pccExportWh: number;
  lossesWh: number;
  storageLossesWh: number;
  storageDeltaWh: number;
  curtailedWh: number;
  billsUc: number;
  mintedUc: number;
  treasuryUc: number;
  maxLineLoadingPct: number | null;
  /** Per interval: PCC import (what the main grid supplies). */
  importCurveWh: number[];
}

function microgridTotals(mg: MicrogridRecord): Totals {
  const t: Totals = {
    consumptionWh: 0,
    productionWh: 0,
    localTradedWh: 0,
    pccImportWh: 0,
    pccExportWh: 0,
    lossesWh: 0,
    storageLossesWh: 0,
    storageDeltaWh: 0,
    curtailedWh: 0,
    billsUc: 0,
    mintedUc: mg.mintedUc,
    treasuryUc: mg.treasuryUc,
    maxLineLoadingPct: null,
    importCurveWh: [],
  };
  for (const r of mg.intervals) {
    checkClosure(mg.name, r);
    t.consumptionWh += r.consumptionWh;
    t.productionWh += r.productionWh.pv + r.productionWh.wind;
    t.localTradedWh += r.localTradedWh;
    t.pccImportWh += r.pccImportWh;
    t.pccExportWh += r.pccExportWh;
    t.lossesWh += r.lossesWh;
    t.storageLossesWh += r.storageLossesWh;
    t.storageDeltaWh += r.storageDeltaWh;
    t.curtailedWh += r.curtailedWh;
    t.maxLineLoadingPct = maxOrNull(t.maxLineLoadingPct, r.maxLineLoadingPct);
    t.importCurveWh.push(r.pccImportWh);
  }
  for (const m of mg.members) t.billsUc += m.billUc;
  return t;
}

/** The city: totals added, curves added interval by interval, the highest loading kept. */
function sumTotals(parts: Totals[]): Totals {
  const n = parts[0]?.importCurveWh.length ?? 0;
  const add = (f: (t: Totals) => number): number => parts.reduce((s, t) => s + f(t), 0);
  const curve = (f: (t: Totals) => number[]): number[] =>
    Array.from({ length: n }, (_, k) => parts.reduce((s, t) => s + (f(t)[k] ?? 0), 0));
  return {
    consumptionWh: add((t) => t.consumptionWh),
    productionWh: add((t) => t.productionWh),
    localTradedWh: add((t) => t.localTradedWh),
    pccImportWh: add((t) => t.pccImportWh),
    pccExportWh: add((t) => t.pccExportWh),
    lossesWh: add((t) => t.lossesWh),
    storageLossesWh: add((t) => t.storageLossesWh),
    storageDeltaWh: add((t) => t.storageDeltaWh),
    curtailedWh: add((t) => t.curtailedWh),
    billsUc: add((t) => t.billsUc),
    mintedUc: add((t) => t.mintedUc),
    treasuryUc: add((t) => t.treasuryUc),
    maxLineLoadingPct: parts.reduce<number | null>((m, t) => maxOrNull(m, t.maxLineLoadingPct), null),
    importCurveWh: curve((t) => t.importCurveWh),
  };
}

function figuresOf(t: Totals, intervalMs: number): Figures {
  return {
    consumption_wh: t.consumptionWh,
    local_production_wh: t.productionWh,
    local_traded_wh: t.localTradedWh,
    pcc_import_wh: t.pccImportWh,
    pcc_export_wh: t.pccExportWh,
    losses_wh: t.lossesWh,
    storage_losses_wh: t.storageLossesWh,
    storage_delta_wh: t.storageDeltaWh,
    self_sufficiency: t.consumptionWh > 0 ? 1 - t.pccImportWh / t.consumptionWh : null,
    peak_import_w: energyToPowerW(t.importCurveWh.reduce((m, v) => Math.max(m, v), 0), intervalMs),
    peak_to_average: peakToAverage(t.importCurveWh),
    bills_uc: t.billsUc,
    self_consumption: t.productionWh > 0 ? 1 - t.pccExportWh / t.productionWh : null,
    minted_uc: t.mintedUc,
    treasury_uc: t.treasuryUc,
    max_line_loading_pct: t.maxLineLoadingPct,
    curtailed_wh: t.curtailedWh,
  };
}

/** Mean power over an interval, rounded to the watt. */
export function energyToPowerW(energyWh: number, intervalMs: number): number {
  return Math.round((energyWh * 3_600_000) / intervalMs);
}

/**
 * Peak over mean of a PCC's import curve: the load the main grid carries for the microgrid, one
 * value per interval (all intervals the same length, so energies stand for powers; intervals of
 * export count as zero import). Null without intervals or without any import. Not of the net
 * curve (import − export): on a sunny day the net mean is negative and the ratio meaningless,
 * and not of |import − export|, which the midday export peak would dominate: the seed asks for
 * a smoother supply curve, and the supply is the import.
 */
export function peakToAverage(importCurveWh: readonly number[]): number | null {
  let sum = 0;
  let peak = 0;
  for (const v of importCurveWh) {
    if (v < 0) throw new RangeError(`an import curve has no negative values, got ${v}`);
    sum += v;
    if (v > peak) peak = v;
  }
  if (sum === 0) return null;
  return (peak * importCurveWh.length) / sum;
}

/** Throws REPORT_ENERGY_NOT_CLOSED, naming the microgrid and interval, when the balance is off. */
export function checkClosure(microgrid: string, r: IntervalRecord): void {
  const inWh = r.productionWh.pv + r.productionWh.wind + r.pccImportWh;
  const outWh = r.consumptionWh + r.pccExportWh + r.lossesWh + r.storageLossesWh + r.storageDeltaWh;
  if (inWh !== outWh) {
    throw new GridLedgerError(
      'REPORT_ENERGY_NOT_CLOSED',
      `energy does not close in microgrid "${microgrid}", interval ${r.interval}: production + PCC import = ${inWh} Wh, ` +
        `consumption + PCC export + losses + storage losses + storage change = ${outWh} Wh (off by ${inWh - outWh} Wh)`,
      { details: { microgrid, interval: r.interval, inWh, outWh } },
    );
  }
}

/** Microgrids must report the same intervals in the same order (the city curve adds them up). */
function checkAligned(records: RunRecords): void {
  const names = new Set<string>();
  const first = records.microgrids[0];
  for (const mg of records.microgrids) {
    if (names.has(mg.name)) throw new GridLedgerError('REPORT_INVALID_INPUT', `microgrid "${mg.name}" appears twice`);
    names.add(mg.name);
    const ids = new Set<string>();
    for (const m of mg.members) {
      if (ids.has(m.memberId)) throw new GridLedgerError('REPORT_INVALID_INPUT', `member "${m.memberId}" appears twice in microgrid "${mg.name}"`);
      ids.add(m.memberId);
    }
    mg.intervals.forEach((r, k) => {
      const prev = mg.intervals[k - 1];
      if (prev !== undefined && (r.interval <= prev.interval || r.startMs <= prev.startMs)) {
        throw new GridLedgerError('REPORT_INVALID_INPUT', `microgrid "${mg.name}": interval ${r.interval} out of order`);
      }
      const ref = first?.intervals[k];
      if (ref === undefined || ref.interval !== r.interval || ref.startMs !== r.startMs) {
        throw new GridLedgerError('REPORT_INTERVALS_MISMATCH', `microgrid "${mg.name}" and "${first?.name}" differ at interval position ${k}`);
      }
    });
    if (mg.intervals.length !== first?.intervals.length) {
      throw new GridLedgerError('REPORT_INTERVALS_MISMATCH', `microgrid "${mg.name}" has ${mg.intervals.length} intervals, "${first?.name}" ${first?.intervals.length}`);
    }
  }
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
