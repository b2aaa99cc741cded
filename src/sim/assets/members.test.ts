import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { createRng } from '../random.ts';
import { defaultScenario, parseScenario, type MicrogridSpec, type Scenario } from '../scenario.ts';
import { createMicrogridHouseholds, householdsFor } from './members.ts';

/** Load buses of the Kerber "Landnetz Kabel 2" feeder as pandapower indexes them. */
const KERBER_LOAD_BUSES = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29];
const STRATEGIES = ['truthful', 'midpoint', 'markup', 'zi'];
const scenario = defaultScenario();
const south = scenario.microgrids[2] as MicrogridSpec;

describe('householdsFor with a mix', () => {
  const configs = householdsFor(south, KERBER_LOAD_BUSES, createRng(1), STRATEGIES);
  const mix = Array.isArray(south.households) ? undefined : south.households.mix;

  it('makes `count` households, spread evenly over the load buses, with exact asset shares', () => {
    expect(configs).toHaveLength(42);
    expect(new Set(configs.map((c) => c.id)).size).toBe(42);
    // 42 households on 14 buses: three to each bus, in bus order.
    const perBus = new Map<number, number>();
    for (const c of configs) perBus.set(c.bus, (perBus.get(c.bus) ?? 0) + 1);
    expect([...perBus.keys()]).toEqual(KERBER_LOAD_BUSES);
    expect([...perBus.values()].every((n) => n === 3)).toBe(true);
    expect(configs.filter((c) => c.pv).length).toBe(Math.round(0.4 * 42));
    expect(configs.filter((c) => c.battery).length).toBe(Math.round(0.2 * 42));
    expect(configs.filter((c) => c.wind).length).toBe(0);
    const windy = householdsFor(scenario.microgrids[0] as MicrogridSpec, KERBER_LOAD_BUSES, createRng(1), STRATEGIES);
    expect(windy.filter((c) => c.wind).length).toBe(Math.round(0.1 * 36));
    // Fewer batteries than PV systems: every battery sits with PV.
    expect(configs.every((c) => c.battery === undefined || c.pv !== undefined)).toBe(true);
  });

  it('draws sizes within the ranges and names only known strategies', () => {
    if (mix === undefined) throw new Error('south has a mix');
    for (const c of configs) {
      expect(c.annualConsumptionKwh).toBeGreaterThanOrEqual(mix.annualKwh[0]);
      expect(c.annualConsumptionKwh).toBeLessThanOrEqual(mix.annualKwh[1]);
      expect(Math.abs(c.loadTimeShiftMinutes)).toBeLessThanOrEqual(mix.loadShiftMinutes);
      expect(Math.abs(c.loadTimeShiftMinutes) % 5).toBe(0);
      expect(STRATEGIES).toContain(c.strategy);
      if (c.pv) {
        expect(c.pv.kWp).toBeGreaterThanOrEqual(mix.pvKwp[0]);
        expect(c.pv.kWp).toBeLessThanOrEqual(mix.pvKwp[1]);
        expect(c.pv.azimuthDeg).toBeGreaterThanOrEqual(mix.pvAzimuthDeg[0]);
        expect(c.pv.azimuthDeg).toBeLessThanOrEqual(mix.pvAzimuthDeg[1]);
      }
      if (c.battery) {
        expect(c.battery.capacityWh).toBeGreaterThanOrEqual(mix.batteryKwh[0] * 1000);
        expect(c.battery.capacityWh).toBeLessThanOrEqual(mix.batteryKwh[1] * 1000);
        expect(Math.abs(c.battery.maxChargeW - c.battery.capacityWh * mix.batteryKwPerKwh)).toBeLessThanOrEqual(100);
      }
    }
    expect(new Set(configs.map((c) => c.strategy)).size).toBeGreaterThan(1);
  });

  it('gives an exact share of households a shiftable appliance, drawn from their own streams', () => {
    if (mix === undefined) throw new Error('south has a mix');
    const withAppliance = configs.filter((c) => c.shiftable !== undefined);
    expect(withAppliance).toHaveLength(Math.round(0.4 * 42));
    for (const c of withAppliance) {
      const a = c.shiftable;
      if (a === undefined) continue;
      expect(a.dailyWh).toBeGreaterThanOrEqual(mix.shiftableKwhPerDay[0] * 1000);
      expect(a.dailyWh).toBeLessThanOrEqual(mix.shiftableKwhPerDay[1] * 1000);
      expect(a.powerW).toBeGreaterThanOrEqual(mix.shiftableKw[0] * 1000);
      expect(a.powerW).toBeLessThanOrEqual(mix.shiftableKw[1] * 1000);
      expect([a.earliestMinute, a.deadlineMinute]).toEqual([8 * 60, 22 * 60]);
      expect(a.habitualStartMinute).toBeGreaterThanOrEqual(17 * 60);
      expect(a.habitualStartMinute).toBeLessThanOrEqual(21 * 60);
      expect(a.habitualStartMinute % 5).toBe(0);
    }
    expect(new Set(withAppliance.map((c) => c.shiftable?.habitualStartMinute)).size).toBeGreaterThan(1);
    // the appliances change nothing else: without them the same households get the same assets
    const without = { ...south, households: { count: 42, mix: { ...mix, shiftableShare: 0 } } };
    const plain = householdsFor(without, KERBER_LOAD_BUSES, createRng(1), STRATEGIES);
    expect(plain.every((c) => c.shiftable === undefined)).toBe(true);
    expect(plain).toEqual(configs.map(({ shiftable: _, ...rest }) => rest));
  });

  it('is fixed by the seed', () => {
    expect(householdsFor(south, KERBER_LOAD_BUSES, createRng(1), STRATEGIES)).toEqual(configs);
    expect(householdsFor(south, KERBER_LOAD_BUSES, createRng(2), STRATEGIES)).not.toEqual(configs);
  });

  it('spreads fewer households than buses over the whole feeder', () => {
    const buses = Array.from({ length: 57 }, (_, i) => 100 + i);
    const few = householdsFor(south, buses, createRng(1), STRATEGIES).map((c) => c.bus);
    expect(new Set(few).size).toBe(42);
    expect(few[0]).toBe(100);
    expect(few[41]).toBeGreaterThan(150);
  });

  it('defaults to one household per load bus and refuses a feeder without loads', () => {
    if (mix === undefined) throw new Error('south has a mix');
    const perBus: MicrogridSpec = { ...south, households: { mix } };
    expect(householdsFor(perBus, [9, 3, 5, 3], createRng(1), STRATEGIES).map((c) => c.bus)).toEqual([3, 5, 9]);
    expect(() => householdsFor(south, [], createRng(1), STRATEGIES)).toThrow(GridLedgerError);
  });
});

