import { describe, expect, it } from 'vitest';
import { GridLedgerError, thrownCode } from '../../errors.ts';
import { baselineCity, tradingCity } from './city.fixture.ts';
import { computeKpis, energyToPowerW, peakToAverage } from './kpis.ts';


/** The GridLedgerError `f` throws, for tests that read more than its code. */
function thrown(f: () => unknown): GridLedgerError {
  try {
    f();
  } catch (e) {
    if (e instanceof GridLedgerError) return e;
    throw e;
  }
  throw new Error('expected a GridLedgerError');
}

describe('computeKpis on the hand-worked city (city.fixture.ts)', () => {
  const k = computeKpis(tradingCity());
  const north = k.microgrids.find((m) => m.name === 'north')?.figures;
  const south = k.microgrids.find((m) => m.name === 'south')?.figures;

  it('north: sums, ratios and peaks', () => {
    // consumption 1000+1200+800+1500 = 4500; production pv 1500+900 + wind 200+100+100 = 2800
    // import 850+0+100+1330 = 2280; export 300+150 = 450; losses 30+40+20+20 = 110
    // storage losses 10+10 = 20; storage change 20+50+30-100 = 0; traded 100+400+300+200 = 1000
    expect(north).toMatchObject({
      consumption_wh: 4500,
      local_production_wh: 2800,
      local_traded_wh: 1000,
      pcc_import_wh: 2280,
      pcc_export_wh: 450,
      losses_wh: 110,
      storage_losses_wh: 20,
      storage_delta_wh: 0,
      // largest import 1330 Wh in 15 min = 1330 × 4 = 5320 W
      peak_import_w: 5320,
      bills_uc: 600_000, // 500,000 - 200,000 + 300,000
      minted_uc: 40_000,
      treasury_uc: 12_000,
      max_line_loading_pct: 72.25, // null in the last interval is skipped
      curtailed_wh: 75,
    });
    // 1 - 2280/4500 = 2220/4500
    expect(north?.self_sufficiency).toBeCloseTo(2220 / 4500, 12);
    // 1 - 450/2800 = 2350/2800
    expect(north?.self_consumption).toBeCloseTo(2350 / 2800, 12);
    // import curve 850, 0, 100, 1330: mean 2280/4 = 570, peak 1330 -> 2.3333...
    expect(north?.peak_to_average).toBeCloseTo(1330 / 570, 12);
  });

  it('south: a net exporter over the period, its import curve still has a peak-to-average ratio', () => {
    // consumption 900+500+700+900 = 3000; production 2000+1200 = 3200; import 910+640 = 1550;
    // export 1200+400 = 1600; losses 10+50+20+10 = 90; storage losses 30+10+20 = 60; change 0
    expect(south).toMatchObject({
      consumption_wh: 3000,
      local_production_wh: 3200,
      local_traded_wh: 900,
      pcc_import_wh: 1550,
      pcc_export_wh: 1600,
      losses_wh: 90,
      storage_losses_wh: 60,
      storage_delta_wh: 0,
      peak_import_w: 3640, // 910 Wh × 4
      bills_uc: -300_000,
      max_line_loading_pct: 95.5,
      curtailed_wh: 0,
    });
    expect(south?.self_sufficiency).toBeCloseTo(1 - 1550 / 3000, 12);
    expect(south?.self_consumption).toBeCloseTo(0.5, 12); // 1 - 1600/3200
    // net curve 910, -1200, -400, 640 sums to -50; import curve 910, 0, 0, 640: mean 387.5
    expect(south?.peak_to_average).toBeCloseTo(910 / 387.5, 12);
  });

  it('city: sums, and the peak of the summed curve (not the sum of peaks)', () => {
    // import curve 850+910 = 1760, 0, 100, 1330+640 = 1970: peak 1970 Wh = 7880 W (sum of the
    // microgrids' peaks would be 5320 + 3640 = 8960 W)
    expect(k.city).toMatchObject({
      consumption_wh: 7500,
      local_production_wh: 6000,
      local_traded_wh: 1900,
      pcc_import_wh: 3830,
      pcc_export_wh: 2050,
      losses_wh: 200,
      storage_losses_wh: 80,
      storage_delta_wh: 0,
      peak_import_w: 7880,
      bills_uc: 300_000,
      minted_uc: 100_000,
      treasury_uc: 20_000,
      max_line_loading_pct: 95.5,
      curtailed_wh: 75,
    });
    expect(k.city.self_sufficiency).toBeCloseTo(1 - 3830 / 7500, 12);
    expect(k.city.self_consumption).toBeCloseTo(1 - 2050 / 6000, 12);
    // import curve 1760, 0, 100, 1970: mean 3830/4 = 957.5, peak 1970
    expect(k.city.peak_to_average).toBeCloseTo(1970 / 957.5, 12);
  });

  it('gives exactly the figures of DESIGN.md section 7 plus the report extras', () => {
    expect(Object.keys(k.city).sort()).toEqual(
      [
        'consumption_wh',
        'local_production_wh',
        'local_traded_wh',
        'pcc_import_wh',
        'pcc_export_wh',
        'losses_wh',
        'storage_losses_wh',
        'storage_delta_wh',
        'self_sufficiency',
        'peak_import_w',
        'peak_to_average',
        'bills_uc',
        'self_consumption',
        'minted_uc',
        'treasury_uc',
        'max_line_loading_pct',
        'curtailed_wh',
      ].sort(),
    );
  });

  it('the baseline has no line loading where none was computed', () => {
    const b = computeKpis(baselineCity());
    expect(b.microgrids[1]?.figures.max_line_loading_pct).toBeNull();
    expect(b.city.max_line_loading_pct).toBe(70);
    expect(b.city.bills_uc).toBe(350_000); // 300,000 + 450,000 - 100,000 + 150,000 - 450,000
  });
});

