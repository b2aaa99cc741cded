/**
 * The no-trading baseline: the same city, the same weather and loads, no market and no chain.
 * Every battery runs a plain self-consumption controller on what its household actually produces
 * and uses (charge from the surplus, discharge to cover the need, in real time), a shiftable
 * appliance runs at its owner's habitual time (assets/shiftable.ts), and every member
 * settles its metered net energy with the main grid, interval by interval: imports at the retail
 * price, exports at the feed-in price (the settlement of a member without trades).
 */
import { energyValueUc } from '../../market/money.ts';
import { selfConsumptionWh } from '../assets/batteryPolicy.ts';
import { stepBattery, type BatteryState } from '../assets/battery.ts';
import type { Scenario } from '../scenario.ts';
import type { IntervalRecord, MemberRecord, MicrogridRecord, RunRecords } from '../report/types.ts';
import type { City, CityMember, CityMicrogrid } from './city.ts';
import { type MemberFlow, netWithdrawalWh, simulateGridInterval } from './physics.ts';

/** µc a member pays (positive) or earns (negative) for a metered net withdrawal with the main grid. */
export function mainGridBillUc(prices: Scenario['prices'], netWithdrawalWh: number): number {
  return netWithdrawalWh >= 0 ? energyValueUc(prices.retailUcPerKwh, netWithdrawalWh) : -energyValueUc(prices.feedInUcPerKwh, -netWithdrawalWh);
}

/** Initial state of every battery: half of its usable window (the same in both runs). */
export function initialBatteryState(m: CityMember): BatteryState | undefined {
  if (m.battery === undefined) return undefined;
  const { minSocWh, maxSocWh } = m.battery.spec;
  return { storedWh: minSocWh + Math.floor((maxSocWh - minSocWh) / 2) };
}

/** A run that advances one interval at a time (all microgrids together) and reports what it has done. */
export interface SteppedRun {
  /** Simulates interval k; intervals must come in order from 0. */
  step(k: number): Promise<void> | void;
  /** Records of the intervals completed so far. */
  records(): RunRecords | Promise<RunRecords>;
}

interface MicrogridState {
  mg: CityMicrogrid;
  batteries: Array<BatteryState | undefined>;
  bills: number[];
  intervals: IntervalRecord[];
}

export function createBaselineRun(city: City): SteppedRun {
  const prices = city.scenario.prices;
  const states: MicrogridState[] = city.microgrids.map((mg) => ({
    mg,
    batteries: mg.members.map(initialBatteryState),
    bills: mg.members.map(() => 0),
    intervals: [],
  }));
  let next = 0;

  return {
    step(k) {
      if (k !== next) throw new Error(`baseline: interval ${k} out of order (expected ${next})`);
      next++;
      for (const s of states) {
        const flows = s.mg.members.map((m, i): MemberFlow => {
          const { actual } = m.household.interval(k);
          const windWh = m.windWh[k] ?? 0;
          const flow: MemberFlow = {
            bus: m.bus,
            pvWh: actual.productionWh - windWh,
            windWh,
            consumptionWh: actual.consumptionWh + (m.shiftable?.habitualRunWh[k] ?? 0),
            batteryAcWh: 0,
            batteryLossWh: 0,
            batteryDeltaWh: 0,
          };
          const state = s.batteries[i];
          if (m.battery !== undefined && state !== undefined) {
            const r = stepBattery(m.battery.spec, state, selfConsumptionWh(m.battery, state, flow.pvWh + flow.windWh - flow.consumptionWh), city.grid.intervalMinutes);
            s.batteries[i] = r.state;
            flow.batteryAcWh = r.actualWh;
            flow.batteryLossWh = r.lossWh;
            flow.batteryDeltaWh = r.state.storedWh - state.storedWh;
          }
          s.bills[i] = (s.bills[i] ?? 0) + mainGridBillUc(prices, netWithdrawalWh(flow));
          return flow;
        });
        const g = simulateGridInterval(s.mg.feeder.model, flows, city.grid.intervalMinutes);
        s.intervals.push({
          interval: k,
          startMs: city.grid.startMs + k * city.intervalMs,
          consumptionWh: g.consumptionWh,
          productionWh: { pv: g.pvWh, wind: g.windWh },
          localTradedWh: 0,
          pccImportWh: g.pccImportWh,
          pccExportWh: g.pccExportWh,
          lossesWh: g.lossesWh,
          storageLossesWh: g.storageLossesWh,
          storageDeltaWh: g.storageDeltaWh,
          curtailedWh: 0,
          maxLineLoadingPct: g.maxLineLoadingPct,
          priceUcPerKwh: null,
        });
      }
    },
    records() {
      return {
        intervalMs: city.intervalMs,
        microgrids: states.map(
          (s): MicrogridRecord => ({
            name: s.mg.spec.name,
            intervals: [...s.intervals],
            members: s.mg.members.map((m, i): MemberRecord => ({ memberId: m.id, bus: m.bus, billUc: s.bills[i] ?? 0, mintedUc: 0, soldWh: 0, boughtWh: 0 })),
            chain: null,
            mintedUc: 0,
            treasuryUc: 0,
          }),
        ),
      };
    },
  };
}

