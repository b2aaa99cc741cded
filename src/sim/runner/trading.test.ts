/**
 * The trading run's shiftable appliances on the small city (off chain): they draw the same energy
 * as in the baseline, earlier in the day, and the battery steering and the meters account for it.
 */
import { describe, expect, it } from 'vitest';
import { priceBand } from '../agents/pricing.ts';
import { computeKpis } from '../report/kpis.ts';
import type { RunRecords } from '../report/types.ts';
import { createBaselineRun } from './baseline.ts';
import { buildCity } from './city.ts';
import { createOffchainMarket } from './market/offchain.ts';
import { settlementRates } from './rates.ts';
import { smallScenario } from './smallCity.fixture.ts';
import { createTradingRun } from './trading.ts';

const city = buildCity(smallScenario(), { baseDir: '.' });

async function run(trading: boolean): Promise<RunRecords> {
  if (!trading) {
    const b = createBaselineRun(city);
    for (let k = 0; k < city.grid.count; k++) await b.step(k);
    return b.records();
  }
  const markets = city.microgrids.map((mg) =>
    createOffchainMarket({ feeder: mg.feeder.model, intervalMinutes: city.grid.intervalMinutes, rates: settlementRates(city.scenario), members: mg.members.map((m) => ({ id: m.id, bus: m.bus })) }),
  );
  const t = createTradingRun(city, markets, priceBand(city.scenario.prices));
  await t.start();
  for (let k = 0; k < city.grid.count; k++) await t.step(k);
  return t.finish();
}

describe('shiftable appliances in the trading run', async () => {
  const [baseline, trading] = await Promise.all([run(false), run(true)]);
  const consumption = (r: RunRecords): number[] => r.microgrids[0]?.intervals.map((i) => i.consumptionWh) ?? [];
  const members = city.microgrids[0]?.members ?? [];
  /** Of the day, by local hour: the household load without the appliances (the same in both runs). */
  const baseLoad = Array.from({ length: city.grid.count }, (_, k) => members.reduce((s, m) => s + m.household.interval(k).actual.consumptionWh, 0));
  const applianceWh = (r: RunRecords): number[] => consumption(r).map((c, k) => c - (baseLoad[k] ?? 0));

  it('do their whole daily job in both runs, and energy closes', () => {
    const daily = members.reduce((s, m) => s + (m.shiftable?.spec.dailyWh ?? 0), 0);
    expect(daily).toBe(7500);
    expect(applianceWh(baseline).reduce((s, w) => s + w, 0)).toBe(daily);
    expect(applianceWh(trading).reduce((s, w) => s + w, 0)).toBe(daily);
    expect(() => computeKpis(trading)).not.toThrow();
    expect(() => computeKpis(baseline)).not.toThrow();
  });

  it('run from the habitual start without a market, and in the daylight window with one', () => {
    const base = applianceWh(baseline);
    const trade = applianceWh(trading);
    const hour = (k: number): number => city.localMinuteOfDay[k] ?? 0;
    const sum = (a: number[], from: number, to: number): number => a.reduce((s, w, k) => (hour(k) >= from * 60 && hour(k) < to * 60 ? s + w : s), 0);
    // baseline: 18:00-20:00 (pv-bat, 2 kWh at 1 kW), 18:30-20:00 (plain-a), 19:00-20:40 (pv)
    expect(sum(base, 18, 21)).toBe(7500);
    // trading: pv-bat keeps its habit (its battery serves it); the others run before 17:00 on
    // their own PV or on what the neighbours' PV offers (a June day: plenty)
    expect(sum(trade, 8, 17)).toBe(5500);
    expect(sum(trade, 18, 20)).toBe(2000);
    expect(trade.every((w) => w >= 0)).toBe(true);
  });

  it('never draw more than their power', () => {
    // three appliances: at most 1 + 1.5 + 2 kW for an hour
    expect(Math.max(...applianceWh(trading))).toBeLessThanOrEqual(4500);
  });
});
