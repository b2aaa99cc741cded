/**
 * The power flow against solutions from independent solvers (fixtures/README.md says where each
 * comes from): the IEEE 33-bus feeder, the 10,000-bus synthetic feeder, the Kerber LV feeder with
 * its Dyn5 transformer (pandapower), and the 33-bus feeder with two tie lines closed (meshed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadFeeder } from '../import/feederFile.ts';
import { solvePowerFlow } from './solve.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const feeder = (file: string): string => path.join(here, '../../../data/feeders', file);
const fixture = (file: string): unknown => JSON.parse(readFileSync(path.join(here, 'fixtures', file), 'utf8')) as unknown;

const MatpowerSolution = z.object({
  loss_kw: z.number(),
  vmin_pu: z.number(),
  vmin_bus: z.number(),
  vm_pu: z.record(z.string(), z.number()),
  va_deg: z.record(z.string(), z.number()).optional(),
});

const PandapowerSolution = z.object({
  loss_kw: z.number(),
  loss_kvar: z.number(),
  vmin_pu: z.number(),
  vmin_bus: z.number(),
  vmax_pu: z.number(),
  trafo_loading_pct: z.number(),
  buses: z.record(z.string(), z.object({ vm_pu: z.number(), va_deg: z.number() })),
  lines: z.array(z.object({ from: z.number(), to: z.number(), loading_pct: z.number(), p_from_kw: z.number() })),
});

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('power flow against reference solutions', () => {
  it('IEEE 33-bus (Baran & Wu): loss 202.68 kW, every bus within 1e-4 p.u., minimum 0.91309 at bus 18', () => {
    const ref = MatpowerSolution.parse(fixture('ieee33.solution.json'));
    const res = solvePowerFlow(loadFeeder(feeder('ieee33.m')));
    expect(res.converged).toBe(true);
    expect(res.loops).toBe(0);
    expect(relErr(res.lossKw, 202.68)).toBeLessThan(0.005);
    expect(relErr(res.lossKw, ref.loss_kw)).toBeLessThan(1e-5);
    expect(res.buses).toHaveLength(33);
    for (const b of res.buses) {
      expect(Math.abs(b.vmPu - (ref.vm_pu[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-4);
      expect(Math.abs(b.vaDeg - (ref.va_deg?.[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-3);
    }
    expect(res.vmin.bus).toBe(18);
    expect(Math.abs(res.vmin.pu - 0.91309)).toBeLessThan(5e-6);
    expect(res.violations).toEqual([]); // 0.913 is above the file's 0.9 limit; no ratings
  });

  it('Baran & Wu 69-bus (a second published case, ohms and kW converted in the file): loss 224.98 kW, vmin 0.9092 at bus 65, every bus within 1e-4 p.u.', () => {
    const ref = MatpowerSolution.parse(fixture('case69.solution.json'));
    const res = solvePowerFlow(loadFeeder(feeder('case69.m')));
    expect(res.converged).toBe(true);
    expect(res.buses).toHaveLength(69);
    expect(relErr(res.lossKw, 224.98)).toBeLessThan(0.005); // published figure
    expect(relErr(res.lossKvar, 102.2)).toBeLessThan(0.005);
    expect(relErr(res.lossKw, ref.loss_kw)).toBeLessThan(1e-5);
    for (const b of res.buses) {
      expect(Math.abs(b.vmPu - (ref.vm_pu[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-4);
      expect(Math.abs(b.vaDeg - (ref.va_deg?.[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-3);
    }
    expect(res.vmin.bus).toBe(65);
    expect(Math.abs(res.vmin.pu - 0.9092)).toBeLessThan(5e-5);
  });

  it('IEEE 33-bus with vMin 0.95: exactly the buses the reference puts below 0.95 are flagged', () => {
    const ref = MatpowerSolution.parse(fixture('ieee33.solution.json'));
    const model = loadFeeder(feeder('ieee33.m'));
    for (const b of model.buses) b.vMinPu = 0.95;
    const flagged = solvePowerFlow(model)
      .violations.flatMap((v) => (v.kind === 'voltage_low' ? [v.bus] : []))
      .sort((a, b) => a - b);
    const expected = Object.entries(ref.vm_pu)
      .filter(([, vm]) => vm < 0.95)
      .map(([id]) => Number(id))
      .sort((a, b) => a - b);
    expect(flagged).toEqual(expected);
    expect(flagged.length).toBeGreaterThan(15);
  });

  it('IEEE 33-bus with ties 18-33 and 25-29 closed (two loops) matches a dense Newton-Raphson', () => {
    const ref = MatpowerSolution.parse(fixture('ieee33-two-ties.solution.json'));
    const res = solvePowerFlow(loadFeeder(path.join(here, 'fixtures', 'ieee33-two-ties.m')));
    expect(res.converged).toBe(true);
    expect(res.loops).toBe(2);
    expect(relErr(res.lossKw, ref.loss_kw)).toBeLessThan(1e-5);
    for (const b of res.buses) {
      expect(Math.abs(b.vmPu - (ref.vm_pu[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-6);
      expect(Math.abs(b.vaDeg - (ref.va_deg?.[String(b.id)] ?? Number.NaN))).toBeLessThan(1e-4);
    }
    expect(res.vmin.bus).toBe(ref.vmin_bus);
  });

  it('radial 10,000-bus feeder: every bus within 1e-4 p.u., loss 117.546 kW within 0.5 %', () => {
    const ref = MatpowerSolution.parse(fixture('radial10000.solution.json'));
    const res = solvePowerFlow(loadFeeder(feeder('radial10000.m')));
    expect(res.converged).toBe(true);
    expect(res.buses).toHaveLength(10000);
    let worst = 0;
    for (const b of res.buses) worst = Math.max(worst, Math.abs(b.vmPu - (ref.vm_pu[String(b.id)] ?? Number.NaN)));
    expect(worst).toBeLessThan(1e-4);
    expect(relErr(res.lossKw, 117.546)).toBeLessThan(0.005);
    expect(res.vmin.bus).toBe(ref.vmin_bus);
  });

  it('Kerber Landnetz with PV (pandapower): voltages and the −150° shift, line and transformer loading, losses', () => {
    const ref = PandapowerSolution.parse(fixture('kerber-landnetz-pv.solution.json'));
    const res = solvePowerFlow(loadFeeder(feeder('kerber-landnetz-pv.json')));
    expect(res.converged).toBe(true);
    expect(res.buses).toHaveLength(Object.keys(ref.buses).length);
    for (const b of res.buses) {
      const r = ref.buses[String(b.id)];
      expect(Math.abs(b.vmPu - (r?.vm_pu ?? Number.NaN))).toBeLessThan(1e-4);
      expect(Math.abs(b.vaDeg - (r?.va_deg ?? Number.NaN))).toBeLessThan(1e-3);
    }
    expect(res.buses.find((b) => b.id === 5)?.vaDeg).toBeLessThan(-149);
    for (const l of ref.lines) {
      const br = res.branches.find((b) => b.kind === 'line' && b.from === l.from && b.to === l.to);
      expect(Math.abs((br?.loadingPct ?? Number.NaN) - l.loading_pct)).toBeLessThan(0.5);
      expect(Math.abs((br?.pFromKw ?? Number.NaN) - l.p_from_kw)).toBeLessThan(1e-3);
    }
    const trafo = res.branches.find((b) => b.kind === 'trafo');
    expect(Math.abs((trafo?.loadingPct ?? Number.NaN) - ref.trafo_loading_pct)).toBeLessThan(0.5);
    expect(relErr(res.lossKw, ref.loss_kw)).toBeLessThan(0.005);
    expect(relErr(res.lossKvar, ref.loss_kvar)).toBeLessThan(0.005);
    expect(Math.abs(res.vmin.pu - ref.vmin_pu)).toBeLessThan(1e-6);
    expect(res.vmin.bus).toBe(ref.vmin_bus);
    expect(Math.abs(res.vmax.pu - ref.vmax_pu)).toBeLessThan(1e-6);
  });
});
