/**
 * The curves the HTML report draws, per microgrid and for the city, in mean W per interval.
 * Built from the same records as the report (and checked alike by buildReport): the runner calls
 * buildSeries next to buildReport and hands both to renderHtml.
 */
import { energyToPowerW } from './kpis.ts';
import type { IntervalRecord, RunRecords } from './types.ts';

export interface Curves {
  /** Start of each interval, ms since epoch. */
  startMs: number[];
  /** PCC import − export, W (positive: the microgrid draws from the main grid). */
  netImportW: number[];
  baselineNetImportW: number[];
  consumptionW: number[];
  pvW: number[];
  windW: number[];
  localTradedW: number[];
  /** Clearing price per interval, µc/kWh; null where nothing cleared (and for the city). */
  priceUcPerKwh: Array<number | null>;
}

export interface ReportSeries {
  intervalMs: number;
  city: Curves;
  microgrids: Array<{ name: string } & Curves>;
}

type EnergyCurves = Omit<Curves, 'startMs' | 'priceUcPerKwh'>;
const curveKeys = ['netImportW', 'baselineNetImportW', 'consumptionW', 'pvW', 'windW', 'localTradedW'] as const;

export function buildSeries(trading: RunRecords, baseline: RunRecords): ReportSeries {
  const ms = trading.intervalMs;
  // Energies per interval first, so that the city curve is the sum of Wh, converted once.
  const energy = trading.microgrids.map((mg, i): EnergyCurves => {
    const base = baseline.microgrids[i]?.intervals ?? [];
    const pick = (rs: readonly IntervalRecord[], f: (r: IntervalRecord) => number): number[] => rs.map(f);
    return {
      netImportW: pick(mg.intervals, (r) => r.pccImportWh - r.pccExportWh),
      baselineNetImportW: pick(base, (r) => r.pccImportWh - r.pccExportWh),
      consumptionW: pick(mg.intervals, (r) => r.consumptionWh),
      pvW: pick(mg.intervals, (r) => r.productionWh.pv),
      windW: pick(mg.intervals, (r) => r.productionWh.wind),
      localTradedW: pick(mg.intervals, (r) => r.localTradedWh),
    };
  });
  const toPower = (e: EnergyCurves): EnergyCurves => {
    const out = { ...e };
    for (const key of curveKeys) out[key] = e[key].map((v) => energyToPowerW(v, ms));
    return out;
  };
  const startMs = trading.microgrids[0]?.intervals.map((r) => r.startMs) ?? [];
  const cityEnergy = { ...(energy[0] ?? emptyCurves()) };
  for (const key of curveKeys) {
    cityEnergy[key] = startMs.map((_, k) => energy.reduce((s, e) => s + (e[key][k] ?? 0), 0));
  }
  return {
    intervalMs: ms,
    city: { startMs, ...toPower(cityEnergy), priceUcPerKwh: startMs.map(() => null) },
    microgrids: trading.microgrids.map((mg, i) => ({
      name: mg.name,
      startMs: mg.intervals.map((r) => r.startMs),
      ...toPower(energy[i] ?? emptyCurves()),
      priceUcPerKwh: mg.intervals.map((r) => r.priceUcPerKwh),
    })),
  };
}

function emptyCurves(): EnergyCurves {
  return { netImportW: [], baselineNetImportW: [], consumptionW: [], pvW: [], windW: [], localTradedW: [] };
}
