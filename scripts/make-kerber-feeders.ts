/**
 * Writes the Kerber "Dorfnetz" (village) and "Vorstadtnetz Kabel 1" (suburb) low-voltage
 * feeders as pandapower JSON into data/feeders/, built the way pandapower's
 * networks/kerber_networks.py builds them from Kerber's published reference networks (G. Kerber,
 * "Aufnahmefähigkeit von Niederspannungsverteilnetzen für die Einspeisung aus
 * Photovoltaikkleinanlagen", TU München, 2011): strands of main cable from the LV busbar, each
 * cabinet feeding one household by a branch-out cable. Households get seeded loads and a third of
 * them rooftop PV, as one snapshot (the simulation replaces them with profiles).
 *
 * The file layout (every table, dtypes, versions) is copied from data/feeders/kerber-landnetz-pv.json,
 * which pandapower 3.5.4 wrote, so pandapower can read the output too.
 *
 *   npx tsx scripts/make-kerber-feeders.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../src/grid/synthetic.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'feeders');

// Kerber cable types as pandapower's kerber_networks.py defines them (ohm/km, nF/km, kA).
const CABLES = {
  'NAYY 4x150': { r_ohm_per_km: 0.2067, x_ohm_per_km: 0.08042478, c_nf_per_km: 830, max_i_ka: 0.275 },
  'NAYY 4x185': { r_ohm_per_km: 0.165, x_ohm_per_km: 0.08042478, c_nf_per_km: 830, max_i_ka: 0.313 },
  'NAYY 4x50': { r_ohm_per_km: 0.6417, x_ohm_per_km: 0.084823, c_nf_per_km: 670, max_i_ka: 0.141 },
  'NYY 4x35': { r_ohm_per_km: 0.5240284, x_ohm_per_km: 0.08513716, c_nf_per_km: 0, max_i_ka: 0.156 },
} as const;
type CableName = keyof typeof CABLES;

// pandapower standard transformer types (Dyn5, tap changer on HV, +-2 x 2.5 %).
const TRAFOS = {
  '0.4 MVA 10/0.4 kV': { sn_mva: 0.4, vk_percent: 4, vkr_percent: 1.325, pfe_kw: 0.95, i0_percent: 0.2375 },
  '0.63 MVA 10/0.4 kV': { sn_mva: 0.63, vk_percent: 4, vkr_percent: 1.0794, pfe_kw: 1.18, i0_percent: 0.1873 },
} as const;

interface Spec {
  file: string;
  name: string;
  trafo: keyof typeof TRAFOS;
  main: CableName;
  strands: number[];
  sectionKm: number[];
  /** Branch-out lengths: alternating (cabinet "MUF" / "KV") when two are given. */
  branchKm: [number] | [number, number];
  /** Branch-out cable types: the second chosen with probability 0.5 after each house. */
  branchCables: [CableName] | [CableName, CableName];
  seed: number;
}

const SPECS: Spec[] = [
  {
    file: 'kerber-dorfnetz.json',
    name: 'kerber-dorfnetz',
    trafo: '0.4 MVA 10/0.4 kV',
    main: 'NAYY 4x150',
    strands: [9, 9, 16, 12, 7, 4],
    sectionKm: [0.04, 0.04, 0.029, 0.032, 0.043, 0.064],
    branchKm: [0.015, 0.031],
    branchCables: ['NAYY 4x50'],
    seed: 2011,
  },
  {
    file: 'kerber-vorstadtnetz-kabel1.json',
    name: 'kerber-vorstadtnetz-kabel1',
    trafo: '0.63 MVA 10/0.4 kV',
    main: 'NAYY 4x150',
    strands: [14, 14, 14, 19, 19, 10, 10, 10, 32, 4],
    sectionKm: [0.021, 0.021, 0.021, 0.017, 0.017, 0.025, 0.025, 0.025, 0.011, 0.06],
    branchKm: [0.011],
    branchCables: ['NAYY 4x50', 'NYY 4x35'],
    seed: 2012,
  },
];

type Row = Record<string, unknown>;
type Envelope = Record<string, unknown> & { _object: string };

