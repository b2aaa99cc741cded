/**
 * Assemble `report.json`: the trading run's figures beside the no-trading baseline's, per
 * microgrid and for the city, each member's bill against its baseline bill, and the chain
 * figures. Everything but `run` is a function of the records and the meta, so two runs of the
 * same scenario and seed give the same report once `run` is dropped.
 */
import { GridLedgerError } from '../../errors.ts';
import { computeKpis } from './kpis.ts';
import { reportSchema, type MemberLine, type Report, type RunInfo } from './schema.ts';
import type { MicrogridRecord, RunRecords } from './types.ts';

export interface ReportMetaInput {
  scenario: string;
  seed: number | string;
  days: number;
  /** Local time on chart axes, minutes east of UTC (default 0: UTC). */
  utcOffsetMinutes?: number;
  /** e.g. "gridledger 0.1.0" */
  generatedBy: string;
  mode?: 'chain' | 'processes' | 'offchain';
  partial?: boolean;
}

export interface RunTiming {
  wallMs: number;
}

export function buildReport(trading: RunRecords, baseline: RunRecords, meta: ReportMetaInput, timing?: RunTiming): Report {
  if (trading.intervalMs !== baseline.intervalMs) {
    throw new GridLedgerError('REPORT_BASELINE_MISMATCH', `interval length ${trading.intervalMs} ms with trading, ${baseline.intervalMs} ms in the baseline`);
  }
  const withTrading = computeKpis(trading);
  const without = computeKpis(baseline);
  const names = trading.microgrids.map((m) => m.name);
  const baseNames = baseline.microgrids.map((m) => m.name);
  if (names.join('\u0000') !== baseNames.join('\u0000')) {
    throw new GridLedgerError('REPORT_BASELINE_MISMATCH', `microgrids differ: [${names.join(', ')}] with trading, [${baseNames.join(', ')}] in the baseline`);
  }
  const firstT = trading.microgrids[0]?.intervals ?? [];
  const firstB = baseline.microgrids[0]?.intervals ?? [];
  if (firstT.length !== firstB.length || firstT.some((r, k) => r.interval !== firstB[k]?.interval)) {
    throw new GridLedgerError('REPORT_BASELINE_MISMATCH', `intervals differ: ${firstT.length} with trading, ${firstB.length} in the baseline`);
  }

  const microgrids = trading.microgrids.map((mg, i) => {
    const base = baseline.microgrids[i];
    const figures = withTrading.microgrids[i]?.figures;
    const baseFigures = without.microgrids[i]?.figures;
    if (base === undefined || figures === undefined || baseFigures === undefined) throw new Error('unreachable: microgrids checked above');
    if (mg.chain === null) throw new GridLedgerError('REPORT_MISSING_CHAIN', `microgrid "${mg.name}" of the trading run has no chain figures`);
    const members = memberLines(mg, base);
    return {
      name: mg.name,
      height: mg.chain.height,
      blocks: mg.chain.blocks,
      transactions: mg.chain.transactions,
      finality_mean_ms: mg.chain.meanFinalityMs,
      finality_p50_ms: mg.chain.p50FinalityMs,
      ...figures,
      members_worse_off: members.filter((m) => m.worse_off).length,
      baseline: baseFigures,
      members,
    };
  });

  const intervals = firstT.length;
  const report: Report = {
    meta: {
      scenario: meta.scenario,
      seed: meta.seed,
      days: meta.days,
      interval_minutes: trading.intervalMs / 60_000,
      start_ms: firstT[0]?.startMs ?? null,
      intervals,
      utc_offset_minutes: meta.utcOffsetMinutes ?? 0,
      generated_by: meta.generatedBy,
      ...(meta.mode === undefined ? {} : { mode: meta.mode }),
      ...(meta.partial === undefined ? {} : { partial: meta.partial }),
    },
    city: withTrading.city,
    baseline: without.city,
    members: microgrids.reduce((s, m) => s + m.members.length, 0),
    members_worse_off: microgrids.reduce((s, m) => s + m.members_worse_off, 0),
    microgrids,
  };
  if (timing !== undefined) report.run = runInfo(timing, intervals);
  return reportSchema.parse(report);
}

/** Members in the trading run's order, each matched by id to its baseline bill. */
function memberLines(mg: MicrogridRecord, base: MicrogridRecord): MemberLine[] {
  const baseBills = new Map(base.members.map((m) => [m.memberId, m.billUc]));
  if (base.members.length !== mg.members.length) {
    throw new GridLedgerError('REPORT_BASELINE_MISMATCH', `microgrid "${mg.name}": ${mg.members.length} members with trading, ${base.members.length} in the baseline`);
  }
  return mg.members.map((m) => {
    const baselineBill = baseBills.get(m.memberId);
    if (baselineBill === undefined) {
      throw new GridLedgerError('REPORT_BASELINE_MISMATCH', `microgrid "${mg.name}": member "${m.memberId}" has no baseline bill`);
    }
    return {
      id: m.memberId,
      bus: m.bus,
      bill_uc: m.billUc,
      baseline_bill_uc: baselineBill,
      minted_uc: m.mintedUc,
      sold_wh: m.soldWh,
      bought_wh: m.boughtWh,
      worse_off: m.billUc > baselineBill,
    };
  });
}

function runInfo(timing: RunTiming, intervals: number): RunInfo {
  return {
    wall_ms: timing.wallMs,
    intervals_per_s: timing.wallMs > 0 ? (intervals * 1000) / timing.wallMs : null,
  };
}
