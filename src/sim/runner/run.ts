/**
 * `runCity`: one scenario end to end. The no-trading baseline and the trading run advance
 * interval by interval side by side, so a run stopped early (Ctrl-C) still compares the same
 * intervals; the report is then marked partial.
 */
import { priceBand } from '../agents/pricing.ts';
import { buildReport } from '../report/build.ts';
import type { Report } from '../report/schema.ts';
import { buildSeries, type ReportSeries } from '../report/series.ts';
import type { Scenario } from '../scenario.ts';
import { createBaselineRun } from './baseline.ts';
import { buildCity, type City } from './city.ts';
import type { MarketBackend } from './market/backend.ts';
import { createOffchainMarket } from './market/offchain.ts';
import { settlementRates } from './rates.ts';
import { createTradingRun } from './trading.ts';

/** chain: each microgrid's validators in this process; processes: as `node start` processes; offchain: no chains. */
export type RunMode = 'chain' | 'processes' | 'offchain';

export interface RunOptions {
  /** Where relative feeder and CSV paths start. */
  baseDir: string;
  mode: RunMode;
  /** e.g. "gridledger 0.1.0" */
  generatedBy: string;
  /** Polled between intervals: true stops the run after the interval in progress. */
  shouldStop?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  /** Chain mode: each microgrid's chain in its own worker thread (default true). */
  threads?: boolean;
  /** Processes mode: where the validators' homes and logs go (DIR/<microgrid>/node<i>). */
  processesDir?: string;
  /** Makes the microgrids' markets; the default follows `mode`. */
  markets?: (city: City) => Promise<MarketBackend[]>;
  /** Wall-clock time source for the report's `run` figures (the CLI passes performance.now). */
  nowMs?: () => number;
}

export interface RunResult {
  report: Report;
  series: ReportSeries;
  partial: boolean;
  intervals: number;
}

export async function runCity(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const t0 = opts.nowMs?.();
  const city = buildCity(scenario, { baseDir: opts.baseDir });
  const band = priceBand(scenario.prices);
  const markets = await (opts.markets ?? defaultMarkets(opts))(city);
  const baseline = createBaselineRun(city);
  const trading = createTradingRun(city, markets, band);
  const total = city.grid.count;
  let done = 0;
  try {
    await trading.start();
    while (done < total && opts.shouldStop?.() !== true) {
      await baseline.step(done);
      await trading.step(done);
      done++;
      opts.onProgress?.(done, total);
      // Let signal handlers (Ctrl-C) and timers run between intervals.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const tradingRecords = await trading.finish();
    const baselineRecords = await baseline.records();
    const partial = done < total;
    const meta = {
      scenario: scenario.name,
      seed: scenario.seed,
      days: scenario.days,
      utcOffsetMinutes: scenario.location.utcOffsetMinutes,
      generatedBy: opts.generatedBy,
      mode: markets[0]?.mode ?? opts.mode,
      ...(partial ? { partial: true } : {}),
    };
    const t1 = opts.nowMs?.();
    const report = buildReport(tradingRecords, baselineRecords, meta, t0 !== undefined && t1 !== undefined ? { wallMs: t1 - t0 } : undefined);
    return { report, series: buildSeries(tradingRecords, baselineRecords), partial, intervals: done };
  } finally {
    await trading.close();
  }
}

function defaultMarkets(opts: RunOptions): (city: City) => Promise<MarketBackend[]> {
  if (opts.mode === 'chain') return (city) => import('./market/workerMarket.ts').then((m) => m.createChainMarkets(city, { threads: opts.threads ?? true }));
  if (opts.mode === 'processes') {
    const dir = opts.processesDir;
    if (dir === undefined) throw new Error('processes mode needs a directory for the nodes\' homes');
    return (city) => import('./market/processAccess.ts').then((m) => m.createProcessMarkets(city, { dir }));
  }
  return (city) =>
    Promise.resolve(
      city.microgrids.map((mg) =>
        createOffchainMarket({
          feeder: mg.feeder.model,
          intervalMinutes: city.grid.intervalMinutes,
          rates: settlementRates(city.scenario),
          members: mg.members.map((m) => ({ id: m.id, bus: m.bus })),
        }),
      ),
    );
}
