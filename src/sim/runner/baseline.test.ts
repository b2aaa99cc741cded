import { describe, expect, it } from 'vitest';
import { energyValueUc } from '../../market/money.ts';
import { computeKpis } from '../report/kpis.ts';
import { createBaselineRun, initialBatteryState, mainGridBillUc } from './baseline.ts';
import { buildCity } from './city.ts';
import { smallScenario } from './smallCity.fixture.ts';

const PRICES = smallScenario().prices;

describe('mainGridBillUc', () => {
  it('charges imports at retail and pays exports at feed-in, floored to the µc', () => {
    expect(mainGridBillUc(PRICES, 1001)).toBe(300_300);
    expect(mainGridBillUc(PRICES, -1001)).toBe(-80_080);
    expect(mainGridBillUc(PRICES, 3)).toBe(900);
    expect(mainGridBillUc(PRICES, 0)).toBe(0);
  });
});

describe('the no-trading baseline of the small city', () => {
  const city = buildCity(smallScenario(), { baseDir: '.' });
  const run = createBaselineRun(city);
  for (let k = 0; k < city.grid.count; k++) run.step(k);
  const records = run.records();
  if (records instanceof Promise) throw new Error('the baseline is synchronous');
  const mg = records.microgrids[0];
  if (mg === undefined) throw new Error('no microgrid');

  it('covers every interval, closes exactly and trades nothing', () => {
    expect(mg.intervals).toHaveLength(24);
    expect(() => computeKpis(records)).not.toThrow();
    expect(mg.intervals.every((r) => r.localTradedWh === 0 && r.priceUcPerKwh === null)).toBe(true);
    expect(mg.chain).toBeNull();
  });

  it('meters what the households produce and use', () => {
    const members = city.microgrids[0]?.members ?? [];
    for (const [k, r] of mg.intervals.entries()) {
      let production = 0;
      let consumption = 0;
      for (const m of members) {
        const a = m.household.interval(k).actual;
        production += a.productionWh;
        // the shiftable appliance runs at its owner's habitual time
        consumption += a.consumptionWh + (m.shiftable?.habitualRunWh[k] ?? 0);
      }
      expect(r.productionWh.pv + r.productionWh.wind).toBe(production);
      expect(r.consumptionWh).toBe(consumption);
    }
    const windy = members.find((m) => m.id === 'wind');
    expect(mg.intervals.reduce((s, r) => s + r.productionWh.wind, 0)).toBe([...(windy?.windWh ?? [])].reduce((s, v) => s + v, 0));
  });

  it('bills a member without a battery its metered net, interval by interval, with the main grid', () => {
    for (const m of city.microgrids[0]?.members ?? []) {
      if (m.battery !== undefined) continue;
      let expected = 0;
      for (let k = 0; k < city.grid.count; k++) {
        const a = m.household.interval(k).actual;
        const net = a.consumptionWh + (m.shiftable?.habitualRunWh[k] ?? 0) - a.productionWh;
        expected += net >= 0 ? energyValueUc(PRICES.retailUcPerKwh, net) : -energyValueUc(PRICES.feedInUcPerKwh, -net);
      }
      expect(mg.members.find((x) => x.memberId === m.id)?.billUc).toBe(expected);
    }
  });

  it('lets the battery household pay less than it would without its battery (self-consumption)', () => {
    const m = city.microgrids[0]?.members.find((x) => x.id === 'pv-bat');
    if (m === undefined || initialBatteryState(m) === undefined) throw new Error('no battery household');
    let withoutBattery = 0;
    for (let k = 0; k < city.grid.count; k++) {
      const a = m.household.interval(k).actual;
      withoutBattery += mainGridBillUc(PRICES, a.consumptionWh + (m.shiftable?.habitualRunWh[k] ?? 0) - a.productionWh);
    }
    expect(mg.members.find((x) => x.memberId === 'pv-bat')?.billUc).toBeLessThan(withoutBattery);
    expect(mg.intervals.some((r) => r.storageDeltaWh !== 0)).toBe(true);
  });
});
