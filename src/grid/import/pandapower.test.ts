import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { parsePandapower } from './pandapower.ts';

const kerberText = readFileSync(new URL('../../../data/feeders/kerber-landnetz-pv.json', import.meta.url), 'utf8');

interface Split {
  columns: string[];
  index: number[];
  data: unknown[][];
}
type Net = { _object: Record<string, { _object: string } & Record<string, unknown>> } & Record<string, unknown>;

/** A copy of the Kerber network with `edit` applied to each named table (orient split). */
function edited(edits: Record<string, (t: Split) => void>, netEdit?: (net: Net) => void): string {
  const net = JSON.parse(kerberText) as Net;
  for (const [table, edit] of Object.entries(edits)) {
    const env = net._object[table] ?? (net._object[table] = { ...net._object['switch'], _object: '{"columns":[],"index":[],"data":[]}' } as Net['_object'][string]);
    const t = JSON.parse(env._object) as Split;
    edit(t);
    env._object = JSON.stringify(t);
  }
  netEdit?.(net);
  return JSON.stringify(net);
}
const col = (t: Split, name: string): number => {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
};
const set = (t: Split, row: number, name: string, value: unknown): void => {
  (t.data[row] as unknown[])[col(t, name)] = value;
};
const addRow = (t: Split, values: Record<string, unknown>): void => {
  t.index.push(t.index.length === 0 ? 0 : Math.max(...t.index) + 1);
  t.data.push(t.columns.map((c) => values[c] ?? null));
};

function importFailure(text: string): GridLedgerError {
  try {
    parsePandapower(text, 'net.json');
  } catch (e) {
    expect(e).toBeInstanceOf(GridLedgerError);
    expect((e as GridLedgerError).code).toBe('GRID_IMPORT');
    return e as GridLedgerError;
  }
  throw new Error('expected the import to fail');
}

describe('parsePandapower on the Kerber Landnetz feeder (pandapower 3.5.4)', () => {
  const m = parsePandapower(kerberText, 'data/feeders/kerber-landnetz-pv.json');

  it('reads the tables with DataFrame indices as ids', () => {
    expect(m.name).toBe('kerber-landnetz-pv');
    expect(m.baseMva).toBe(1);
    expect(m.fHz).toBe(50);
    expect(m.buses).toHaveLength(30);
    expect(m.buses[0]).toEqual({ id: 0, name: 'Trafostation_OS', baseKv: 10, vMinPu: 0.9, vMaxPu: 1.1, inService: true });
    expect(m.branches.filter((b) => b.kind === 'line')).toHaveLength(28);
    expect(m.branches.filter((b) => b.kind === 'trafo').map((b) => [b.id, b.from, b.to])).toEqual([[0, 0, 1]]);
    expect(m.loads).toHaveLength(14);
    expect(m.sgens).toHaveLength(6);
    expect(m.sgens.every((g) => g.kind === 'pv')).toBe(true);
    expect(m.slack).toEqual({ bus: 0, vmPu: 1, vaDeg: 0 });
  });

  it('converts line 0 (53 m of NAYY 4x150) to p.u. on 0.4 kV and 1 MVA', () => {
    const zBase = 0.4 ** 2 / 1;
    const line = m.branches[0];
    expect(line).toMatchObject({ kind: 'line', id: 0, name: 'line_1_1', from: 1, to: 2, tap: 1, shiftDeg: 0, gFromPu: 0, gToPu: 0 });
    expect(line?.rPu).toBeCloseTo((0.2067 * 0.053) / zBase, 14);
    expect(line?.xPu).toBeCloseTo((0.08042478 * 0.053) / zBase, 14);
    const bTotal = 2 * Math.PI * 50 * 830e-9 * 0.053 * zBase;
    expect(line?.bFromPu).toBeCloseTo(bTotal / 2, 16);
    expect(line?.bToPu).toBeCloseTo(bTotal / 2, 16);
    expect(line?.rating).toEqual({ kind: 'current', maxIKa: 0.275 });
  });

  it('builds the 160 kVA Dyn5 transformer with its 150 degree shift and its rating', () => {
    const t = m.branches.find((b) => b.kind === 'trafo');
    expect(t?.shiftDeg).toBe(150);
    expect(t?.tap).toBe(1);
    // r ~ vkr/sn = 0.075 p.u., x ~ sqrt(0.25^2 - 0.075^2), iron losses 0.38 kW -> g = 0.00038 p.u. in all.
    expect(t?.rPu).toBeCloseTo(0.075, 4);
    expect(t?.xPu).toBeCloseTo(Math.sqrt(0.25 ** 2 - 0.075 ** 2), 4);
    expect((t?.gFromPu ?? 0) + (t?.gToPu ?? 0)).toBeCloseTo(0.00038, 6);
    expect(t?.rating).toEqual({ kind: 'trafo', snMva: 0.16, fromRatedKv: 10, toRatedKv: 0.4 });
  });

  it('takes loads in kW with scaling', () => {
    expect(m.loads[0]).toMatchObject({ id: 0, bus: 3, inService: true });
    expect(m.loads[0]?.pKw).toBeCloseTo(1.256947501431, 12);
    expect(m.loads[0]?.qKvar).toBeCloseTo(0.314236875358, 12);
    const scaled = parsePandapower(edited({ load: (t) => set(t, 0, 'scaling', 2) }), 'x.json');
    expect(scaled.loads[0]?.pKw).toBeCloseTo(2 * 1.256947501431, 12);
  });
});

