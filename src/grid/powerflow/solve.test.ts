import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { emptyModel, feederArb, independentMismatchPu, line } from './fixtures/models.ts';
import { solvePowerFlow } from './solve.ts';

const kvaPu = 1000 * 10; // kW per p.u. on the 10 MVA base of emptyModel's default

describe('solvePowerFlow on hand-solvable cases', () => {
  it('two buses: matches the closed-form voltage and I²R loss', () => {
    const r = 0.02;
    const x = 0.04;
    const p = 0.3;
    const q = 0.1;
    const m = emptyModel(2);
    m.branches.push(line(0, 1, 2, r, x));
    m.loads.push({ id: 0, bus: 2, pKw: p * kvaPu, qKvar: q * kvaPu, inService: true });
    const res = solvePowerFlow(m, { tolPu: 1e-12 });
    // |V2|⁴ − (1 − 2(rP + xQ))·|V2|² + |z|²|S|² = 0, the larger root.
    const b = 1 - 2 * (r * p + x * q);
    const v2sq = (b + Math.sqrt(b * b - 4 * (r * r + x * x) * (p * p + q * q))) / 2;
    expect(res.converged).toBe(true);
    expect(res.buses[1]?.vmPu).toBeCloseTo(Math.sqrt(v2sq), 12);
    const lossPu = (r * (p * p + q * q)) / v2sq;
    expect(res.lossKw).toBeCloseTo(lossPu * kvaPu, 6);
    expect(res.lossKvar).toBeCloseTo(((x * (p * p + q * q)) / v2sq) * kvaPu, 6);
    expect(res.pcc.pKw).toBeCloseTo((p + lossPu) * kvaPu, 6);
    expect(res.branches[0]?.pFromKw).toBeCloseTo((p + lossPu) * kvaPu, 6);
    expect(res.branches[0]?.pToKw).toBeCloseTo(-p * kvaPu, 6);
    // Current in kA: |S2|/|V2| in p.u. times the base current 10 MVA / (√3 · 12.66 kV).
    expect(res.branches[0]?.iToKa).toBeCloseTo((Math.sqrt(p * p + q * q) / Math.sqrt(v2sq)) * (10 / (Math.sqrt(3) * 12.66)), 9);
  });

  it('an unloaded transformer puts its LV side at 1/tap and −shift (Dyn5: −150°)', () => {
    for (const [tap, shift] of [
      [1, 150],
      [1.025, 150],
      [0.975, -30],
      [1, 12.5],
    ] as const) {
      const m = emptyModel(3);
      m.branches.push(line(0, 1, 2, 0.01, 0.06, { kind: 'trafo', tap, shiftDeg: shift }), line(1, 2, 3, 0.02, 0.01));
      const res = solvePowerFlow(m);
      expect(res.converged).toBe(true);
      for (const bus of [res.buses[1], res.buses[2]]) {
        expect(bus?.vmPu).toBeCloseTo(1 / tap, 12);
        expect(bus?.vaDeg).toBeCloseTo(-shift, 10);
      }
    }
  });

  it('carries the slack angle and magnitude', () => {
    const m = emptyModel(2);
    m.slack = { bus: 1, vmPu: 1.03, vaDeg: -20 };
    m.branches.push(line(0, 1, 2, 0.01, 0.02));
    const res = solvePowerFlow(m);
    expect(res.buses[0]).toMatchObject({ vmPu: 1.03 });
    expect(res.buses[1]?.vaDeg).toBeCloseTo(-20, 12);
  });

  it('line charging: an open-ended line raises the far voltage (Ferranti) by the closed form', () => {
    const m = emptyModel(2);
    const b = 0.05;
    m.branches.push(line(0, 1, 2, 0.01, 0.1, { bFromPu: b / 2, bToPu: b / 2 }));
    const res = solvePowerFlow(m);
    // V2 = V1 · 1/(1 + z·jb/2)
    const dRe = 1 - 0.1 * (b / 2);
    const dIm = 0.01 * (b / 2);
    expect(res.buses[1]?.vmPu).toBeCloseTo(1 / Math.sqrt(dRe * dRe + dIm * dIm), 12);
    expect(res.lossKvar).toBeLessThan(0); // charging produces reactive power
  });
});

