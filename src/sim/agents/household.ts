/**
 * A household's trading agent: at gate closure of interval k it turns its forecast and its
 * battery into orders for k.
 *
 * - Its own battery first serves the household (self-consumption, behind the meter): it takes the
 *   forecast surplus and covers the forecast need, within its limits, as in the baseline.
 * - What is left of the forecast net becomes one firm order: an ask for the surplus, a bid for the
 *   need. Only a share of it (FIRM_SHARE) is offered: a kWh sold but not produced is bought back
 *   at retail, a kWh bought but not used is sold back at feed-in, so offering less than the
 *   forecast keeps forecast errors from costing more than trading gains. The untraded rest flows
 *   to or from the main grid anyway (firm).
 * - The battery's spare energy (what it holds beyond what the household habitually needs until
 *   the next morning, with a margin) is offered as a flexible ask where the local price is
 *   expected to be highest: at the top of the evening demand (spareOfferWh). It flows only if a
 *   neighbour buys it. The battery never sells what its owner will need, so the owner cannot end
 *   up importing at retail what it sold for less.
 * - A shiftable appliance (agents/shiftable.ts) runs on the household's own surplus first and
 *   bids flexibly for the rest in daylight; when it cannot wait, or its household has a battery,
 *   it runs firm, as part of the forecast consumption. It never bids beside an ask of its own
 *   household (the auction would match the household with itself).
 * - Limit prices follow the household's strategy inside the price band (pricing.ts).
 */
import { type BatteryController, selfConsumptionWh } from '../assets/batteryPolicy.ts';
import { batteryLimits, type BatteryState } from '../assets/battery.ts';
import type { IntervalEnergy } from '../assets/household.ts';
import { runCapacityWh } from '../assets/shiftable.ts';
import type { Rng } from '../random.ts';
import type { StrategySpec } from '../scenario.ts';
import { limitPrice, type PriceBand } from './pricing.ts';
import { type ApplianceInput, type AppliancePlan, NO_RUN, planAppliance, waitingBand } from './shiftable.ts';
import { waterLevel } from './waterLevel.ts';

/** Share of the forecast surplus or need offered firm. */
export const FIRM_SHARE = 0.8;
/** Orders below this are not worth a transaction. */
export const MIN_ORDER_WH = 20;
/** Spare battery energy is offered from this local time ... */
export const EVENING_MINUTE = 17 * 60;
/** ... until this one, when the household's PV is not expected to cover it again. */
export const MORNING_MINUTE = 8 * 60;
/**
 * How tightly spare energy is put on the top of the evening demand: the household offers its
 * habitual use above the level where that excess, summed to the morning, is this share of its
 * spare energy, scaled up to the spare (1 / PEAK_FOCUS is about the number of households one
 * battery's spare serves at the peak). Measured on the demo: 0.05 flattened the PCC import best
 * among 0.01, 0.02, 0.05, 0.1, 0.25, 0.5 and 1 (a smaller share puts too much on too few
 * intervals, a larger one spreads it into the night).
 */
export const PEAK_FOCUS = 0.05;
/** Reserve kept for the household's own night: its habitual use until the morning × this. */
export const RESERVE_SAFETY = 1.25;

export interface AgentOrder {
  side: 'ask' | 'bid';
  energyWh: number;
  priceUcPerKwh: number;
  flexible: boolean;
}

export interface HouseholdAgent {
  id: string;
  bus: number;
  strategy: StrategySpec;
  battery: BatteryController | undefined;
  /**
   * The household's habitual use per interval of the run and one day beyond, Wh (its standard
   * load profile without the day's noise: what it knows of itself, not the future).
   */
  habitualWh: Float64Array;
  rng: Rng;
}

export interface PlanInput {
  interval: number;
  intervalMinutes: number;
  forecast: IntervalEnergy;
  /** The battery's state expected at the start of the interval. */
  battery: BatteryState | undefined;
  /** Local minutes since midnight at the start of the interval. */
  localMinuteOfDay: number;
  /** The household's shiftable appliance, if it has one. */
  appliance?: ApplianceInput;
}

export interface HouseholdPlan {
  orders: AgentOrder[];
  /** What the appliance will draw firm, and what it bids for flexibly (one of the orders). */
  appliance: AppliancePlan;
}

/** Own battery use the agent plans from the forecast: AC Wh, positive = charge. */
export function ownBatteryPlanWh(agent: HouseholdAgent, state: BatteryState | undefined, forecastNetWh: number): number {
  if (agent.battery === undefined || state === undefined) return 0;
  return selfConsumptionWh(agent.battery, state, forecastNetWh);
}

