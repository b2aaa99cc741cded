/**
 * The trading run: per microgrid, the households' agents trade through the microgrid's market
 * (its chain, or the labelled off-chain interim), and the simulator plays the physics in between.
 *
 * Per interval k, in the order things happen in time:
 *   1. every agent places its orders for k (before k's gate closure), from its forecast and its
 *      battery's state at the start of k;
 *   2. the market clears k at gate closure (contracts, auction, grid check);
 *   3. k happens: each shiftable appliance draws what it planned firm plus what its flexible bid
 *      bought; each battery steers its meter to what its household traded (so a flexible
 *      sale is delivered and a firm trade's forecast error absorbed where the battery can) and
 *      otherwise serves the household (self-consumption on what is actually produced and used,
 *      the appliance's draw included: what it bought is consumed, not stored);
 *      the feeder's AC power flow gives losses and the PCC exchange (physics.ts);
 *   4. after k ends the meters send readings (produced, consumed, renewable) and the operator's
 *      PCC meter its import and export; at the reading deadline k settles.
 * Step 1 of k + 1 and step 4 of k − r share one batch of transactions just before k + 1's gate
 * closure, and k − r settles there (timing.ts: r = 2 for 15-minute intervals with a 5-minute lead).
 *
 * Simplification: an agent plans k + 1 with its battery's state at the start of k + 1 (the
 * simulator has played k by then), so it knows its own battery's plan 5 minutes early; its
 * production and load forecasts are the ones for gate closure (see profiles/), never the weather.
 */
import type { BatteryState } from '../assets/battery.ts';
import { stepBattery } from '../assets/battery.ts';
import { planContracts } from '../agents/contracts.ts';
import { type HouseholdAgent, type PlanInput, planOrders } from '../agents/household.ts';
import type { PriceBand } from '../agents/pricing.ts';
import { type AppliancePlan, NO_RUN } from '../agents/shiftable.ts';
import type { ShiftableSpec } from '../assets/shiftable.ts';
import { solarPosition } from '../profiles/solar.ts';
import { createRng } from '../random.ts';
import type { RunRecords } from '../report/types.ts';
import { initialBatteryState } from './baseline.ts';
import type { City, CityMicrogrid } from './city.ts';
import type { ClearingOutcome, IntervalReadings, MarketBackend, MemberOrder, MeterReading, SubmitBatch } from './market/backend.ts';
import { type MemberFlow, simulateGridInterval } from './physics.ts';
import { type SimulatedInterval, tradingRecords } from './records.ts';
import { readingLagIntervals } from './timing.ts';

export interface TradingRun {
  /** Opens the standing contracts (before the first gate closure). */
  start(): Promise<void>;
  step(k: number): Promise<void>;
  /** Reads, settles and reports the intervals stepped so far. */
  finish(): Promise<RunRecords>;
  close(): Promise<void>;
}

/** A shiftable appliance's day so far, and its plan for the interval planned last. */
interface ApplianceState {
  spec: ShiftableSpec;
  day: number;
  remainingWh: number;
  plan: AppliancePlan;
}

interface MicrogridRun {
  mg: CityMicrogrid;
  backend: MarketBackend;
  agents: HouseholdAgent[];
  batteries: Array<BatteryState | undefined>;
  appliances: Array<ApplianceState | undefined>;
  simulated: SimulatedInterval[];
  /** Readings of simulated intervals not yet sent, oldest first. */
  pending: IntervalReadings[];
}

