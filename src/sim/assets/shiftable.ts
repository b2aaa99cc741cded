/**
 * A shiftable appliance: a divisible load with storage of its own (a heat-pump water heater's
 * tank, an electric vehicle's battery), so when it draws does not matter to its owner as long as
 * its daily job is done. Each local day it needs `dailyWh` at up to `powerW`, inside the window
 * [earliestMinute, deadlineMinute) of local time. Its energy is part of the household's annual
 * consumption: the standard profile covers the rest (`baseAnnualKwh`).
 *
 * Without a price signal it runs like its owner's habit: at full power from the habitual start
 * (after work) until done, started earlier if it would not finish by the deadline
 * (`habitualRunWh`, the baseline). The trading agent moves it (agents/shiftable.ts).
 */

export interface ShiftableSpec {
  dailyWh: number;
  powerW: number;
  /** Local minutes since midnight: the window opens ... */
  earliestMinute: number;
  /** ... and the job must be done by this minute (earliestMinute < deadlineMinute ≤ 1440). */
  deadlineMinute: number;
  /** When its owner habitually starts it (inside the window). */
  habitualStartMinute: number;
}

export const DAYS_PER_YEAR = 365;

/** The appliance's yearly energy, kWh (its daily job every day). */
export function shiftableAnnualKwh(spec: ShiftableSpec): number {
  return (spec.dailyWh * DAYS_PER_YEAR) / 1000;
}

/** What the standard profile is scaled to: the household's annual consumption less the appliance's. */
export function baseAnnualKwh(annualKwh: number, spec: ShiftableSpec | undefined): number {
  return spec === undefined ? annualKwh : annualKwh - shiftableAnnualKwh(spec);
}

/** Whole minutes the appliance needs at full power for its daily job. */
export function fullPowerMinutes(spec: ShiftableSpec): number {
  return Math.ceil((spec.dailyWh * 60) / spec.powerW);
}

/** The habitual start moved earlier where needed so that the job is done by the deadline. */
export function effectiveStartMinute(spec: ShiftableSpec): number {
  return Math.max(spec.earliestMinute, Math.min(spec.habitualStartMinute, spec.deadlineMinute - fullPowerMinutes(spec)));
}

/** Most energy the appliance can draw between two local minutes of one day, within its window. */
export function runCapacityWh(spec: ShiftableSpec, fromMinute: number, toMinute: number): number {
  const minutes = Math.min(toMinute, spec.deadlineMinute) - Math.max(fromMinute, spec.earliestMinute);
  return minutes > 0 ? Math.floor((spec.powerW * minutes) / 60) : 0;
}

/** Energy of the habitual run done by local minute t of the day: rounded down, exactly dailyWh at the end. */
function habitualDoneWh(spec: ShiftableSpec, t: number): number {
  const start = effectiveStartMinute(spec);
  return Math.min(spec.dailyWh, Math.max(0, Math.floor((spec.powerW * (t - start)) / 60)));
}

/**
 * The baseline's draw in the interval starting at local minute `minuteOfDay`: the habitual run's
 * progress over the interval, so the intervals of a day add up to exactly dailyWh.
 */
export function habitualRunWh(spec: ShiftableSpec, minuteOfDay: number, intervalMinutes: number): number {
  return habitualDoneWh(spec, Math.min(1440, minuteOfDay + intervalMinutes)) - habitualDoneWh(spec, minuteOfDay);
}
