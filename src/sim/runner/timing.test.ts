import { describe, expect, it } from 'vitest';
import { readingLagIntervals, readingWindowMinutes } from './timing.ts';

describe('when readings go in', () => {
  it('two intervals later with 15-minute intervals and a 5-minute lead; the window ends at the next gate closure', () => {
    expect(readingLagIntervals(15, 5)).toBe(2);
    // k ends at start(k+1); k + 2 + 1 = k + 3's gate closure is 25 minutes later
    expect(readingWindowMinutes(15, 5)).toBe(25);
  });

  it('follows the lead: none, longer than an interval', () => {
    expect(readingLagIntervals(15, 0)).toBe(1);
    expect(readingWindowMinutes(15, 0)).toBe(15);
    expect(readingLagIntervals(15, 20)).toBe(3);
    expect(readingWindowMinutes(15, 20)).toBe(25);
    expect(readingLagIntervals(60, 5)).toBe(2);
  });
});