export function createTradingRun(city: City, backends: readonly MarketBackend[], band: PriceBand | null): TradingRun {
  const { grid, scenario } = city;
  const root = createRng(scenario.seed);
  const runs: MicrogridRun[] = city.microgrids.map((mg, i) => {
    const backend = backends[i];
    if (backend === undefined) throw new Error(`no market for microgrid ${mg.spec.name}`);
    const rng = root.fork(`microgrid:${mg.spec.name}`);
    const agents = mg.members.map(
      (m): HouseholdAgent => ({
        id: m.id,
        bus: m.bus,
        strategy: scenario.strategies[m.household.config.strategy] ?? { kind: 'truthful' },
        battery: m.battery,
        habitualWh: m.habitualWh,
        rng: rng.fork(`agent:${m.id}`),
      }),
    );
    const appliances = mg.members.map((m): ApplianceState | undefined => (m.shiftable === undefined ? undefined : { spec: m.shiftable.spec, day: -1, remainingWh: 0, plan: NO_RUN }));
    return { mg, backend, agents, batteries: mg.members.map(initialBatteryState), appliances, simulated: [], pending: [] };
  });
  let next = 0;
  const total = grid.count;
  const readingLag = readingLagIntervals(grid.intervalMinutes, scenario.gateClosureLeadMinutes);

  /** The sun is up at the middle of interval k (the appliances bid for daylight surplus only). */
  function daylight(k: number): boolean {
    return solarPosition(grid.startMs + (k + 0.5) * city.intervalMs, scenario.location.latitudeDeg, scenario.location.longitudeDeg).elevationDeg > 0;
  }

  function planInterval(run: MicrogridRun, k: number): MemberOrder[] {
    const orders: MemberOrder[] = [];
    const localMinute = city.localMinuteOfDay[k] ?? 0;
    const sunUp = daylight(k);
    run.mg.members.forEach((m, i) => {
      const a = run.appliances[i];
      if (a !== undefined && a.day !== city.localDay[k]) {
        a.day = city.localDay[k] ?? 0;
        a.remainingWh = a.spec.dailyWh;
      }
      // Without a price band nobody trades: the appliance runs as in the baseline.
      if (band === null) {
        if (a !== undefined) a.plan = { firmWh: m.shiftable?.habitualRunWh[k] ?? 0, flexibleWh: 0 };
        return;
      }
      const agent = run.agents[i] as HouseholdAgent;
      const input: PlanInput = { interval: k, intervalMinutes: grid.intervalMinutes, forecast: m.household.interval(k).forecast, battery: run.batteries[i], localMinuteOfDay: localMinute };
      if (a !== undefined) input.appliance = { spec: a.spec, remainingWh: a.remainingWh, daylight: sunUp };
      const plan = planOrders(agent, input, band);
      if (a !== undefined) a.plan = plan.appliance;
      for (const order of plan.orders) orders.push({ memberId: m.id, order });
    });
    return orders;
  }

  /** Interval k happens: batteries and meters, then the feeder's power flow; returns the readings. */
  function simulate(run: MicrogridRun, k: number, cleared: ClearingOutcome): IntervalReadings {
    const members: MeterReading[] = [];
    const flows = run.mg.members.map((m, i): MemberFlow => {
      const { actual } = m.household.interval(k);
      const windWh = m.windWh[k] ?? 0;
      // The appliance: its firm plan, and its flexible bid as far as it was matched.
      const a = run.appliances[i];
      let applianceWh = 0;
      if (a !== undefined) {
        applianceWh = a.plan.firmWh + Math.min(a.plan.flexibleWh, cleared.flexibleBoughtWh.get(m.id) ?? 0);
        a.remainingWh -= applianceWh;
        a.plan = NO_RUN;
      }
      const consumptionWh = actual.consumptionWh + applianceWh;
      const flow: MemberFlow = { bus: m.bus, pvWh: actual.productionWh - windWh, windWh, consumptionWh, batteryAcWh: 0, batteryLossWh: 0, batteryDeltaWh: 0 };
      const state = run.batteries[i];
      if (m.battery !== undefined && state !== undefined) {
        // The battery steers the meter to what the household traded (sold − bought): it charges
        // what is left beyond that and covers what is missing, so trades are honoured first and
        // the rest is self-consumption, as in the baseline when nothing traded.
        const tradedNetWh = cleared.tradedNetWh.get(m.id) ?? 0;
        const r = stepBattery(m.battery.spec, state, actual.productionWh - consumptionWh - tradedNetWh, grid.intervalMinutes);
        run.batteries[i] = r.state;
        flow.batteryAcWh = r.actualWh;
        flow.batteryLossWh = r.lossWh;
        flow.batteryDeltaWh = r.state.storedWh - state.storedWh;
      }
      members.push({
        memberId: m.id,
        producedWh: actual.productionWh + Math.max(0, -flow.batteryAcWh),
        consumedWh: consumptionWh + Math.max(0, flow.batteryAcWh),
        renewableWh: actual.productionWh,
      });
      return flow;
    });
    const g = simulateGridInterval(run.mg.feeder.model, flows, grid.intervalMinutes);
    run.simulated.push({
      interval: k,
      startMs: grid.startMs + k * city.intervalMs,
      pvWh: g.pvWh,
      windWh: g.windWh,
      consumptionWh: g.consumptionWh,
      batteryAcWh: g.storageDeltaWh + g.storageLossesWh,
      storageLossesWh: g.storageLossesWh,
      storageDeltaWh: g.storageDeltaWh,
      lossesWh: g.lossesWh,
      maxLineLoadingPct: g.maxLineLoadingPct,
    });
    return { interval: k, members, pcc: { importWh: g.pccImportWh, exportWh: g.pccExportWh } };
  }

  async function stepMicrogrid(run: MicrogridRun, k: number): Promise<void> {
    const cleared = await run.backend.clear(k);
    run.pending.push(simulate(run, k, cleared));
    // The orders of k + 1 (planned from the battery's state at the start of k + 1) go in with the
    // readings of k − r, which then settles at k + 1's gate closure (timing.ts).
    const batch: SubmitBatch = {};
    if (k + 1 < total) batch.orders = { interval: k + 1, orders: planInterval(run, k + 1) };
    const due = run.pending[0];
    if (due !== undefined && due.interval <= k - readingLag) {
      run.pending.shift();
      batch.readings = due;
    }
    await run.backend.submit(batch);
    if (batch.readings !== undefined) await run.backend.settle(batch.readings.interval);
  }

  /** The readings still held back go in one interval at a time, each settling at its deadline. */
  async function flush(run: MicrogridRun): Promise<void> {
    for (let r = run.pending.shift(); r !== undefined; r = run.pending.shift()) {
      await run.backend.submit({ readings: r });
      await run.backend.settle(r.interval);
    }
  }

  return {
    async start() {
      if (band === null) {
        if (total > 0) for (const run of runs) planInterval(run, 0);
        return;
      }
      await Promise.all(
        runs.map((run) => {
          const rng = root.fork(`microgrid:${run.mg.spec.name}`).fork('contracts');
          const candidates = run.mg.members.map((m) => ({
            id: m.id,
            hasPv: m.household.config.pv !== undefined,
            hasBattery: m.battery !== undefined,
            meanConsumptionWh: (m.household.config.annualConsumptionKwh * 1000 * grid.intervalMinutes) / (365 * 24 * 60),
          }));
          return run.backend.openContracts(planContracts(candidates, band, rng));
        }),
      );
      if (total > 0) await Promise.all(runs.map((run) => run.backend.submit({ orders: { interval: 0, orders: planInterval(run, 0) } })));
    },
    async step(k) {
      if (k !== next) throw new Error(`trading: interval ${k} out of order (expected ${next})`);
      next++;
      // Microgrids are independent chains: they advance side by side.
      await Promise.all(runs.map((run) => stepMicrogrid(run, k)));
    },
    async finish() {
      await Promise.all(runs.map((run) => flush(run)));
      const parts = await Promise.all(runs.map(async (run) => ({ simulated: run.simulated, outcome: await run.backend.outcome(next) })));
      return tradingRecords(city, parts);
    },
    async close() {
      await Promise.all(runs.map((run) => run.backend.close()));
    },
  };
}
