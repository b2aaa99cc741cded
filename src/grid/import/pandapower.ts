import { z } from 'zod';
import type { Branch, Bus, FeederModel, Load, StaticGen } from '../model.ts';
import { frameReader, isFrameEnvelope, parseJsonText, readFrame, type FrameReader } from './dataFrame.ts';
import { finishModel } from './finishModel.ts';
import { importError } from './importError.ts';
import { trafoToPi, type TapChanger } from './pandapowerTrafo.ts';

/**
 * pandapower networks as `pandapower.to_json` writes them (pandapower 2.x and 3.x) to the feeder
 * model. Reads bus, line, trafo, load, sgen, storage, ext_grid and switch; ignores stored
 * results, estimation, short-circuit and cost tables; refuses, naming the table, any element
 * the model cannot represent (gen, shunt, trafo3w, ...) instead of dropping it silently.
 */

const NetSchema = z.looseObject({
  _module: z.literal('pandapower.auxiliary'),
  _class: z.literal('pandapowerNet'),
  _object: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

const READ = new Set(['bus', 'line', 'trafo', 'load', 'sgen', 'storage', 'ext_grid', 'switch']);
/** Element tables that change the physics: a file with rows in them is refused. */
const UNSUPPORTED: Record<string, string> = {
  gen: 'voltage-controlled generators (PV nodes)',
  shunt: 'shunt admittances',
  motor: 'motors',
  asymmetric_load: 'unbalanced loads',
  asymmetric_sgen: 'unbalanced static generators',
  trafo3w: 'three-winding transformers',
  impedance: 'impedance elements',
  tcsc: 'TCSC elements',
  svc: 'static var compensators',
  ssc: 'static synchronous compensators',
  vsc: 'voltage source converters',
  vsc_stacked: 'voltage source converters',
  vsc_bipolar: 'voltage source converters',
  b2b_vsc: 'back-to-back converters',
  dcline: 'DC lines',
  ward: 'ward equivalents',
  xward: 'extended ward equivalents',
  bus_dc: 'DC buses',
  line_dc: 'DC lines',
  source_dc: 'DC sources',
  load_dc: 'DC loads',
};
const IGNORED = new Set([
  'poly_cost', 'pwl_cost', 'controller', 'group', 'measurement', 'characteristic', 'trafo_characteristic_table',
  'shunt_characteristic_table', 'q_capability_curve_table', 'q_capability_curve_characteristic',
  'bus_geodata', 'line_geodata', 'substation',
]);
const isIgnored = (key: string): boolean =>
  IGNORED.has(key) || key.startsWith('res_') || key.startsWith('_') || /_(est|sc|3ph)$/.test(key);

const baseName = (source: string): string => (source.split(/[\\/]/).pop() ?? source).replace(/\.json$/, '');

export function parsePandapower(text: string, source: string): FeederModel {
  const outer = NetSchema.safeParse(parseJsonText(text, source, 'the file'));
  if (!outer.success) {
    throw importError(source, null, `expected a pandapower network ({"_module": "pandapower.auxiliary", "_class": "pandapowerNet", "_object": ...}): ${z.prettifyError(outer.error)}`);
  }
  const netRaw = typeof outer.data._object === 'string' ? parseJsonText(outer.data._object, source, 'the network object') : outer.data._object;
  if (typeof netRaw !== 'object' || netRaw === null || Array.isArray(netRaw)) throw importError(source, null, 'the network object is not a JSON object');
  const net = netRaw as Record<string, unknown>;

  const version = typeof net['version'] === 'string' ? net['version'] : null;
  if (version !== null && /^[01]\./.test(version)) {
    throw importError(source, 'version', `pandapower ${version} files (kW units) are not supported; save the network with pandapower 2 or later`);
  }
  const options = net['user_pf_options'];
  if (typeof options === 'object' && options !== null && 'trafo_model' in options && (options as Record<string, unknown>)['trafo_model'] !== 't') {
    throw importError(source, 'user_pf_options.trafo_model', "only pandapower's default transformer model 't' is supported");
  }

  const frames = new Map<string, FrameReader>();
  for (const key of Object.keys(net).sort()) {
    const value = net[key];
    if (!isFrameEnvelope(value) || isIgnored(key)) continue;
    const reader = frameReader(readFrame(value, key, source), source);
    const rows = reader.frame.index.length;
    if (READ.has(key)) frames.set(key, reader);
    else if (rows > 0) {
      const what = UNSUPPORTED[key];
      throw importError(
        source,
        `table ${key}`,
        what === undefined
          ? `unknown table with ${rows} rows; this importer reads ${[...READ].join(', ')}`
          : `${rows} rows of ${what}, which the feeder model does not support`,
      );
    }
  }
  const frame = (key: string): FrameReader => {
    const f = frames.get(key);
    if (f === undefined) throw importError(source, `table ${key}`, 'is missing');
    return f;
  };
  const optionalFrame = (key: string): FrameReader | null => frames.get(key) ?? null;

  const fHz = num(net, 'f_hz', 50, source);
  const baseMva = num(net, 'sn_mva', 1, source);

  // Buses
  const busF = frame('bus');
  const buses: Bus[] = [];
  const busKv = new Map<number, number>();
  for (let k = 0; k < busF.frame.index.length; k++) {
    const id = busF.frame.index[k] as number;
    if (busKv.has(id)) throw importError(source, busF.at(k), 'bus index appears twice');
    const baseKv = busF.num(k, 'vn_kv');
    if (!(baseKv > 0)) throw importError(source, busF.at(k, 'vn_kv'), `expected a positive voltage in kV, found ${baseKv}`);
    // pandapower leaves voltage limits empty unless an OPF needs them; 0.9-1.1 p.u. is the usual band.
    const vMinPu = busF.num(k, 'min_vm_pu', 0.9);
    const vMaxPu = busF.num(k, 'max_vm_pu', 1.1);
    if (!(vMinPu > 0 && vMinPu <= vMaxPu)) throw importError(source, busF.at(k), `min_vm_pu ${vMinPu} and max_vm_pu ${vMaxPu}: expected 0 < min <= max`);
    busKv.set(id, baseKv);
    const name = busF.strOrNull(k, 'name');
    buses.push({ id, ...(name === null ? {} : { name }), baseKv, vMinPu, vMaxPu, inService: busF.bool(k, 'in_service', true) });
  }
  const busRef = (f: FrameReader, k: number, col: string): number => {
    const id = f.num(k, col);
    if (!busKv.has(id)) throw importError(source, f.at(k, col), `bus ${id} is not in the bus table`);
    return id;
  };

  // Switches: open line/trafo switches take the element out of service; closed bus-bus switches
  // would fuse two buses, which the model does not do.
  const openLines = new Set<number>();
  const openTrafos = new Set<number>();
  const switchF = optionalFrame('switch');
  const switchElements: { k: number; et: string; element: number; bus: number }[] = [];
  for (let k = 0; k < (switchF?.frame.index.length ?? 0); k++) {
    const f = switchF as FrameReader;
    const et = f.strOrNull(k, 'et');
    const closed = f.bool(k, 'closed');
    const bus = busRef(f, k, 'bus');
    const element = f.num(k, 'element');
    if (et === 'b') {
      if (!busKv.has(element)) throw importError(source, f.at(k, 'element'), `bus ${element} is not in the bus table`);
      if (closed) {
        throw importError(source, f.at(k), `closed bus-bus switch between buses ${bus} and ${element}: bus fusion is not supported; merge the two buses or open the switch`);
      }
    } else if (et === 'l' || et === 't') {
      switchElements.push({ k, et, element, bus });
      if (!closed) (et === 'l' ? openLines : openTrafos).add(element);
    } else {
      throw importError(source, f.at(k, 'et'), `switch element type ${JSON.stringify(et)}, expected 'b', 'l' or 't'`);
    }
  }

  /** Lines and transformers share pandapower's `parallel` (whole units) and `df` (derating). */
  const parallelAndDerating = (f: FrameReader, k: number): { parallel: number; df: number } => {
    const parallel = f.num(k, 'parallel', 1);
    const df = f.num(k, 'df', 1);
    if (!(Number.isInteger(parallel) && parallel >= 1)) throw importError(source, f.at(k, 'parallel'), `expected a whole number >= 1, found ${parallel}`);
    if (!(df > 0 && df <= 1)) throw importError(source, f.at(k, 'df'), `expected a derating factor in (0, 1], found ${df}`);
    return { parallel, df };
  };

  const branches: Branch[] = [];
  const lineEnds = new Map<number, [number, number]>();
  const lineF = optionalFrame('line');
  for (let k = 0; k < (lineF?.frame.index.length ?? 0); k++) {
    const f = lineF as FrameReader;
    const id = f.frame.index[k] as number;
    const from = busRef(f, k, 'from_bus');
    const to = busRef(f, k, 'to_bus');
    if (from === to) throw importError(source, f.at(k), `line connects bus ${from} to itself`);
    const length = f.num(k, 'length_km');
    const { parallel, df } = parallelAndDerating(f, k);
    const maxIKa = f.num(k, 'max_i_ka');
    if (!(length > 0)) throw importError(source, f.at(k, 'length_km'), `expected a positive length, found ${length}`);
    if (!(maxIKa > 0)) throw importError(source, f.at(k, 'max_i_ka'), `expected a positive current in kA, found ${maxIKa}`);
    // pandapower puts a line on the base of its from bus.
    const baseZ = ((busKv.get(from) as number) ** 2) / baseMva;
    const r = (f.num(k, 'r_ohm_per_km') * length) / baseZ / parallel;
    const x = (f.num(k, 'x_ohm_per_km') * length) / baseZ / parallel;
    if (r === 0 && x === 0) throw importError(source, f.at(k), 'line has zero impedance; use a bus-bus switch or merge the buses');
    const b = 2 * Math.PI * fHz * f.num(k, 'c_nf_per_km') * 1e-9 * baseZ * length * parallel;
    const g = f.num(k, 'g_us_per_km', 0) * 1e-6 * baseZ * length * parallel;
    const name = f.strOrNull(k, 'name');
    lineEnds.set(id, [from, to]);
    branches.push({
      kind: 'line',
      id,
      ...(name === null ? {} : { name }),
      from,
      to,
      rPu: r,
      xPu: x,
      gFromPu: g / 2,
      bFromPu: b / 2,
      gToPu: g / 2,
      bToPu: b / 2,
      tap: 1,
      shiftDeg: 0,
      inService: f.bool(k, 'in_service', true) && !openLines.has(id),
      rating: { kind: 'current', maxIKa: maxIKa * df * parallel },
    });
  }

  const trafoEnds = new Map<number, [number, number]>();
  const trafoF = optionalFrame('trafo');
  for (let k = 0; k < (trafoF?.frame.index.length ?? 0); k++) {
    const f = trafoF as FrameReader;
    const id = f.frame.index[k] as number;
    const hv = busRef(f, k, 'hv_bus');
    const lv = busRef(f, k, 'lv_bus');
    if (hv === lv) throw importError(source, f.at(k), `transformer connects bus ${hv} to itself`);
    const snMva = f.num(k, 'sn_mva');
    const { parallel, df } = parallelAndDerating(f, k);
    const vk = f.num(k, 'vk_percent');
    const vkr = f.num(k, 'vkr_percent');
    if (!(snMva > 0)) throw importError(source, f.at(k, 'sn_mva'), `expected a positive rating, found ${snMva}`);
    if (!(vk > 0 && vkr >= 0 && vkr <= vk)) throw importError(source, f.at(k), `vk_percent ${vk} and vkr_percent ${vkr}: expected 0 <= vkr <= vk, vk > 0`);
    if (f.bool(k, 'tap_dependency_table', false) || f.bool(k, 'tap_dependent_impedance', false)) {
      throw importError(source, f.at(k), 'tap-dependent impedance (characteristic tables) is not supported');
    }
    const ratioR = f.num(k, 'leakage_resistance_ratio_hv', 0.5);
    const ratioX = f.num(k, 'leakage_reactance_ratio_hv', 0.5);
    if (!(ratioR > 0 && ratioR < 1 && ratioX > 0 && ratioX < 1)) throw importError(source, f.at(k), 'leakage ratios on the HV side must lie strictly between 0 and 1');
    const vnHvKv = f.num(k, 'vn_hv_kv');
    const vnLvKv = f.num(k, 'vn_lv_kv');
    if (!(vnHvKv > 0 && vnLvKv > 0)) throw importError(source, f.at(k), `vn_hv_kv ${vnHvKv} and vn_lv_kv ${vnLvKv}: expected positive voltages`);
    const taps = [tapChanger(f, k, '', source), tapChanger(f, k, '2', source)].filter((t): t is TapChanger => t !== null);
    let pi;
    try {
      pi = trafoToPi(
        {
          snMva,
          vnHvKv,
          vnLvKv,
          vkPercent: vk,
          vkrPercent: vkr,
          pfeKw: f.num(k, 'pfe_kw', 0),
          i0Percent: f.num(k, 'i0_percent', 0),
          shiftDegree: f.num(k, 'shift_degree', 0),
          parallel,
          leakageRatioHvR: ratioR,
          leakageRatioHvX: ratioX,
          taps,
        },
        busKv.get(hv) as number,
        busKv.get(lv) as number,
        baseMva,
      );
    } catch (e) {
      throw importError(source, f.at(k), e instanceof Error ? e.message : String(e));
    }
    if (!Object.values(pi).every(Number.isFinite)) throw importError(source, f.at(k), 'nameplate data give a non-finite equivalent circuit');
    const name = f.strOrNull(k, 'name');
    trafoEnds.set(id, [hv, lv]);
    branches.push({
      kind: 'trafo',
      id,
      ...(name === null ? {} : { name }),
      from: hv,
      to: lv,
      ...pi,
      inService: f.bool(k, 'in_service', true) && !openTrafos.has(id),
      rating: { kind: 'trafo', snMva: snMva * parallel * df, fromRatedKv: vnHvKv, toRatedKv: vnLvKv },
    });
  }
  for (const s of switchElements) {
    const ends = (s.et === 'l' ? lineEnds : trafoEnds).get(s.element);
    const what = s.et === 'l' ? 'line' : 'trafo';
    if (ends === undefined) throw importError(source, (switchF as FrameReader).at(s.k, 'element'), `${what} ${s.element} is not in the ${what} table`);
    if (!ends.includes(s.bus)) throw importError(source, (switchF as FrameReader).at(s.k, 'bus'), `bus ${s.bus} is not an end of ${what} ${s.element}`);
  }

  const loads: Load[] = [];
  const loadF = optionalFrame('load');
  for (let k = 0; k < (loadF?.frame.index.length ?? 0); k++) {
    const f = loadF as FrameReader;
    for (const col of ['const_z_percent', 'const_i_percent', 'const_z_p_percent', 'const_i_p_percent', 'const_z_q_percent', 'const_i_q_percent']) {
      const v = f.num(k, col, 0);
      if (v !== 0) throw importError(source, f.at(k, col), `${v}: voltage-dependent (ZIP) loads are not supported, only constant power (0)`);
    }
    const scaling = f.num(k, 'scaling', 1);
    const name = f.strOrNull(k, 'name');
    loads.push({
      id: f.frame.index[k] as number,
      ...(name === null ? {} : { name }),
      bus: busRef(f, k, 'bus'),
      pKw: f.num(k, 'p_mw') * scaling * 1000,
      qKvar: f.num(k, 'q_mvar', 0) * scaling * 1000,
      inService: f.bool(k, 'in_service', true),
    });
  }

  const sgens: StaticGen[] = [];
  const sgenF = optionalFrame('sgen');
  for (let k = 0; k < (sgenF?.frame.index.length ?? 0); k++) {
    const f = sgenF as FrameReader;
    const scaling = f.num(k, 'scaling', 1);
    const name = f.strOrNull(k, 'name');
    sgens.push({
      id: f.frame.index[k] as number,
      ...(name === null ? {} : { name }),
      bus: busRef(f, k, 'bus'),
      pKw: f.num(k, 'p_mw') * scaling * 1000,
      qKvar: f.num(k, 'q_mvar', 0) * scaling * 1000,
      kind: sgenKind(f.strOrNull(k, 'type')),
      inService: f.bool(k, 'in_service', true),
    });
  }
  // Storage is consumption-positive in pandapower (charging > 0): an injection of the opposite sign.
  const storageF = optionalFrame('storage');
  const storageIdOffset = sgens.reduce((m, g) => Math.max(m, g.id + 1), 0);
  for (let k = 0; k < (storageF?.frame.index.length ?? 0); k++) {
    const f = storageF as FrameReader;
    const scaling = f.num(k, 'scaling', 1);
    const name = f.strOrNull(k, 'name');
    sgens.push({
      id: storageIdOffset + (f.frame.index[k] as number),
      name: name ?? `storage ${f.frame.index[k]}`,
      bus: busRef(f, k, 'bus'),
      pKw: -f.num(k, 'p_mw') * scaling * 1000,
      qKvar: -f.num(k, 'q_mvar', 0) * scaling * 1000,
      kind: 'battery',
      inService: f.bool(k, 'in_service', true),
    });
  }

  const extF = frame('ext_grid');
  const live: number[] = [];
  for (let k = 0; k < extF.frame.index.length; k++) if (extF.bool(k, 'in_service', true)) live.push(k);
  if (live.length !== 1) {
    throw importError(source, 'table ext_grid', `${live.length} ext_grids in service (indices ${live.map((k) => extF.frame.index[k]).join(', ') || 'none'}), expected exactly one: the PCC`);
  }
  const e = live[0] as number;
  const slack = { bus: busRef(extF, e, 'bus'), vmPu: extF.num(e, 'vm_pu', 1), vaDeg: extF.num(e, 'va_degree', 0) };

  const name = typeof net['name'] === 'string' && net['name'] !== '' ? net['name'] : baseName(source);
  return finishModel({ name, baseMva, fHz, buses, branches, loads, sgens, slack }, source);
}

function num(net: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const v = net[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw importError(source, key, `expected a positive number, found ${JSON.stringify(v)}`);
  return v;
}

function sgenKind(type: string | null): StaticGen['kind'] {
  const t = (type ?? '').toLowerCase();
  if (t === 'pv' || t.includes('solar')) return 'pv';
  if (t === 'wp' || t.includes('wind')) return 'wind';
  if (t.includes('batt') || t.includes('storage')) return 'battery';
  return 'other';
}

/**
 * The tap changer `tap{suffix}_*` of a transformer row, or null when it has no effect. pandapower
 * 3 names its kind in tap_changer_type ('Ratio', 'Symmetrical', 'Ideal', 'Tabular'); pandapower 2
 * in the boolean tap_phase_shifter (true = ideal phase shifter).
 */
function tapChanger(f: FrameReader, k: number, suffix: string, source: string): TapChanger | null {
  const col = (name: string): string => `tap${suffix}_${name}`;
  if (!f.has(col('pos'))) return null;
  const pos = f.numOrNull(k, col('pos'));
  const side = f.strOrNull(k, col('side'));
  let type: TapChanger['type'];
  if (f.has(col('changer_type'))) {
    const kind = f.strOrNull(k, col('changer_type'));
    if (kind === null || kind === 'None') return null;
    if (kind === 'Ratio' || kind === 'Symmetrical') type = 'ratio';
    else if (kind === 'Ideal') type = 'ideal';
    else throw importError(source, f.at(k, col('changer_type')), `tap changer type ${JSON.stringify(kind)} is not supported (Ratio, Symmetrical, Ideal)`);
  } else {
    type = f.bool(k, col('phase_shifter'), false) ? 'ideal' : 'ratio';
  }
  if (pos === null || (side !== 'hv' && side !== 'lv')) return null;
  const stepPercent = f.numOrNull(k, col('step_percent'));
  const neutral = f.numOrNull(k, col('neutral'));
  // pandapower turns a missing step or neutral into a zero step (NaN replaced by 0).
  if (neutral === null || (type === 'ratio' && stepPercent === null)) return null;
  return {
    side,
    pos,
    neutral,
    stepPercent: stepPercent ?? 0,
    stepDegree: f.num(k, col('step_degree'), 0),
    type,
  };
}
