import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import type { FeederModel } from '../model.ts';
import { syntheticRadialFeeder } from '../synthetic.ts';
import { parseMatpower } from './matpower.ts';
import { writeMatpower } from './matpowerWriter.ts';

/** Model -> MATPOWER text -> model equals the original: per-unit values exactly, kW up to the /1000. */
function expectRoundTrip(model: FeederModel): void {
  const back = parseMatpower(writeMatpower(model), `${model.name}.m`);
  const kw = (m: FeederModel): FeederModel => ({
    ...m,
    name: '',
    loads: m.loads.map((l) => ({ ...l, pKw: Math.round(l.pKw * 1e9), qKvar: Math.round(l.qKvar * 1e9) })),
    sgens: m.sgens.map((g) => ({ ...g, pKw: Math.round(g.pKw * 1e9), qKvar: Math.round(g.qKvar * 1e9) })),
  });
  expect(kw(back)).toEqual(kw(model));
  for (const [k, l] of model.loads.entries()) expect(Math.abs((back.loads[k]?.pKw as number) - l.pKw)).toBeLessThanOrEqual(1e-12 * Math.abs(l.pKw));
}

describe('writeMatpower', () => {
  it('round-trips synthetic MV feeders of any size and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (buses, seed) => {
        expectRoundTrip(syntheticRadialFeeder({ buses, seed, voltage: 'mv', pvShare: 0.3 }));
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips the IEEE 33-bus feeder with its open tie lines', () => {
    const m = parseMatpower(readFileSync(new URL('../../../data/feeders/ieee33.m', import.meta.url), 'utf8'), 'ieee33.m');
    expectRoundTrip(m);
  });

  it('round-trips transformers: tap, shift, charging, out-of-service buses', () => {
    const base = syntheticRadialFeeder({ buses: 5, seed: 3 });
    const model: FeederModel = {
      ...base,
      branches: base.branches.map((b, k) => (k === 1 ? { ...b, kind: 'trafo', tap: 0.975, shiftDeg: -30, inService: false } : b)),
      buses: base.buses.map((b) => (b.id === 5 ? { ...b, inService: false } : b)),
      loads: base.loads.map((l) => (l.bus === 5 ? { ...l, inService: false } : l)),
    };
    // Bus 5's own load is out of service and MATPOWER keeps no out-of-service loads.
    const back = parseMatpower(writeMatpower(model), 'x.m');
    expect(back.branches[1]).toEqual(model.branches[1]);
    expect(back.buses).toEqual(model.buses);
    expect(back.loads.map((l) => l.bus)).toEqual([2, 3, 4]);
  });

  it('refuses what MATPOWER cannot hold: the LV transformer T equivalent, current ratings', () => {
    const lv = syntheticRadialFeeder({ buses: 10, seed: 1, voltage: 'lv' });
    expect(() => writeMatpower(lv)).toThrow(GridLedgerError);
    expect(() => writeMatpower(lv)).toThrow(/trafo 0 \(1-2\): shunt conductance/);
    const lines = { ...lv, branches: lv.branches.filter((b) => b.kind === 'line') };
    expect(() => writeMatpower(lines)).toThrow(/a 'current' rating/);
  });
});
