import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { loadFeeder } from '../import/feederFile.ts';
import type { FeederModel } from '../model.ts';
import { feederArb } from '../powerflow/fixtures/models.ts';
import { solvePowerFlow } from '../powerflow/solve.ts';
import { buildSensitivities } from './sensitivity.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const feeder = (file: string): string => path.join(here, '../../../data/feeders', file);

/**
 * Largest errors of the linear estimate of a transfer against two AC solves, each relative to
 * the largest AC change of that quantity.
 */
function transferErrors(model: FeederModel, from: number, to: number, w: number): { flow: number; volt: number; loading: number; flowChange: number } {
  const base = solvePowerFlow(model, { tolPu: 1e-12 });
  const est = buildSensitivities(model, base).transfer(from, to, w);
  const ac = solvePowerFlow(model, { tolPu: 1e-12, injections: [{ bus: from, pKw: w / 1000 }, { bus: to, pKw: -w / 1000 }] });
  let maxF = 0;
  let errF = 0;
  let maxV = 0;
  let errV = 0;
  let maxL = 0;
  let errL = 0;
  model.branches.forEach((_, k) => {
    const d = ((ac.branches[k]?.pFromKw ?? 0) - (base.branches[k]?.pFromKw ?? 0)) * 1000;
    maxF = Math.max(maxF, Math.abs(d));
    errF = Math.max(errF, Math.abs(d - (est.dPFromW[k] ?? 0)));
    const l1 = ac.branches[k]?.loadingPct;
    const l0 = base.branches[k]?.loadingPct;
    if (l1 !== null && l1 !== undefined && l0 !== null && l0 !== undefined) {
      maxL = Math.max(maxL, Math.abs(l1 - l0));
      errL = Math.max(errL, Math.abs(l1 - l0 - (est.dLoadingPct[k] ?? 0)));
    }
  });
  model.buses.forEach((_, i) => {
    const d = (ac.buses[i]?.vmPu ?? 0) - (base.buses[i]?.vmPu ?? 0);
    maxV = Math.max(maxV, Math.abs(d));
    errV = Math.max(errV, Math.abs(d - (est.dVmPu[i] ?? 0)));
  });
  return { flow: errF / maxF, volt: errV / maxV, loading: maxL > 0 ? errL / maxL : 0, flowChange: maxF };
}

