/**
 * What physically happens in one interval of one microgrid: each member's metered net energy at
 * its bus goes into an AC power flow of the feeder (mean power over the interval, unity power
 * factor, as the market schedules it), which gives the line and transformer losses and the
 * loadings. The PCC exchange is then derived from the members' balance plus the losses, in
 * integer Wh, so that every interval closes exactly:
 *
 *   pv + wind + import = consumption + export + losses + storage losses + storage change
 *
 * (per member: net withdrawal = consumption + battery AC energy − production, and the battery's
 * AC energy = storage change + storage loss; the PCC supplies Σ net withdrawals + losses.)
 */
import { GridLedgerError } from '../../errors.ts';
import type { FeederModel } from '../../grid/model.ts';
import { solvePowerFlow, type BusInjection } from '../../grid/powerflow/solve.ts';

/** One member's metered interval, in Wh. */
export interface MemberFlow {
  bus: number;
  pvWh: number;
  windWh: number;
  consumptionWh: number;
  /** Battery energy at its AC side: positive = charged, negative = discharged. */
  batteryAcWh: number;
  batteryLossWh: number;
  /** Stored energy change (= batteryAcWh − batteryLossWh). */
  batteryDeltaWh: number;
}

/** What the meter sees: consumption + charging − production − discharging. */
export function netWithdrawalWh(f: MemberFlow): number {
  return f.consumptionWh + f.batteryAcWh - f.pvWh - f.windWh;
}

export interface GridInterval {
  pccImportWh: number;
  pccExportWh: number;
  lossesWh: number;
  /** Highest line or transformer loading, %; null when no branch has a rating. */
  maxLineLoadingPct: number | null;
  /** Sums over members. */
  pvWh: number;
  windWh: number;
  consumptionWh: number;
  storageLossesWh: number;
  storageDeltaWh: number;
}

export function simulateGridInterval(model: FeederModel, flows: readonly MemberFlow[], intervalMinutes: number): GridInterval {
  const byBus = new Map<number, number>();
  let pvWh = 0;
  let windWh = 0;
  let consumptionWh = 0;
  let storageLossesWh = 0;
  let storageDeltaWh = 0;
  let netWh = 0;
  for (const f of flows) {
    if (f.batteryAcWh !== f.batteryDeltaWh + f.batteryLossWh) throw new Error(`battery step does not close at bus ${f.bus}`);
    const n = netWithdrawalWh(f);
    byBus.set(f.bus, (byBus.get(f.bus) ?? 0) + n);
    netWh += n;
    pvWh += f.pvWh;
    windWh += f.windWh;
    consumptionWh += f.consumptionWh;
    storageLossesWh += f.batteryLossWh;
    storageDeltaWh += f.batteryDeltaWh;
  }
  const perHour = 60 / intervalMinutes;
  const injections: BusInjection[] = [...byBus.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, wh]) => wh !== 0)
    .map(([bus, wh]) => ({ bus, pKw: (-wh * perHour) / 1000 }));
  const pf = solvePowerFlow(model, { injections });
  if (!pf.converged) {
    throw new GridLedgerError('SIM_POWER_FLOW', `${model.name}: the power flow of the members' metered energy did not converge (${pf.iterations} sweeps)`);
  }
  const lossesWh = Math.max(0, Math.round((pf.lossKw * 1000) / perHour));
  let maxLineLoadingPct: number | null = null;
  for (const b of pf.branches) {
    if (b.loadingPct !== null && b.inService) maxLineLoadingPct = Math.max(maxLineLoadingPct ?? 0, b.loadingPct);
  }
  const pccNetWh = netWh + lossesWh;
  return {
    pccImportWh: Math.max(0, pccNetWh),
    pccExportWh: Math.max(0, -pccNetWh),
    lossesWh,
    maxLineLoadingPct,
    pvWh,
    windWh,
    consumptionWh,
    storageLossesWh,
    storageDeltaWh,
  };
}
