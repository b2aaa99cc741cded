/**
 * How a household agent runs its shiftable appliance (assets/shiftable.ts) in the market, per
 * interval of the appliance's window, from what is left of the day's job:
 *
 * - when the job can no longer wait (the habitual start has come, or what is left needs full
 *   power from now to the deadline), the appliance runs at full power, firm: it is part of the
 *   household's forecast consumption. So the job is always done by the deadline, and what the
 *   market did not serve runs when it would have run without a market;
 * - before that, in daylight, it first takes the household's own forecast surplus (free, behind
 *   the meter), and bids for the rest of what it could draw as a FLEXIBLE bid: it runs only as
 *   far as it is matched, i.e. when neighbours offer surplus cheaply enough.
 *
 * A household with a battery does not shift its appliance: the battery already carries its
 * midday PV into the evening, so running the appliance at midday would only swap a kWh its battery
 * delivers anyway for one it would have exported, and buying for it would cost what the battery
 * gives for free. Its appliance runs at the habitual time, served by the battery.
 *
 * The flexible bid prices in the lower half of the band (`waitingBand`): an appliance that can
 * wait pays less than a household that needs the energy now, so in the merit order the firm bids
 * are served first and the appliance takes only what would otherwise be exported.
 */
import { effectiveStartMinute, habitualRunWh, runCapacityWh, type ShiftableSpec } from '../assets/shiftable.ts';
import type { PriceBand } from './pricing.ts';

export interface ApplianceInput {
  spec: ShiftableSpec;
  /** Of today's job, Wh. */
  remainingWh: number;
  /** The sun is up at the middle of the interval. */
  daylight: boolean;
}

export interface AppliancePlan {
  /** Runs whatever the market does (own surplus, or a job that cannot wait), Wh. */
  firmWh: number;
  /** Offered as a flexible bid: runs as far as it is matched, Wh. */
  flexibleWh: number;
}

export const NO_RUN: AppliancePlan = { firmWh: 0, flexibleWh: 0 };

/** The band an appliance that can wait bids in: from the floor to the band's middle. */
export function waitingBand(band: PriceBand): PriceBand {
  return { askFloorUcPerKwh: band.askFloorUcPerKwh, bidCapUcPerKwh: band.askFloorUcPerKwh + Math.floor((band.bidCapUcPerKwh - band.askFloorUcPerKwh) / 2) };
}

/**
 * The appliance's plan for the interval [minuteOfDay, + intervalMinutes) of local time, given the
 * household's forecast surplus (production − consumption) in it; `shifts` is false for a
 * household with a battery (the appliance keeps to its habit).
 */
export function planAppliance(a: ApplianceInput, minuteOfDay: number, intervalMinutes: number, forecastSurplusWh: number, shifts: boolean): AppliancePlan {
  const { spec, remainingWh } = a;
  if (!shifts) return { firmWh: Math.min(remainingWh, habitualRunWh(spec, minuteOfDay, intervalMinutes)), flexibleWh: 0 };
  const end = minuteOfDay + intervalMinutes;
  const capacityWh = Math.min(remainingWh, runCapacityWh(spec, minuteOfDay, end));
  if (capacityWh <= 0) return NO_RUN;
  const cannotWait = minuteOfDay >= effectiveStartMinute(spec) || remainingWh > runCapacityWh(spec, end, spec.deadlineMinute);
  if (cannotWait) return { firmWh: capacityWh, flexibleWh: 0 };
  if (!a.daylight) return NO_RUN;
  const ownWh = Math.min(capacityWh, Math.max(0, forecastSurplusWh));
  return { firmWh: ownWh, flexibleWh: capacityWh - ownWh };
}