describe('sensitivities against AC for small transfers (linearised at the solved operating point)', () => {
  const ieee33 = loadFeeder(feeder('ieee33.m'));
  const kerber = loadFeeder(feeder('kerber-landnetz-pv.json'));
  const meshed = loadFeeder(path.join(here, '../powerflow/fixtures/ieee33-two-ties.m'));
  const cases: [string, FeederModel, number, number, number][] = [
    ['ieee33 18 -> 33, 20 kW', ieee33, 18, 33, 20_000],
    ['ieee33 18 -> PCC, 20 kW', ieee33, 18, 1, 20_000],
    ['ieee33 25 -> 10, 50 kW', ieee33, 25, 10, 50_000],
    ['kerber 25 -> 13, 1 kW', kerber, 25, 13, 1_000],
    ['kerber 29 -> 17, 1 kW', kerber, 29, 17, 1_000],
    ['ieee33 two ties 18 -> 25, 20 kW', meshed, 18, 25, 20_000],
  ];
  for (const [name, model, from, to, w] of cases) {
    it(`${name}: flow error < 2 %, voltage < 5 %, loading < 5 % of the change`, () => {
      const e = transferErrors(model, from, to, w);
      expect(e.flowChange).toBeGreaterThan(0.5 * w); // the transfer is visible (a loop splits it)
      expect(e.flow).toBeLessThan(0.02);
      expect(e.volt).toBeLessThan(0.05);
      expect(e.loading).toBeLessThan(0.05);
    });
  }

  it('random radial and meshed feeders: transfers of 0.1 % of base', () => {
    fc.assert(
      fc.property(fc.oneof(feederArb({ meshed: false }), feederArb({ meshed: true })), fc.nat(), fc.nat(), (model, i, j) => {
        const from = (model.buses[i % model.buses.length] as FeederModel['buses'][number]).id;
        const to = (model.buses[j % model.buses.length] as FeederModel['buses'][number]).id;
        fc.pre(from !== to);
        const e = transferErrors(model, from, to, 0.001 * model.baseMva * 1e6);
        expect(e.flow).toBeLessThan(0.02);
        expect(e.volt).toBeLessThan(0.05);
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});

describe('sensitivities at the flat operating point (LinDistFlow structure)', () => {
  const model = loadFeeder(feeder('ieee33.m'));
  const s = buildSensitivities(model, 'flat');
  // The radial tree of the file's in-service branches: parent and the branch to it.
  const up = new Map<number, { parent: number; k: number }>();
  model.branches.forEach((b, k) => {
    if (b.inService) up.set(b.to, { parent: b.from, k });
  });
  const path = (bus: number): number[] => {
    const ks: number[] = [];
    for (let at = up.get(bus); at !== undefined; at = up.get(at.parent)) ks.push(at.k);
    return ks;
  };
  const wPu = 1 / (model.baseMva * 1e6);

  it('a watt injected at a bus lowers the flow by exactly 1 W on its path to the slack, 0 elsewhere', () => {
    for (const bus of [18, 25, 33, 2]) {
      const onPath = new Set(path(bus));
      const col = s.injection(bus);
      model.branches.forEach((b, k) => {
        const expected = b.inService && onPath.has(k) ? -1 : 0;
        expect(Math.abs((col.dPFromPerW[k] ?? Number.NaN) - expected)).toBeLessThan(1e-12);
        expect(s.branchFlowPerW(k, bus)).toBe(col.dPFromPerW[k]);
      });
      expect(col.dPccPerW).toBeCloseTo(-1, 12);
    }
  });

  it('voltage at b per watt at a is the resistance the two paths share', () => {
    for (const [a, b] of [
      [18, 33],
      [18, 14],
      [25, 22],
      [33, 33],
    ] as const) {
      const pa = new Set(path(a));
      const shared = path(b)
        .filter((k) => pa.has(k))
        .reduce((sum, k) => sum + (model.branches[k]?.rPu ?? 0), 0);
      expect(Math.abs(s.voltagePerW(b, a) - shared * wPu)).toBeLessThan(1e-9 * shared * wPu);
    }
  });
});

describe('sensitivities API', () => {
  const model = loadFeeder(feeder('ieee33.m'));
  const s = buildSensitivities(model, solvePowerFlow(model));

  it('a transfer is the difference of the two injection columns, scaled', () => {
    const t = s.transfer(18, 33, 500);
    const a = s.injection(18);
    const b = s.injection(33);
    expect(t.dPFromW[5]).toBeCloseTo(500 * ((a.dPFromPerW[5] ?? 0) - (b.dPFromPerW[5] ?? 0)), 12);
    expect(t.dVmPu[17]).toBeCloseTo(500 * ((a.dVmPuPerW[17] ?? 0) - (b.dVmPuPerW[17] ?? 0)), 15);
    expect(t.dLossW).toBeCloseTo(500 * (a.dLossPerW - b.dLossPerW), 12);
  });

  it('injection at the slack changes nothing but the PCC; deep injections save losses', () => {
    const slack = s.injection(1);
    expect(slack.dPccPerW).toBe(-1);
    expect(Math.max(...slack.dVmPuPerW.map(Math.abs))).toBe(0);
    const deep = s.injection(18);
    expect(deep.dLossPerW).toBeLessThan(-0.05); // a watt at the end of the feeder saves > 5 % losses
    expect(deep.dPccPerW).toBeCloseTo(-1 + deep.dLossPerW, 9);
    expect(deep.dVmPuPerW[17]).toBeGreaterThan(0);
  });

  it('refuses an operating point that did not converge', () => {
    const collapsed = solvePowerFlow(model, { injections: [{ bus: 18, pKw: -40_000 }] });
    expect(collapsed.converged).toBe(false);
    expect(() => buildSensitivities(model, collapsed)).toThrow(expect.objectContaining({ code: 'GRID_OPERATING_POINT' }) as GridLedgerError);
  });

  it('names unknown buses and branches', () => {
    expect(() => s.injection(99)).toThrow(expect.objectContaining({ code: 'GRID_UNKNOWN_BUS' }) as GridLedgerError);
    expect(() => s.branchFlowPerW(40, 2)).toThrow(expect.objectContaining({ code: 'GRID_UNKNOWN_BRANCH' }) as GridLedgerError);
  });
});