/** Intervals from the start of this one to the next local `minute` (a full day if it is now). */
function intervalsUntil(minute: number, input: PlanInput): number {
  const ahead = (minute - input.localMinuteOfDay + 1440) % 1440;
  return Math.ceil((ahead === 0 ? 1440 : ahead) / input.intervalMinutes);
}

/** Stored energy above the SoC floor that the household will not need before the morning, as AC Wh. */
export function spareDischargeWh(agent: HouseholdAgent, state: BatteryState, input: PlanInput): number {
  const b = agent.battery;
  if (b === undefined) return 0;
  const intervals = intervalsUntil(MORNING_MINUTE, input);
  // What is left of the appliance's job today may run from the battery too.
  const a = input.appliance;
  const m = input.localMinuteOfDay;
  let needWh = a === undefined ? 0 : Math.min(a.remainingWh, runCapacityWh(a.spec, m, Math.min(1440, m + intervals * input.intervalMinutes)));
  const until = input.interval + intervals;
  for (let k = input.interval; k < until; k++) needWh += agent.habitualWh[k] ?? 0;
  const reserveStoredWh = (RESERVE_SAFETY * needWh * 1_000_000) / b.spec.dischargeEfficiencyPpm;
  const spareStoredWh = state.storedWh - b.spec.minSocWh - reserveStoredWh;
  if (spareStoredWh <= 0) return 0;
  return Math.floor((spareStoredWh * b.spec.dischargeEfficiencyPpm) / 1_000_000);
}

/**
 * What of the spare energy to offer now: nothing in the day (the PV refills the battery); from
 * the evening to the morning, as much as the household's habitual use rises above a water level
 * (waterLevel.ts), scaled by 1 / PEAK_FOCUS. Every household's demand follows the same standard
 * profile, so the microgrid's residual demand and with it the local clearing price peak where
 * the household's own profile peaks: the battery answers the expected price, selling at the top
 * and not into the night's valley. Re-planned each interval with what is still spare.
 */
export function spareOfferWh(agent: HouseholdAgent, spareWh: number, input: PlanInput): number {
  const m = input.localMinuteOfDay;
  if (spareWh <= 0 || (m >= MORNING_MINUTE && m < EVENING_MINUTE)) return 0;
  const until = input.interval + intervalsUntil(MORNING_MINUTE, input);
  const habitual: number[] = [];
  for (let k = input.interval; k < until; k++) habitual.push(agent.habitualWh[k] ?? 0);
  const level = waterLevel(habitual, PEAK_FOCUS * spareWh);
  return Math.min(spareWh, Math.floor(Math.max(0, (habitual[0] ?? 0) - level) / PEAK_FOCUS));
}

export function planOrders(agent: HouseholdAgent, input: PlanInput, band: PriceBand): HouseholdPlan {
  const orders: AgentOrder[] = [];
  const surplusWh = input.forecast.productionWh - input.forecast.consumptionWh;
  const appliance = input.appliance === undefined ? NO_RUN : planAppliance(input.appliance, input.localMinuteOfDay, input.intervalMinutes, surplusWh, agent.battery === undefined);
  const forecastNetWh = surplusWh - appliance.firmWh;
  const ownWh = ownBatteryPlanWh(agent, input.battery, forecastNetWh);
  const residualWh = forecastNetWh - ownWh;
  const firmWh = Math.floor(FIRM_SHARE * Math.abs(residualWh));
  if (firmWh >= MIN_ORDER_WH) {
    const side = residualWh > 0 ? 'ask' : 'bid';
    orders.push({ side, energyWh: firmWh, priceUcPerKwh: limitPrice(agent.strategy, side, band, agent.rng), flexible: false });
  }
  // Only a peak-shaving battery sells to the neighbours (batteryPolicy.ts).
  if (agent.battery !== undefined && input.battery !== undefined && agent.battery.policy === 'peak-shaving') {
    const limits = batteryLimits(agent.battery.spec, input.battery, input.intervalMinutes);
    // Power left after the household's own use (a charge plan leaves all of it for discharge).
    const headroomWh = limits.maxDischargeWh - Math.max(0, -ownWh);
    const spareWh = Math.min(spareOfferWh(agent, spareDischargeWh(agent, input.battery, input), input), headroomWh);
    if (spareWh >= MIN_ORDER_WH) orders.push({ side: 'ask', energyWh: spareWh, priceUcPerKwh: limitPrice(agent.strategy, 'ask', band, agent.rng), flexible: true });
  }
  if (appliance.flexibleWh < MIN_ORDER_WH || orders.some((o) => o.side === 'ask')) return { orders, appliance: { firmWh: appliance.firmWh, flexibleWh: 0 } };
  orders.push({ side: 'bid', energyWh: appliance.flexibleWh, priceUcPerKwh: limitPrice(agent.strategy, 'bid', waitingBand(band), agent.rng), flexible: true });
  return { orders, appliance };
}