describe('computeKpis refuses bad records', () => {
  it('throws REPORT_ENERGY_NOT_CLOSED naming the microgrid and interval', () => {
    const city = tradingCity();
    const r = city.microgrids[1]?.intervals[2];
    if (r === undefined) throw new Error('fixture');
    r.lossesWh += 1; // 1200 in, 1201 out
    const e = thrown(() => computeKpis(city));
    expect(e.code).toBe('REPORT_ENERGY_NOT_CLOSED');
    expect(e.message).toContain('"south"');
    expect(e.message).toContain('interval 102');
    expect(e.message).toContain('off by -1 Wh');
    expect(e.details).toMatchObject({ microgrid: 'south', interval: 102, inWh: 1200, outWh: 1201 });
  });

  it('refuses fractional energy', () => {
    const city = tradingCity();
    const r = city.microgrids[0]?.intervals[0];
    if (r === undefined) throw new Error('fixture');
    r.consumptionWh = 999.5;
    r.lossesWh = 30.5;
    const e = thrown(() => computeKpis(city));
    expect(e.code).toBe('REPORT_INVALID_INPUT');
    expect(e.message).toContain('microgrids.0.intervals.0.consumptionWh');
  });

  it('refuses microgrids whose intervals differ', () => {
    const city = tradingCity();
    city.microgrids[1]?.intervals.pop();
    expect(thrownCode(() => computeKpis(city))).toBe('REPORT_INTERVALS_MISMATCH');
  });

  it('refuses a member listed twice', () => {
    const city = tradingCity();
    const m = city.microgrids[0]?.members[0];
    if (m === undefined) throw new Error('fixture');
    city.microgrids[0]?.members.push({ ...m });
    expect(thrownCode(() => computeKpis(city))).toBe('REPORT_INVALID_INPUT');
  });
});

describe('peakToAverage and energyToPowerW', () => {
  it('peak over mean of an import curve, null without import', () => {
    expect(peakToAverage([100, 100, 100])).toBe(1);
    expect(peakToAverage([0, 300])).toBe(2); // mean 150
    expect(peakToAverage([0, 0, 0, 400])).toBe(4); // mean 100
    expect(peakToAverage([0, 0])).toBeNull();
    expect(peakToAverage([])).toBeNull();
    expect(() => peakToAverage([100, -1])).toThrow(RangeError);
  });

  it('mean power of an interval, rounded to the watt', () => {
    expect(energyToPowerW(250, 900_000)).toBe(1000);
    expect(energyToPowerW(1, 420_000)).toBe(9); // 3600/420 = 8.57
    expect(energyToPowerW(-250, 900_000)).toBe(-1000);
  });
});