describe('solvePowerFlow properties', () => {
  it('radial random feeders: independent mismatch below tolerance and power balance', () => {
    fc.assert(
      fc.property(feederArb({ meshed: false }), (m) => {
        const res = solvePowerFlow(m, { tolPu: 1e-10 });
        expect(res.converged).toBe(true);
        expect(res.loops).toBe(0);
        expect(independentMismatchPu(m, res)).toBeLessThan(1e-9);
        const load = m.loads.reduce((s, l) => s + l.pKw, 0);
        const gen = m.sgens.reduce((s, g) => s + g.pKw, 0);
        expect(Math.abs(res.pcc.pKw + gen - load - res.lossKw)).toBeLessThan(1e-6 * (1 + load + gen));
        expect(res.lossKw).toBeGreaterThanOrEqual(-1e-9); // passive branches only absorb
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('weakly meshed random feeders: the loop compensation solves them exactly', () => {
    fc.assert(
      fc.property(feederArb({ meshed: true }), (m) => {
        const res = solvePowerFlow(m, { tolPu: 1e-10 });
        expect(res.converged).toBe(true);
        expect(independentMismatchPu(m, res)).toBeLessThan(1e-9);
        const load = m.loads.reduce((s, l) => s + l.pKw, 0);
        const gen = m.sgens.reduce((s, g) => s + g.pKw, 0);
        expect(Math.abs(res.pcc.pKw + gen - load - res.lossKw)).toBeLessThan(1e-6 * (1 + load + gen));
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('solvePowerFlow reporting', () => {
  it('reports non-convergence as a result, not a throw', () => {
    const m = emptyModel(3);
    m.branches.push(line(0, 1, 2, 0.05, 0.05), line(1, 2, 3, 0.05, 0.05));
    m.loads.push({ id: 0, bus: 3, pKw: 8 * kvaPu, qKvar: 2 * kvaPu, inService: true }); // far past the nose
    const res = solvePowerFlow(m, { maxIter: 50 });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBeLessThanOrEqual(50);
    expect(res.buses).toHaveLength(3);
  });

  it('leaves out-of-service branches and cut-off buses de-energized, their load unserved', () => {
    const m = emptyModel(4);
    m.branches.push(line(0, 1, 2, 0.01, 0.01), line(1, 2, 3, 0.01, 0.01, { inService: false }), line(2, 3, 4, 0.01, 0.01));
    m.loads.push({ id: 0, bus: 2, pKw: 100, qKvar: 0, inService: true }, { id: 1, bus: 4, pKw: 50, qKvar: 10, inService: true });
    const res = solvePowerFlow(m);
    expect(res.converged).toBe(true);
    expect(res.buses.map((b) => b.energized)).toEqual([true, true, false, false]);
    expect(res.buses[3]?.vmPu).toBe(0);
    expect(res.unservedKw).toBe(50);
    expect(res.branches[1]).toMatchObject({ inService: false, pFromKw: 0, loadingPct: null });
    expect(res.pcc.pKw).toBeCloseTo(100 + res.lossKw, 5);
    expect(res.violations).toEqual([]);
  });

  it('adds extra injections on top of the model', () => {
    const m = emptyModel(2);
    m.branches.push(line(0, 1, 2, 0.01, 0.02));
    m.loads.push({ id: 0, bus: 2, pKw: 300, qKvar: 100, inService: true });
    const res = solvePowerFlow(m, { injections: [{ bus: 2, pKw: 300, qKvar: 100 }] });
    expect(Math.abs(res.lossKw)).toBeLessThan(1e-9);
    expect(res.buses[1]?.vmPu).toBeCloseTo(1, 9);
  });

  it('lists loading above 100 %, voltages outside limits and a PCC above its limit', () => {
    const m = emptyModel(3);
    m.slack.limitKva = 500;
    m.branches.push(line(0, 1, 2, 0.02, 0.04, { rating: { kind: 'apparent', mva: 0.5 } }), line(1, 2, 3, 0.02, 0.04, { rating: { kind: 'current', maxIKa: 0.02 } }));
    m.loads.push({ id: 0, bus: 3, pKw: 600, qKvar: 200, inService: true });
    const b3 = m.buses[2];
    if (b3 !== undefined) b3.vMinPu = 0.999;
    const res = solvePowerFlow(m);
    const sFrom = Math.hypot(res.branches[0]?.pFromKw ?? 0, res.branches[0]?.qFromKvar ?? 0);
    expect(res.branches[0]?.loadingPct).toBeCloseTo((sFrom / 500) * 100, 9);
    const i2 = Math.max(res.branches[1]?.iFromKa ?? 0, res.branches[1]?.iToKa ?? 0);
    expect(res.branches[1]?.loadingPct).toBeCloseTo((i2 / 0.02) * 100, 9);
    expect(res.violations.map((v) => v.kind)).toEqual(['overload', 'overload', 'voltage_low', 'pcc']);
    expect(res.violations[3]).toMatchObject({ kind: 'pcc', bus: 1, limitKva: 500 });
  });

  it('refuses broken models with a stable code', () => {
    const zero = emptyModel(2);
    zero.branches.push(line(0, 1, 2, 0, 0));
    expect(() => solvePowerFlow(zero)).toThrow(expect.objectContaining({ code: 'GRID_BAD_IMPEDANCE' }) as GridLedgerError);
    const noSlack = emptyModel(2);
    noSlack.slack.bus = 9;
    expect(() => solvePowerFlow(noSlack)).toThrow(expect.objectContaining({ code: 'GRID_BAD_SLACK' }) as GridLedgerError);
    const ok = emptyModel(2);
    ok.branches.push(line(0, 1, 2, 0.01, 0.01));
    expect(() => solvePowerFlow(ok, { injections: [{ bus: 7, pKw: 1 }] })).toThrow(expect.objectContaining({ code: 'GRID_UNKNOWN_BUS' }) as GridLedgerError);
  });
});
