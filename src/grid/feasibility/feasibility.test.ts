import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { loadFeeder } from '../import/feederFile.ts';
import { solvePowerFlow } from '../powerflow/solve.ts';
import { syntheticRadialFeeder } from '../synthetic.ts';
import { checkFeasibility, createFeasibilityChecker, type FeasibilityReport } from './feasibility.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const feeder = (file: string): string => path.join(here, '../../../data/feeders', file);
const kerber = loadFeeder(feeder('kerber-landnetz-pv.json'));
const ieee33 = loadFeeder(feeder('ieee33.m'));

/** Every number anywhere in the report is an integer (limits are null or integers too). */
function allIntegers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value);
  if (Array.isArray(value)) return value.every(allIntegers);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allIntegers);
  return true;
}

describe('checkFeasibility', () => {
  it('is bit-for-bit deterministic, whatever the order of the injections', () => {
    const injections = [
      { bus: 25, w: 40_000 },
      { bus: 13, w: -3_000 },
      { bus: 25, w: 1_234 },
      { bus: 9, w: 15_000 },
    ];
    const a = JSON.stringify(checkFeasibility(kerber, injections));
    const b = JSON.stringify(checkFeasibility(kerber, injections));
    const c = JSON.stringify(createFeasibilityChecker(kerber)([...injections].reverse()));
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('decides and reports on integers only', () => {
    const report = checkFeasibility(kerber, [{ bus: 25, w: 150_000 }]);
    expect(allIntegers(report)).toBe(true);
    expect(report.violations.length).toBeGreaterThan(0);
  });

  it('IEEE 33-bus as it is: feasible, losses and the weakest bus as published', () => {
    const report = checkFeasibility(ieee33, []);
    expect(report.feasible).toBe(true);
    expect(Math.abs(report.lossW - 202_680)).toBeLessThan(0.005 * 202_680);
    expect(report.buses.find((b) => b.id === 18)?.vmE5).toBe(91309);
    // Import = load + losses, up to the rounding of each branch end to whole watts.
    expect(Math.abs(report.pcc.pW - 3_715_000 - report.lossW)).toBeLessThanOrEqual(2 * report.branches.length);
  });

  it('flags exactly what the float power flow says is over its limit, with integer excess', () => {
    const injections = [{ bus: 25, w: 150_000 }];
    const report = checkFeasibility(kerber, injections);
    const pf = solvePowerFlow(kerber, { injections: [{ bus: 25, pKw: 150 }] });
    expect(report.feasible).toBe(false);
    const overloaded = pf.violations.flatMap((v) => (v.kind === 'overload' ? [`${v.branchKind}:${v.id}`] : []));
    const flagged = report.violations.flatMap((v) => (v.kind === 'branch' ? [`${v.branchKind}:${v.id}`] : []));
    expect(flagged.sort()).toEqual(overloaded.sort());
    expect(flagged.length).toBeGreaterThan(0);
    const high = pf.violations.flatMap((v) => (v.kind === 'voltage_high' ? [v.bus] : []));
    expect(report.violations.filter((v) => v.kind === 'voltage_high').map((v) => v.id)).toEqual(high.sort((x, y) => x - y));
    for (const v of report.violations) {
      expect(v.excess).toBe(v.kind === 'voltage_low' ? v.limit - v.value : v.value - v.limit);
      expect(v.excess).toBeGreaterThan(0);
    }
    // A line's decisive current in mA agrees with the float result.
    const first = report.violations.find((v) => v.kind === 'branch');
    const br = pf.branches.find((b) => b.kind === first?.branchKind && b.id === first.id);
    expect(first?.value).toBe(Math.round(Math.max(br?.iFromKa ?? 0, br?.iToKa ?? 0) * 1e6));
  });

  it('sorts violations by kind, branch kind, then id', () => {
    const model = structuredClone(kerber);
    model.slack.limitKva = 50;
    const report = checkFeasibility(model, [{ bus: 25, w: 150_000 }]);
    const kinds = report.violations.map((v) => v.kind);
    const order = ['branch', 'voltage_low', 'voltage_high', 'pcc'];
    expect(kinds.map((k) => order.indexOf(k))).toEqual([...kinds.map((k) => order.indexOf(k))].sort((a, b) => a - b));
    const ids = report.violations.filter((v) => v.kind === 'voltage_high').map((v) => v.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(report.violations.at(-1)).toMatchObject({ kind: 'pcc', id: 0, unit: 'VA', limit: 50_000 });
  });

  it('checks transformers per side and MVA ratings in VA', () => {
    // 160 kVA at 10/0.4 kV: rated 231 A on the LV side; 250 kW of PV behind it overloads it.
    const report = checkFeasibility(kerber, [
      { bus: 25, w: 50_000 },
      { bus: 23, w: 50_000 },
      { bus: 21, w: 50_000 },
      { bus: 5, w: 50_000 },
      { bus: 9, w: 50_000 },
    ]);
    const trafo = report.violations.find((v) => v.branchKind === 'trafo');
    expect(trafo).toMatchObject({ unit: 'mA', limit: Math.round((0.16 * 1e6) / (Math.sqrt(3) * 0.4)) });
    const mv = syntheticRadialFeeder({ buses: 30, seed: 5 });
    const heavy = checkFeasibility(mv, [{ bus: 30, w: -3_000_000 }]);
    const line = heavy.violations.find((v) => v.kind === 'branch');
    expect(line?.unit).toBe('VA');
  });

  it('treats a state that does not converge as infeasible', () => {
    const report = checkFeasibility(ieee33, [{ bus: 18, w: -40_000_000 }]);
    expect(report.converged).toBe(false);
    expect(report.feasible).toBe(false);
  });

  it('refuses fractional watts and unknown buses', () => {
    expect(() => checkFeasibility(ieee33, [{ bus: 18, w: 0.5 }])).toThrow(expect.objectContaining({ code: 'GRID_BAD_INJECTION' }) as GridLedgerError);
    expect(() => checkFeasibility(ieee33, [{ bus: 99, w: 5 }])).toThrow(expect.objectContaining({ code: 'GRID_UNKNOWN_BUS' }) as GridLedgerError);
  });

  it('a reused checker gives the same report as a fresh one', () => {
    const check = createFeasibilityChecker(ieee33);
    const first: FeasibilityReport = check([{ bus: 18, w: 100_000 }]);
    check([{ bus: 33, w: -250_000 }]);
    expect(JSON.stringify(check([{ bus: 18, w: 100_000 }]))).toBe(JSON.stringify(first));
    expect(JSON.stringify(checkFeasibility(ieee33, [{ bus: 18, w: 100_000 }]))).toBe(JSON.stringify(first));
  });
});

describe('the consensus path uses only + − × ÷ and √', () => {
  const files = [
    '../powerflow/network.ts',
    '../powerflow/admittance.ts',
    '../powerflow/loops.ts',
    '../powerflow/sweep.ts',
    '../powerflow/flows.ts',
    '../powerflow/loads.ts',
    '../powerflow/phaseShift.ts',
    '../powerflow/scratch.ts',
    './feasibility.ts',
    '../sensitivity/sensitivity.ts',
  ];
  const forbidden = /Math\.(sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|exp|expm1|log|log2|log10|log1p|pow|cbrt|hypot|random|fround)\b|\*\*|Date\.now|performance\.now|new Date/;

  for (const file of files) {
    it(`${path.basename(file)} calls no transcendental, random or clock function`, () => {
      const code = readFileSync(path.join(here, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(forbidden);
    });
  }
});