describe('parsePandapower options and versions', () => {
  it('honours in_service, voltage limits, open line switches and storage', () => {
    const m = parsePandapower(
      edited({
        bus: (t) => {
          t.columns.push('min_vm_pu', 'max_vm_pu');
          t.data.forEach((r, k) => r.push(k === 3 ? 0.95 : null, null));
        },
        line: (t) => set(t, 1, 'in_service', false),
        switch: (t) => addRow(t, { bus: 4, element: 3, et: 'l', type: 'LBS', closed: false }),
        storage: (t) => addRow(t, { bus: 7, p_mw: 0.002, q_mvar: 0, scaling: 1, in_service: true }),
      }),
      'x.json',
    );
    expect(m.buses[3]).toMatchObject({ vMinPu: 0.95, vMaxPu: 1.1 });
    expect(m.branches[1]?.inService).toBe(false);
    expect(m.branches[3]?.inService).toBe(false);
    expect(m.branches[2]?.inService).toBe(true);
    expect(m.sgens.at(-1)).toMatchObject({ bus: 7, pKw: -2, kind: 'battery' });
  });

  it('applies an HV tap position and an off-nominal bus voltage', () => {
    const m = parsePandapower(
      edited({
        trafo: (t) => {
          for (const [c, v] of Object.entries({ tap_side: 'hv', tap_neutral: 0, tap_pos: -2, tap_step_percent: 2.5, tap_changer_type: 'Ratio' })) set(t, 0, c, v);
        },
        bus: (t) => set(t, 0, 'vn_kv', 10.5),
      }),
      'x.json',
    );
    // (10 * 0.95 / 0.4) / (10.5 / 0.4)
    expect(m.branches.find((b) => b.kind === 'trafo')?.tap).toBeCloseTo(9.5 / 10.5, 12);
  });

  it('reads the pandapower 2 layout (tap_phase_shifter, const_z_percent, network object as a string)', () => {
    const v2 = edited(
      {
        trafo: (t) => {
          for (const c of ['tap_changer_type', 'tap_dependency_table', 'id_characteristic_table']) {
            const i = col(t, c);
            t.columns.splice(i, 1);
            for (const r of t.data) r.splice(i, 1);
          }
          t.columns.push('tap_phase_shifter');
          (t.data[0] as unknown[]).push(true);
          for (const [c, v] of Object.entries({ tap_side: 'lv', tap_neutral: 0, tap_pos: 1, tap_step_degree: 30 })) set(t, 0, c, v);
        },
        load: (t) => {
          t.columns = ['name', 'bus', 'p_mw', 'q_mvar', 'const_z_percent', 'const_i_percent', 'sn_mva', 'scaling', 'in_service', 'type'];
          t.data = t.data.map((r) => [r[0], r[1], r[2], r[3], 0, 0, null, 1, true, 'wye']);
        },
      },
      (net) => {
        (net._object as unknown as Record<string, unknown>)['version'] = '2.13.1';
        (net as Record<string, unknown>)['_object'] = JSON.stringify(net._object);
      },
    );
    const m = parsePandapower(v2, 'v2.json');
    // An ideal phase shifter on the LV side one step up: 150 - 30.
    expect(m.branches.find((b) => b.kind === 'trafo')?.shiftDeg).toBeCloseTo(120, 12);
    expect(m.loads).toHaveLength(14);
  });
});

