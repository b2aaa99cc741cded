import { describe, expect, it } from 'vitest';
import { baseAnnualKwh, effectiveStartMinute, habitualRunWh, runCapacityWh, type ShiftableSpec, shiftableAnnualKwh } from './shiftable.ts';

// 2 kWh at 1 kW within 08:00-22:00, habitually started at 18:00
const heater: ShiftableSpec = { dailyWh: 2000, powerW: 1000, earliestMinute: 480, deadlineMinute: 1320, habitualStartMinute: 1080 };

/** The day's draws on 15-minute intervals from local midnight. */
const day = (spec: ShiftableSpec, minutes = 15): number[] => Array.from({ length: 1440 / minutes }, (_, k) => habitualRunWh(spec, k * minutes, minutes));

describe('a shiftable appliance without a market (the baseline)', () => {
  it('runs at full power from its habitual start until done: 250 Wh a quarter hour from 18:00 to 20:00', () => {
    const draws = day(heater);
    expect(draws.slice(72, 80)).toEqual(Array(8).fill(250));
    expect(draws.slice(0, 72).every((w) => w === 0)).toBe(true);
    expect(draws.slice(80).every((w) => w === 0)).toBe(true);
    expect(draws.reduce((s, w) => s + w, 0)).toBe(2000);
  });

  it('starts earlier when it would not be done by the deadline', () => {
    // habit 21:00, 2 h needed, deadline 22:00: it starts at 20:00
    const late = { ...heater, habitualStartMinute: 1260 };
    expect(effectiveStartMinute(late)).toBe(1200);
    const draws = day(late);
    expect(draws.slice(80, 88)).toEqual(Array(8).fill(250));
    expect(draws.reduce((s, w) => s + w, 0)).toBe(2000);
  });

  it('does exactly its daily energy when power and start do not fit the intervals', () => {
    // 1,900 Wh at 700 W from 17:05: 162.9 minutes, the first and last quarter hours partial
    const odd = { ...heater, dailyWh: 1900, powerW: 700, habitualStartMinute: 17 * 60 + 5 };
    const draws = day(odd);
    expect(draws.reduce((s, w) => s + w, 0)).toBe(1900);
    expect(draws[68]).toBe(116); // 10 minutes of 17:00-17:15 at 700 W
    expect(draws[69]).toBe(175);
    expect(Math.max(...draws)).toBeLessThanOrEqual(175);
    // hourly intervals, too
    expect(day(odd, 60).reduce((s, w) => s + w, 0)).toBe(1900);
  });

  it('is part of the annual consumption: the standard profile gets the rest', () => {
    expect(shiftableAnnualKwh(heater)).toBe(730);
    expect(baseAnnualKwh(3500, heater)).toBe(2770);
    expect(baseAnnualKwh(3500, undefined)).toBe(3500);
  });

  it('can draw only inside its window, at most its power', () => {
    expect(runCapacityWh(heater, 7 * 60, 8 * 60)).toBe(0);
    expect(runCapacityWh(heater, 7 * 60 + 45, 8 * 60 + 15)).toBe(250);
    expect(runCapacityWh(heater, 12 * 60, 12 * 60 + 15)).toBe(250);
    expect(runCapacityWh(heater, 21 * 60, 24 * 60)).toBe(1000);
  });
});
