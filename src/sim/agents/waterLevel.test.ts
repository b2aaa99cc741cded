import { describe, expect, it } from 'vitest';
import { waterLevel } from './waterLevel.ts';

describe('waterLevel', () => {
  it('finds the level whose excess is the amount (hand-worked)', () => {
    // 10, 6, 4: level 5 leaves 5 + 1 = 6 above it
    expect(waterLevel([4, 10, 6], 6)).toBe(5);
    // level 8 leaves only the 10's 2
    expect(waterLevel([4, 10, 6], 2)).toBe(8);
    // level 3 leaves 7 + 3 + 1 = 11
    expect(waterLevel([4, 10, 6], 11)).toBe(3);
  });

  it('is the top for nothing, and 0 when the whole curve is less than the amount', () => {
    expect(waterLevel([4, 10, 6], 0)).toBe(10);
    expect(waterLevel([4, 10, 6], 20)).toBe(0);
    expect(waterLevel([-3, 0], 1)).toBe(0);
  });

  it('refuses a negative amount', () => {
    expect(() => waterLevel([1], -1)).toThrow(RangeError);
  });
});
