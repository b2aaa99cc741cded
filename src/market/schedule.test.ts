import { describe, expect, it } from 'vitest';
import { energyValueUc } from './money.ts';
import { energyToPowerW, firmEnergy, flexibleEnergy } from './schedule.ts';
import { runDoubleAuction } from './auction.ts';
import { order } from './testkit.ts';

describe('schedule', () => {
  it('puts every firm order in full and only the traded part of flexible ones', () => {
    const orders = [
      order('ask', 'pv', 3000, 100, { bus: 2 }), // firm, 1000 Wh untraded: still injects 3000
      order('ask', 'bat', 2000, 150, { bus: 4, flexible: true }), // flexible, trades 1000 of 2000
      order('bid', 'ev', 4000, 400, { bus: 5, flexible: true }), // flexible, trades all 4000
      order('bid', 'house', 500, 50, { bus: 6 }), // firm, untraded: still withdraws 500
    ];
    const { trades } = runDoubleAuction(orders, orders.map((o) => o.energyWh));
    expect(trades.map((t) => [t.ask, t.bid, t.energyWh])).toEqual([
      ['pv', 'ev', 3000],
      ['bat', 'ev', 1000],
    ]);
    expect(firmEnergy(orders, [])).toEqual([
      { bus: 2, energyWh: 3000 },
      { bus: 6, energyWh: -500 },
    ]);
    expect(flexibleEnergy(trades)).toEqual([
      { bus: 4, energyWh: 1000 },
      { bus: 5, energyWh: -4000 },
    ]);
  });

  it('converts Wh per interval to W, rounding the magnitude up', () => {
    expect(energyToPowerW(1000, 15)).toBe(4000);
    expect(energyToPowerW(1001, 15)).toBe(4004);
    expect(energyToPowerW(1, 7)).toBe(9); // 60/7 = 8.57
    expect(energyToPowerW(-1, 7)).toBe(-9);
    expect(energyToPowerW(0, 15)).toBe(0);
  });

  it('values energy as floor(price × Wh / 1000), exactly at large sizes', () => {
    expect(energyValueUc(250, 1001)).toBe(250); // 250.25
    expect(energyValueUc(999, 1)).toBe(0);
    expect(energyValueUc(1_000_000_000, 999_999_999)).toBe(999_999_999_000_000); // 1e9 × 999999.999
  });
});