describe('householdsFor with a list', () => {
  const withList = (households: unknown[]): Scenario =>
    parseScenario({ ...structuredClone(defaultScenario()), microgrids: [{ name: 'farm', feeder: 'kerber-landnetz-pv', households }] });

  it('keeps the given households and their buses', () => {
    const s = withList([
      { id: 'barn', bus: 5, annualKwh: 6000, pv: { kWp: 12 }, battery: { capacityKwh: 8 }, strategy: 'markup' },
      { bus: 7, annualKwh: 2500 },
    ]);
    const [barn, other] = householdsFor(s.microgrids[0] as MicrogridSpec, KERBER_LOAD_BUSES, createRng(1), Object.keys(s.strategies));
    expect(barn).toMatchObject({ id: 'barn', bus: 5, annualConsumptionKwh: 6000, strategy: 'markup', pv: { kWp: 12, tiltDeg: 35 } });
    expect(barn?.battery?.maxChargeW).toBe(4000);
    expect(other).toMatchObject({ id: 'farm-h1', bus: 7, strategy: 'markup' });
  });

  it('refuses a bus that carries no load', () => {
    const s = withList([{ bus: 4, annualKwh: 3000 }]);
    expect(() => householdsFor(s.microgrids[0] as MicrogridSpec, KERBER_LOAD_BUSES, createRng(1), ['truthful'])).toThrow(/households\[0\]\.bus 4 is not a load bus/);
  });

  it('reads CSV series through the runner-supplied reader', () => {
    const start = Date.parse(scenario.start);
    const lines = ['time,load_wh'];
    for (let k = 0; k < 96; k++) lines.push(`${new Date(start + k * 900_000).toISOString()},${200 + k}`);
    const s = withList([{ id: 'metered', bus: 3, annualKwh: 3000, csv: { file: 'metered.csv', consumptionColumn: 'load_wh' } }]);
    const mg = s.microgrids[0] as MicrogridSpec;
    const read: string[] = [];
    const { households } = createMicrogridHouseholds(s, mg, KERBER_LOAD_BUSES, (file) => {
      read.push(file);
      return lines.join('\n');
    });
    expect(read).toEqual(['metered.csv']);
    expect(households[0]?.interval(10).actual.consumptionWh).toBe(210);
    expect(() => createMicrogridHouseholds(s, mg, KERBER_LOAD_BUSES)).toThrow(/no file reader/);
    expect(() => createMicrogridHouseholds(s, mg, KERBER_LOAD_BUSES, () => 'time,x\n')).toThrow(/metered\.csv/);
  });
});

describe('createMicrogridHouseholds', () => {
  it('builds the same city from the same seed; a microgrid is unaffected by the others', () => {
    const [north] = scenario.microgrids as [MicrogridSpec];
    const a = createMicrogridHouseholds(scenario, north, KERBER_LOAD_BUSES);
    const b = createMicrogridHouseholds(scenario, north, KERBER_LOAD_BUSES);
    expect(a.households.map((h) => h.consumption.actual)).toEqual(b.households.map((h) => h.consumption.actual));
    const fewer = parseScenario({ ...structuredClone(scenario), microgrids: [north] });
    expect(createMicrogridHouseholds(fewer, north, KERBER_LOAD_BUSES).households.map((h) => h.production.actual)).toEqual(a.households.map((h) => h.production.actual));
    const reseeded = parseScenario({ ...structuredClone(scenario), seed: 99 });
    expect(createMicrogridHouseholds(reseeded, north, KERBER_LOAD_BUSES).households.map((h) => h.consumption.actual)).not.toEqual(a.households.map((h) => h.consumption.actual));
  });

  it('gives the whole city one sky', () => {
    const [north, centre] = scenario.microgrids as [MicrogridSpec, MicrogridSpec];
    expect(createMicrogridHouseholds(scenario, north, KERBER_LOAD_BUSES).weather.clearSkyIndex).toEqual(
      createMicrogridHouseholds(scenario, centre, KERBER_LOAD_BUSES).weather.clearSkyIndex,
    );
  });
});
