import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadFeeder } from '../grid/import/feederFile.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import { pfJson, pfTable, type PfJson } from './grid.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, ['bin/gridledger.js', ...args], { cwd: root });

describe('gridledger grid pf', () => {
  it('prints the DESIGN.md section 7 JSON for the IEEE 33-bus feeder', async () => {
    const { stdout } = await cli('grid', 'pf', '--case', 'data/feeders/ieee33.m', '--json');
    const out = JSON.parse(stdout) as PfJson;
    expect(Object.keys(out).sort()).toEqual(['branches', 'buses', 'converged', 'iterations', 'loss_kvar', 'loss_kw', 'vmin_bus', 'vmin_pu']);
    expect(out.converged).toBe(true);
    expect(out.iterations).toBeGreaterThan(0);
    // Baran and Wu's published figures: 202.68 kW / 135.14 kvar, 0.91309 p.u. at bus 18.
    expect(Math.abs(out.loss_kw / 202.68 - 1)).toBeLessThan(0.005);
    expect(Math.abs(out.loss_kvar / 135.14 - 1)).toBeLessThan(0.005);
    expect(out.vmin_bus).toBe(18);
    expect(out.vmin_pu).toBeCloseTo(0.91309, 4);
    expect(out.buses).toHaveLength(33);
    expect(out.buses[0]).toEqual({ id: 1, vm_pu: 1, va_deg: 0 });
    expect(Object.keys(out.buses[17] ?? {})).toEqual(['id', 'vm_pu', 'va_deg']);
    expect(out.branches).toHaveLength(37);
    expect(Object.keys(out.branches[0] ?? {})).toEqual(['kind', 'from', 'to', 'p_from_kw', 'q_from_kvar', 'loading_pct']);
    expect(out.branches.every((b) => b.kind === 'line' && b.loading_pct === null)).toBe(true);
    // The head line carries the load plus the losses.
    expect(out.branches[0]?.p_from_kw).toBeCloseTo(3715 + out.loss_kw, 2);
  });

  it('prints a readable table, and a clear error for a bad file', async () => {
    const { stdout } = await cli('grid', 'pf', '--case', 'data/feeders/kerber-landnetz-pv.json');
    expect(stdout).toMatch(/^kerber-landnetz-pv: 30 buses, 29 branches/);
    expect(stdout).toMatch(/lowest voltages\n +bus +vm_pu +va_deg\n +29 +0\.9974/);
    expect(stdout).toMatch(/most loaded branches/);
    await expect(cli('grid', 'pf', '--case', 'data/feeders/nothere.m')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/error \[GRID_IMPORT\]: data\/feeders\/nothere\.m: cannot read the feeder file/) as unknown,
    });
  });

  it('reports pandapower ids and loading for the LV feeder with its transformer', () => {
    const model = loadFeeder(`${root}data/feeders/kerber-landnetz-pv.json`);
    const out = pfJson(solvePowerFlow(model));
    expect(out.buses.map((b) => b.id)).toEqual(model.buses.map((b) => b.id));
    const trafo = out.branches.find((b) => b.kind === 'trafo');
    expect(trafo).toMatchObject({ from: 0, to: 1 });
    // pandapower 3.5.4: the transformer is loaded 15.1837 %, the LV side sits near -150 degrees.
    expect(trafo?.loading_pct).toBeCloseTo(15.1837, 2);
    expect(out.buses[1]?.va_deg).toBeCloseTo(-149.654, 2);
    expect(pfTable(model, solvePowerFlow(model))).toMatch(/trafo +0 +1 /);
  });
});
