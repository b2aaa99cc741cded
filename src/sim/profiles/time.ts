/**
 * The simulation's time grid and the local civil time that household behaviour follows.
 * Time is integer ms since the epoch (UTC); local time is a fixed standard offset plus, where
 * chosen, the EU summer-time rule (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC).
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** `count` intervals of `intervalMinutes`, the first starting at `startMs`. */
export interface TimeGrid {
  startMs: number;
  intervalMinutes: number;
  count: number;
}

export interface LocalTimeRule {
  /** Standard-time offset from UTC in minutes (CET: 60). */
  utcOffsetMinutes: number;
  /** 'eu': one hour more from the last Sunday of March to the last Sunday of October (01:00 UTC). */
  daylightSaving: 'eu' | 'none';
}

export interface LocalTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
  /** 1..366 */
  dayOfYear: number;
  /** Minutes since local midnight, 0..1439 (fractional if the instant is). */
  minuteOfDay: number;
}

export function intervalStartMs(grid: TimeGrid, k: number): number {
  return grid.startMs + k * grid.intervalMinutes * MS_PER_MINUTE;
}

/** Day of year (1..366) of a UTC instant. */
export function dayOfYearUtc(ms: number): number {
  const d = new Date(ms);
  return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1;
}

/** 00:00 UTC of the last Sunday of a month (0-based month). */
function lastSundayUtc(year: number, month0: number): number {
  const lastDay = new Date(Date.UTC(year, month0 + 1, 0));
  return Date.UTC(year, month0, lastDay.getUTCDate() - lastDay.getUTCDay());
}

const HOUR_MS = 3_600_000;

/** Offset of local time from UTC at an instant, in minutes. */
export function utcOffsetAt(ms: number, rule: LocalTimeRule): number {
  if (rule.daylightSaving === 'none') return rule.utcOffsetMinutes;
  const year = new Date(ms).getUTCFullYear();
  const summerStart = lastSundayUtc(year, 2) + HOUR_MS;
  const summerEnd = lastSundayUtc(year, 9) + HOUR_MS;
  return ms >= summerStart && ms < summerEnd ? rule.utcOffsetMinutes + 60 : rule.utcOffsetMinutes;
}

/** Civil date and time at an instant under a local-time rule. */
export function localTime(ms: number, rule: LocalTimeRule): LocalTime {
  const localMs = ms + utcOffsetAt(ms, rule) * MS_PER_MINUTE;
  const d = new Date(localMs);
  const year = d.getUTCFullYear();
  const midnight = Date.UTC(year, d.getUTCMonth(), d.getUTCDate());
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    dayOfYear: Math.floor((midnight - Date.UTC(year, 0, 1)) / MS_PER_DAY) + 1,
    minuteOfDay: (localMs - midnight) / MS_PER_MINUTE,
  };
}

/** Easter Sunday (Gregorian, anonymous algorithm) as [month 1..12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/**
 * Germany's nationwide public holidays of a year as 'MM-DD' keys: New Year, Good Friday, Easter
 * Monday, Labour Day, Ascension, Whit Monday, German Unity Day, Christmas Day and Boxing Day.
 */
export function germanHolidays(year: number): Set<string> {
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const key = (ms: number): string => {
    const d = new Date(ms);
    return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  };
  const movable = [-2, 1, 39, 50].map((days) => key(easter + days * MS_PER_DAY));
  return new Set(['01-01', '05-01', '10-03', '12-25', '12-26', ...movable]);
}