/** A DataFrame envelope like the template's, with rows that must fill exactly its columns. */
function frame(template: Envelope, table: string, rows: Row[]): Envelope {
  const { columns } = JSON.parse(template._object) as { columns: string[] };
  const data = rows.map((r, k) => {
    const extra = Object.keys(r).filter((c) => !columns.includes(c));
    const missing = columns.filter((c) => !(c in r));
    if (extra.length > 0 || missing.length > 0) throw new Error(`${table} row ${k}: extra ${extra.join(',')} missing ${missing.join(',')}`);
    return columns.map((c) => r[c]);
  });
  return { ...template, _object: JSON.stringify({ columns, index: rows.map((_, k) => k), data }) };
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function build(spec: Spec, templateNet: Record<string, unknown>): Record<string, unknown> {
  const rand = prng(spec.seed);
  const buses: Row[] = [];
  const lines: Row[] = [];
  const loads: Row[] = [];
  const sgens: Row[] = [];
  const bus = (name: string, vn: number, type: string): number => {
    buses.push({ name, vn_kv: vn, type, zone: null, in_service: true, geo: null });
    return buses.length - 1;
  };
  const line = (name: string, from: number, to: number, km: number, std: CableName): void => {
    lines.push({ name, std_type: std, from_bus: from, to_bus: to, length_km: km, ...CABLES[std], g_us_per_km: 0, df: 1, parallel: 1, type: 'cs', in_service: true, geo: null });
  };
  const hv = bus('Trafostation_OS', 10, 'b');
  const busbar = bus('main_busbar', 0.4, 'b');
  let house = 0;
  spec.strands.forEach((n, s) => {
    let before = busbar;
    let cable: CableName = spec.branchCables[0];
    for (let j = 1; j <= n; j++) {
      const second = spec.branchKm.length === 2 && j % 2 === 0;
      const kind = spec.branchKm.length === 1 ? 'bus' : second ? 'KV' : 'MUF';
      const cabinet = bus(`${kind}_${s + 1}_${j}`, 0.4, kind === 'KV' ? 'b' : 'n');
      line(`line_${s + 1}_${j}`, before, cabinet, spec.sectionKm[s] as number, spec.main);
      const home = bus(`loadbus_${s + 1}_${j}`, 0.4, 'b');
      line(`branchout_line_${s + 1}_${j}`, cabinet, home, (second ? spec.branchKm[1] : spec.branchKm[0]) as number, cable);
      // Household: 1-4 kW at cos phi 0.97; every third house a 4-10 kWp PV system at 70 % output.
      const pKw = 1 + 3 * rand();
      loads.push({
        name: `household_${house}`, bus: home, p_mw: round(pKw / 1000, 9), q_mvar: round((pKw * 0.25) / 1000, 9),
        const_z_p_percent: 0, const_i_p_percent: 0, const_z_q_percent: 0, const_i_q_percent: 0, sn_mva: null, scaling: 1, in_service: true, type: 'wye',
      });
      if (house % 3 === 1) {
        const kwp = 4 + 6 * rand();
        sgens.push({
          name: `pv_${house}`, bus: home, p_mw: round((0.7 * kwp) / 1000, 9), q_mvar: 0, min_q_mvar: null, max_q_mvar: null, sn_mva: round(kwp / 1000, 9),
          scaling: 1, controllable: false, id_q_capability_characteristic: null, reactive_capability_curve: false, curve_style: null, in_service: true, type: 'PV', current_source: true,
        });
      }
      house++;
      if (spec.branchCables.length === 2) cable = rand() > 0.5 ? spec.branchCables[1] : spec.branchCables[0];
      before = cabinet;
    }
  });
  const t = TRAFOS[spec.trafo];
  const trafo: Row = {
    name: 'trafo 1', std_type: spec.trafo, hv_bus: hv, lv_bus: busbar, ...t, vn_hv_kv: 10, vn_lv_kv: 0.4, shift_degree: 150,
    tap_side: 'hv', tap_neutral: 0, tap_min: -2, tap_max: 2, tap_step_percent: 2.5, tap_step_degree: 0, tap_pos: 0, tap_changer_type: 'Ratio',
    id_characteristic_table: null, tap_dependency_table: false, parallel: 1, df: 1, in_service: true, vector_group: 'Dyn5', oltc: false,
  };
  const ext: Row = { name: 'PCC', bus: hv, vm_pu: 1, va_degree: 0, slack_weight: 1, in_service: true, controllable: false };
  const tables: Record<string, Row[]> = { bus: buses, line: lines, load: loads, sgen: sgens, trafo: [trafo], ext_grid: [ext] };
  const out: Record<string, unknown> = { ...templateNet, name: spec.name };
  for (const [table, rows] of Object.entries(tables)) out[table] = frame(templateNet[table] as Envelope, table, rows);
  return out;
}

const template = JSON.parse(readFileSync(path.join(dir, 'kerber-landnetz-pv.json'), 'utf8')) as { _object: Record<string, unknown> };
for (const spec of SPECS) {
  const net = build(spec, template._object);
  writeFileSync(path.join(dir, spec.file), `${JSON.stringify({ ...template, _object: net }, null, 2)}\n`);
  process.stdout.write(`${spec.file}: ${spec.strands.reduce((a, b) => a + b, 0)} households\n`);
}
