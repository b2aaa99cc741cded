import { describe, expect, it } from 'vitest';
import { easterSunday, germanHolidays, localTime, utcOffsetAt } from './time.ts';

const CET = { utcOffsetMinutes: 60, daylightSaving: 'eu' as const };

describe('local time', () => {
  it('switches to summer time at 01:00 UTC on the last Sunday of March and back in October', () => {
    expect(utcOffsetAt(Date.UTC(2025, 2, 30, 0, 59), CET)).toBe(60);
    expect(utcOffsetAt(Date.UTC(2025, 2, 30, 1, 0), CET)).toBe(120);
    expect(utcOffsetAt(Date.UTC(2025, 9, 26, 0, 59), CET)).toBe(120);
    expect(utcOffsetAt(Date.UTC(2025, 9, 26, 1, 0), CET)).toBe(60);
    expect(utcOffsetAt(Date.UTC(2025, 6, 1), { utcOffsetMinutes: 60, daylightSaving: 'none' })).toBe(60);
  });

  it('gives the civil date, weekday and minute of day', () => {
    // 2025-05-19T22:30Z is Tuesday 2025-05-20 00:30 in Berlin (CEST).
    const t = localTime(Date.UTC(2025, 4, 19, 22, 30), CET);
    expect(t).toMatchObject({ year: 2025, month: 5, day: 20, weekday: 2, minuteOfDay: 30 });
    expect(t.dayOfYear).toBe(31 + 28 + 31 + 30 + 20);
    // New Year's Eve 23:30 UTC is already 00:30 on 1 January in CET.
    expect(localTime(Date.UTC(2024, 11, 31, 23, 30), CET)).toMatchObject({ year: 2025, month: 1, day: 1, dayOfYear: 1 });
  });
});

describe('holidays', () => {
  it('finds Easter Sunday', () => {
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2038)).toEqual([4, 25]);
  });

  it("lists Germany's nationwide holidays, movable ones included", () => {
    const h = germanHolidays(2025);
    for (const d of ['01-01', '04-18', '04-21', '05-01', '05-29', '06-09', '10-03', '12-25', '12-26']) expect(h.has(d)).toBe(true);
    expect(h.size).toBe(9);
    expect(h.has('04-20')).toBe(false);
  });
});
