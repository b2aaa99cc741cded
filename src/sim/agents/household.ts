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
 *   the next morning, with a margin) is offered as a flexible ask, spread over the evening peak
 *   and then at night: it flows only if a neighbour buys it. The battery never sells what its
 *   owner will need, so the owner cannot end up importing at retail what it sold for less.
 * - Limit prices follow the household's strategy inside the price band (pricing.ts).
 */
import type { BatteryController } from '../assets/battery-policy.ts';
import { batteryLimits, type BatteryState } from '../assets/battery.ts';
import type { IntervalEnergy } from '../assets/household.ts';
import type { Rng } from '../random.ts';
import type { StrategySpec } from '../scenario.ts';
import { limitPrice, type PriceBand } from './pricing.ts';

/** Share of the forecast surplus or need offered firm. */
export const FIRM_SHARE = 0.8;
/** Orders below this are not worth a transaction. */
export const MIN_ORDER_WH = 20;
/** Spare battery energy is offered over the evening peak, from this local time ... */
export const PEAK_FROM_MINUTE = 17 * 60;
/** ... to this one, spread evenly over the intervals left; after it, what is left at once. */
export const PEAK_TO_MINUTE = 23 * 60;
/** Until this local time the household's PV is not expected to cover it again. */
export const MORNING_MINUTE = 8 * 60;
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
}

/** Own battery use the agent plans from the forecast: AC Wh, positive = charge. */
export function ownBatteryPlanWh(agent: HouseholdAgent, state: BatteryState | undefined, forecastNetWh: number, intervalMinutes: number): number {
  if (agent.battery === undefined || state === undefined) return 0;
  const limits = batteryLimits(agent.battery.spec, state, intervalMinutes);
  return forecastNetWh >= 0 ? Math.min(forecastNetWh, limits.maxChargeWh) : -Math.min(-forecastNetWh, limits.maxDischargeWh);
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
  let needWh = 0;
  const until = input.interval + intervalsUntil(MORNING_MINUTE, input);
  for (let k = input.interval; k < until; k++) needWh += agent.habitualWh[k] ?? 0;
  const reserveStoredWh = (RESERVE_SAFETY * needWh * 1_000_000) / b.spec.dischargeEfficiencyPpm;
  const spareStoredWh = state.storedWh - b.spec.minSocWh - reserveStoredWh;
  if (spareStoredWh <= 0) return 0;
  return Math.floor((spareStoredWh * b.spec.dischargeEfficiencyPpm) / 1_000_000);
}

/**
 * What of the spare energy to offer now: nothing in the day (the PV refills the battery), an even
 * share of it per interval over the evening peak (so it meets the neighbours' highest demand rather
 * than the first), all of it after the peak and at night.
 */
export function spareOfferWh(spareWh: number, input: PlanInput): number {
  const m = input.localMinuteOfDay;
  if (m >= MORNING_MINUTE && m < PEAK_FROM_MINUTE) return 0;
  if (m >= PEAK_FROM_MINUTE && m < PEAK_TO_MINUTE) return Math.floor(spareWh / intervalsUntil(PEAK_TO_MINUTE, input));
  return spareWh;
}

export function planOrders(agent: HouseholdAgent, input: PlanInput, band: PriceBand): AgentOrder[] {
  const orders: AgentOrder[] = [];
  const forecastNetWh = input.forecast.productionWh - input.forecast.consumptionWh;
  const ownWh = ownBatteryPlanWh(agent, input.battery, forecastNetWh, input.intervalMinutes);
  const residualWh = forecastNetWh - ownWh;
  const firmWh = Math.floor(FIRM_SHARE * Math.abs(residualWh));
  if (firmWh >= MIN_ORDER_WH) {
    const side = residualWh > 0 ? 'ask' : 'bid';
    orders.push({ side, energyWh: firmWh, priceUcPerKwh: limitPrice(agent.strategy, side, band, agent.rng), flexible: false });
  }
  if (agent.battery !== undefined && input.battery !== undefined) {
    const limits = batteryLimits(agent.battery.spec, input.battery, input.intervalMinutes);
    // Power left after the household's own use (a charge plan leaves all of it for discharge).
    const headroomWh = limits.maxDischargeWh - Math.max(0, -ownWh);
    const spareWh = Math.min(spareOfferWh(spareDischargeWh(agent, input.battery, input), input), headroomWh);
    if (spareWh >= MIN_ORDER_WH) orders.push({ side: 'ask', energyWh: spareWh, priceUcPerKwh: limitPrice(agent.strategy, 'ask', band, agent.rng), flexible: true });
  }
  return orders;
}
