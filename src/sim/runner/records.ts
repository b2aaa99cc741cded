/**
 * The trading run's report records, from the market's own records (on chain: the settlements,
 * clearings, PCC readings and supply the chain holds). What a meter at the connection cannot see
 * comes from the simulator and is checked against the chain where the two meet:
 *
 * - the chain knows, per member and interval, produced, consumed and renewable Wh (meter
 *   readings), trades, bills and mints; per interval the PCC import and export, the losses the
 *   PCC check derives, the clearing price and curtailments;
 * - behind the meter, only the simulator knows how production splits into PV and wind and how
 *   consumed − (produced − renewable) = load + battery AC energy splits into the load, the
 *   battery's losses and its change of charge; and only the power flow knows line loadings.
 *
 * Checked exactly for every interval: Σ renewable = PV + wind, Σ (consumed − produced + renewable)
 * = load + battery AC energy, and the chain's losses = the power flow's. A mismatch is a bug
 * (meter, settlement or simulator) and stops the report.
 */
import { GridLedgerError } from '../../errors.ts';
import type { IntervalRecord, MemberRecord, MicrogridRecord, RunRecords } from '../report/types.ts';
import type { City } from './city.ts';
import type { MarketOutcome } from './market/backend.ts';

/** What the simulator knows of one interval of one microgrid (sums over members). */
export interface SimulatedInterval {
  interval: number;
  startMs: number;
  pvWh: number;
  windWh: number;
  consumptionWh: number;
  batteryAcWh: number;
  storageLossesWh: number;
  storageDeltaWh: number;
  lossesWh: number;
  maxLineLoadingPct: number | null;
}

export function tradingRecords(city: City, parts: ReadonlyArray<{ simulated: readonly SimulatedInterval[]; outcome: MarketOutcome }>): RunRecords {
  return {
    intervalMs: city.intervalMs,
    microgrids: city.microgrids.map((mg, i): MicrogridRecord => {
      const part = parts[i];
      if (part === undefined) throw new Error(`no outcome for microgrid ${mg.spec.name}`);
      const { simulated, outcome } = part;
      const settlements = new Map(outcome.settlements.map((s) => [s.interval, s]));
      const clearings = new Map(outcome.clearings.map((c) => [c.interval, c]));
      const mismatch = (k: number, what: string, chain: number, sim: number): GridLedgerError =>
        new GridLedgerError('SIM_CHAIN_MISMATCH', `microgrid "${mg.spec.name}", interval ${k}: ${what} is ${chain} Wh on the market's record, ${sim} Wh in the simulation`, {
          details: { microgrid: mg.spec.name, interval: k, what, chain, sim },
        });

      const intervals = simulated.map((sim): IntervalRecord => {
        const k = sim.interval;
        const s = settlements.get(k);
        if (s === undefined) throw new GridLedgerError('SIM_NOT_SETTLED', `microgrid "${mg.spec.name}": interval ${k} has no settlement`);
        let renewableWh = 0;
        let meteredNetUseWh = 0;
        for (const m of s.members) {
          renewableWh += m.renewableWh;
          meteredNetUseWh += m.consumedWh - m.producedWh + m.renewableWh;
        }
        if (renewableWh !== sim.pvWh + sim.windWh) throw mismatch(k, 'renewable production', renewableWh, sim.pvWh + sim.windWh);
        if (meteredNetUseWh !== sim.consumptionWh + sim.batteryAcWh) throw mismatch(k, 'load + battery energy', meteredNetUseWh, sim.consumptionWh + sim.batteryAcWh);
        if (s.lossesWh !== sim.lossesWh) throw mismatch(k, 'line losses', s.lossesWh, sim.lossesWh);
        const c = clearings.get(k);
        return {
          interval: k,
          startMs: sim.startMs,
          consumptionWh: meteredNetUseWh - sim.batteryAcWh,
          productionWh: { pv: renewableWh - sim.windWh, wind: sim.windWh },
          localTradedWh: s.tradedWh,
          pccImportWh: s.pcc.importWh,
          pccExportWh: s.pcc.exportWh,
          lossesWh: s.lossesWh,
          storageLossesWh: sim.storageLossesWh,
          storageDeltaWh: sim.storageDeltaWh,
          curtailedWh: c?.curtailedWh ?? 0,
          maxLineLoadingPct: sim.maxLineLoadingPct,
          priceUcPerKwh: c?.priceUcPerKwh ?? null,
        };
      });

      const totals = new Map(mg.members.map((m) => [m.id, { memberId: m.id, bus: m.bus, billUc: 0, mintedUc: 0, soldWh: 0, boughtWh: 0 } satisfies MemberRecord]));
      for (const s of outcome.settlements) {
        for (const m of s.members) {
          const t = totals.get(m.memberId);
          if (t === undefined) throw new GridLedgerError('SIM_CHAIN_MISMATCH', `microgrid "${mg.spec.name}": settlement of interval ${s.interval} names unknown member ${m.memberId}`);
          t.billUc += m.billUc;
          t.mintedUc += m.mintUc;
          t.soldWh += m.soldWh;
          t.boughtWh += m.boughtWh;
        }
      }
      return {
        name: mg.spec.name,
        intervals,
        members: [...totals.values()],
        chain: outcome.chain ?? { height: 0, blocks: 0, transactions: 0, meanFinalityMs: null, p50FinalityMs: null },
        mintedUc: outcome.mintedUc,
        treasuryUc: outcome.treasuryUc,
      };
    }),
  };
}