describe('parsePandapower bad files', () => {
  it('names a truncated file', () => {
    expect(importFailure(kerberText.slice(0, 5000)).message).toMatch(/^net\.json:62: the file is not valid JSON: .*\(file truncated\?\)/);
  });

  it('refuses two ext_grids in service', () => {
    const two = edited({ ext_grid: (t) => addRow(t, { bus: 0, vm_pu: 1, va_degree: 0, slack_weight: 1, in_service: true, controllable: false }) });
    expect(importFailure(two).message).toMatch(/^net\.json table ext_grid: 2 ext_grids in service \(indices 0, 1\), expected exactly one/);
  });

  it('refuses an unknown table and unsupported elements, naming them', () => {
    const unknown = edited({}, (net) => {
      net._object['heat_pump'] = { ...net._object['load'], _object: net._object['load']?._object } as Net['_object'][string];
    });
    expect(importFailure(unknown).message).toMatch(/table heat_pump: unknown table with 14 rows/);
    expect(importFailure(edited({ shunt: (t) => addRow(t, { bus: 3, q_mvar: 0.01, p_mw: 0, vn_kv: 0.4, step: 1, max_step: 1, in_service: true }) })).message).toMatch(
      /table shunt: 1 rows of shunt admittances, which the feeder model does not support/,
    );
  });

  it('names a non-numeric field, a missing column and a bad bus reference', () => {
    expect(importFailure(edited({ line: (t) => set(t, 3, 'r_ohm_per_km', 'abc') })).message).toMatch(/^net\.json line\[3\]\.r_ohm_per_km: expected a finite number, found "abc"/);
    expect(importFailure(edited({ line: (t) => set(t, 3, 'length_km', null) })).message).toMatch(/line\[3\]\.length_km: expected a finite number, found null/);
    const noVk = edited({ trafo: (t) => {
      const i = col(t, 'vk_percent');
      t.columns.splice(i, 1);
      for (const r of t.data) r.splice(i, 1);
    } });
    expect(importFailure(noVk).message).toMatch(/table trafo: column vk_percent is missing/);
    expect(importFailure(edited({ load: (t) => set(t, 2, 'bus', 99) })).message).toMatch(/load\[2\]\.bus: bus 99 is not in the bus table/);
    expect(importFailure(edited({ line: (t) => t.data[0]?.pop() })).message).toMatch(/line\[0\]: row has 14 values, expected 15/);
  });

  it('refuses ZIP loads and closed bus-bus switches clearly', () => {
    expect(importFailure(edited({ load: (t) => set(t, 1, 'const_z_p_percent', 50) })).message).toMatch(/load\[1\]\.const_z_p_percent: 50: voltage-dependent \(ZIP\) loads/);
    expect(importFailure(edited({ switch: (t) => addRow(t, { bus: 2, element: 4, et: 'b', closed: true }) })).message).toMatch(/closed bus-bus switch between buses 2 and 4/);
  });

  it('refuses a file that is not a pandapower network', () => {
    expect(importFailure('{"_module": "x", "_class": "y", "_object": {}}').message).toMatch(/expected a pandapower network/);
  });
});
