import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../errors.ts';
import type { FeederModel } from './model.ts';
import { prng, syntheticRadialFeeder } from './synthetic.ts';

/** Buses reached from the slack over in-service branches. */
function reached(m: FeederModel): Set<number> {
  const adj = new Map<number, number[]>();
  for (const b of m.branches) {
    adj.set(b.from, [...(adj.get(b.from) ?? []), b.to]);
    adj.set(b.to, [...(adj.get(b.to) ?? []), b.from]);
  }
  const seen = new Set([m.slack.bus]);
  const stack = [m.slack.bus];
  while (stack.length > 0) {
    for (const n of adj.get(stack.pop() as number) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

describe('syntheticRadialFeeder', () => {
  for (const voltage of ['mv', 'lv'] as const) {
    it(`${voltage}: is deterministic by seed`, () => {
      const a = syntheticRadialFeeder({ buses: 60, seed: 42, voltage });
      expect(syntheticRadialFeeder({ buses: 60, seed: 42, voltage })).toEqual(a);
      expect(syntheticRadialFeeder({ buses: 60, seed: 43, voltage })).not.toEqual(a);
    });

    it(`${voltage}: is radial and connected for many sizes`, () => {
      for (const buses of [3, 4, 17, 100, 1000]) {
        const m = syntheticRadialFeeder({ buses, seed: buses, voltage });
        expect(m.buses).toHaveLength(buses);
        expect(m.branches).toHaveLength(buses - 1);
        expect(new Set(m.buses.map((b) => b.id)).size).toBe(buses);
        expect(reached(m).size).toBe(buses);
        expect(m.branches.every((b) => b.rPu > 0 && b.xPu > 0 && b.inService)).toBe(true);
      }
    });
  }

  it('mv: 12.66 kV, 3.7 MW in all, MVA ratings above the flow they carry', () => {
    const m = syntheticRadialFeeder({ buses: 33, seed: 1 });
    expect(m.buses.every((b) => b.baseKv === 12.66)).toBe(true);
    expect(m.loads.reduce((s, l) => s + l.pKw, 0) / 3715).toBeGreaterThan(0.8);
    expect(m.loads.reduce((s, l) => s + l.pKw, 0) / 3715).toBeLessThan(1.2);
    const head = m.branches.filter((b) => b.from === 1);
    for (const b of head) expect(b.rating).toMatchObject({ kind: 'apparent' });
    const headMva = head.reduce((s, b) => s + (b.rating?.kind === 'apparent' ? b.rating.mva : 0), 0);
    expect(headMva).toBeGreaterThan(3.7);
  });

  it('lv: a 10/0.4 kV Dyn5 transformer then 0.4 kV cables with ampere ratings', () => {
    const m = syntheticRadialFeeder({ buses: 80, seed: 5, voltage: 'lv' });
    const trafos = m.branches.filter((b) => b.kind === 'trafo');
    expect(trafos).toHaveLength(1);
    expect(trafos[0]).toMatchObject({ from: 1, to: 2, shiftDeg: 150, tap: 1 });
    expect(m.buses.filter((b) => b.baseKv === 10).map((b) => b.id)).toEqual([1]);
    const amps = m.branches.flatMap((b) => (b.rating?.kind === 'current' ? [b.rating.maxIKa] : []));
    expect(new Set(amps)).toEqual(new Set([0.27, 0.142]));
    expect(m.loads.every((l) => l.pKw >= 1 && l.pKw <= 4)).toBe(true);
    expect(m.sgens.length).toBeGreaterThan(0);
  });

  it('refuses sizes it cannot build', () => {
    expect(() => syntheticRadialFeeder({ buses: 2, seed: 1, voltage: 'lv' })).toThrow(GridLedgerError);
    expect(() => syntheticRadialFeeder({ buses: 1.5, seed: 1 })).toThrow(/whole number/);
  });

  it('draws from its own PRNG, in [0, 1) and by seed', () => {
    const a = prng(9);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    const b = prng(9);
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
  });
});
