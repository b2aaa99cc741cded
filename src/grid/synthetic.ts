import { GridLedgerError } from '../errors.ts';
import { trafoToPi } from './import/pandapowerTrafo.ts';
import type { Branch, Bus, FeederModel, Load, StaticGen } from './model.ts';

/**
 * Seeded synthetic radial feeders, for tests and benchmarks at any size. The same options give
 * the same feeder, bit for bit (its own PRNG; no Math.random).
 *
 * - 'mv': a 12.66 kV feeder in the style of Baran and Wu's 33-bus case (10 MVA base): overhead
 *   line sections of 0.2-1 km (shorter on big feeders: about 30 km of line in all), 0.3-0.8
 *   ohm/km (ACSR 120 to 50 mm2), 0.3-0.4 ohm/km, 8-12 nF/km; the total
 *   load is the 33-bus case's 3.7 MW spread over all buses (each 0.5-1.5x the mean, power factor
 *   about 0.85-0.98); ratings in MVA (MATPOWER's rateA), the smallest standard size at least 1.6x
 *   the peak apparent power downstream. Buses 1..n, bus 1 the slack; branch k feeds bus k+1.
 *   Writable as MATPOWER.
 * - 'lv': a 0.4 kV cable feeder in the style of the Kerber networks: a 10 kV slack bus, a Dyn5
 *   10/0.4 kV transformer (pandapower's standard types, chosen by load), NAYY 4x150 SE main
 *   cables (0.208 ohm/km, 0.08 ohm/km, 261 nF/km, 270 A) with NAYY 4x50 SE house connections
 *   (0.642, 0.083, 210 nF/km, 142 A), households of 1-4 kW, rooftop PV on a share of them.
 *   Current ratings, like pandapower. Buses 1..n: 1 the 10 kV slack, 2 the LV busbar.
 */
export interface SyntheticFeederOptions {
  /** Number of buses, the slack included (mv: at least 2; lv: at least 3). */
  buses: number;
  seed: number;
  voltage?: 'mv' | 'lv';
  /** Share of load buses with PV (default 0.1 mv, 0.3 lv). */
  pvShare?: number;
}

/** mulberry32: a small, fast 32-bit PRNG; floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function syntheticRadialFeeder(opts: SyntheticFeederOptions): FeederModel {
  const voltage = opts.voltage ?? 'mv';
  const min = voltage === 'mv' ? 2 : 3;
  if (!Number.isInteger(opts.buses) || opts.buses < min) {
    throw new GridLedgerError('GRID_SYNTHETIC', `a synthetic ${voltage} feeder needs a whole number of at least ${min} buses, got ${opts.buses}`);
  }
  if (!Number.isInteger(opts.seed)) throw new GridLedgerError('GRID_SYNTHETIC', `seed must be an integer, got ${opts.seed}`);
  return voltage === 'mv' ? mvFeeder(opts.buses, prng(opts.seed), opts.pvShare ?? 0.1) : lvFeeder(opts.buses, prng(opts.seed), opts.pvShare ?? 0.3);
}

const MV_KV = 12.66;
const MV_BASE_MVA = 10;
const MV_TOTAL_KW = 3715;
const MVA_SIZES = [0.5, 1, 2, 4, 6, 8, 10, 15, 20];

function mvFeeder(n: number, rand: () => number, pvShare: number): FeederModel {
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  const zBase = (MV_KV * MV_KV) / MV_BASE_MVA;
  const parent = [0, 0]; // parent[bus], buses 1..n
  const depth = [0, 0];
  for (let k = 2; k <= n; k++) {
    // Mostly continue the current lateral; sometimes branch off anywhere upstream.
    const p = k === 2 || rand() < 0.7 ? k - 1 : 1 + Math.floor(rand() * (k - 1));
    parent.push(p);
    depth.push((depth[p] as number) + 1);
  }
  const meanKw = MV_TOTAL_KW / (n - 1);
  const loads: Load[] = [];
  const sgens: StaticGen[] = [];
  const sKva = new Array<number>(n + 1).fill(0);
  for (let k = 2; k <= n; k++) {
    const pKw = round(meanKw * uniform(0.5, 1.5), 3);
    const qKvar = round(pKw * uniform(0.2, 0.6), 3);
    loads.push({ id: k, bus: k, pKw, qKvar, inService: true });
    sKva[k] = Math.sqrt(pKw * pKw + qKvar * qKvar);
    if (rand() < pvShare) sgens.push({ id: sgens.length + 1, bus: k, pKw: round(meanKw * uniform(0.3, 1), 3), qKvar: 0, kind: 'pv', inService: true });
  }
  // Downstream apparent power (children have larger numbers than parents).
  for (let k = n; k >= 2; k--) sKva[parent[k] as number] = (sKva[parent[k] as number] as number) + (sKva[k] as number);
  // Sections of 0.2-1 km, shortened on big feeders so that the whole stays under ~30 km of line.
  const lengthScale = Math.min(1, 30 / (0.6 * (n - 1)));
  const branches: Branch[] = [];
  for (let k = 2; k <= n; k++) {
    const km = uniform(0.2, 1) * lengthScale;
    const bHalf = (2 * Math.PI * 50 * uniform(0.008e-6, 0.012e-6) * km * zBase) / 2;
    const needMva = (1.6 * (sKva[k] as number)) / 1000;
    const mva = MVA_SIZES.find((s) => s >= needMva) ?? (MVA_SIZES[MVA_SIZES.length - 1] as number);
    branches.push({
      kind: 'line',
      id: k - 1,
      from: parent[k] as number,
      to: k,
      rPu: (uniform(0.3, 0.8) * km) / zBase,
      xPu: (uniform(0.3, 0.4) * km) / zBase,
      gFromPu: 0,
      bFromPu: bHalf,
      gToPu: 0,
      bToPu: bHalf,
      tap: 1,
      shiftDeg: 0,
      inService: true,
      rating: { kind: 'apparent', mva },
    });
  }
  const buses: Bus[] = [];
  for (let k = 1; k <= n; k++) buses.push({ id: k, baseKv: MV_KV, vMinPu: 0.9, vMaxPu: 1.1, inService: true });
  return { name: `synthetic-mv-${n}`, baseMva: MV_BASE_MVA, fHz: 50, buses, branches, loads, sgens, slack: { bus: 1, vmPu: 1, vaDeg: 0 } };
}

/** pandapower standard types "S MVA 10/0.4 kV" (Dyn5): sn, vk %, vkr %, pfe kW, i0 %. */
const LV_TRAFOS: [number, number, number, number, number][] = [
  [0.16, 4, 1.2, 0.38, 0.26],
  [0.25, 4, 1.2, 0.6, 0.24],
  [0.4, 4, 1.325, 0.95, 0.2375],
  [0.63, 4, 1.0794, 1.18, 0.1873],
];
const MAIN_CABLE = { r: 0.208, x: 0.08, cNf: 261, iKa: 0.27 };
const HOUSE_CABLE = { r: 0.642, x: 0.083, cNf: 210, iKa: 0.142 };

function lvFeeder(n: number, rand: () => number, pvShare: number): FeederModel {
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  const baseMva = 1;
  const zBase = (0.4 * 0.4) / baseMva;
  const buses: Bus[] = [
    { id: 1, baseKv: 10, vMinPu: 0.9, vMaxPu: 1.1, inService: true },
    { id: 2, baseKv: 0.4, vMinPu: 0.9, vMaxPu: 1.1, inService: true },
  ];
  const branches: Branch[] = [];
  const loads: Load[] = [];
  const sgens: StaticGen[] = [];
  const mains = [2];
  let lastMain = 2;
  const cable = (id: number, from: number, to: number, c: typeof MAIN_CABLE, km: number): Branch => {
    const bHalf = (2 * Math.PI * 50 * c.cNf * 1e-9 * zBase * km) / 2;
    return {
      kind: 'line', id, from, to, rPu: (c.r * km) / zBase, xPu: (c.x * km) / zBase,
      gFromPu: 0, bFromPu: bHalf, gToPu: 0, bToPu: bHalf, tap: 1, shiftDeg: 0, inService: true,
      rating: { kind: 'current', maxIKa: c.iKa },
    };
  };
  for (let k = 3; k <= n; k++) {
    buses.push({ id: k, baseKv: 0.4, vMinPu: 0.9, vMaxPu: 1.1, inService: true });
    if (k === 3 || rand() < 0.5) {
      // A cable cabinet on the mains: continue the strand, or start one from another cabinet.
      const from = rand() < 0.8 ? lastMain : (mains[Math.floor(rand() * mains.length)] as number);
      branches.push(cable(k - 1, from, k, MAIN_CABLE, uniform(0.02, 0.06)));
      mains.push(k);
      lastMain = k;
    } else {
      const from = rand() < 0.7 ? lastMain : (mains[Math.floor(rand() * mains.length)] as number);
      branches.push(cable(k - 1, from, k, HOUSE_CABLE, uniform(0.01, 0.035)));
      const pKw = round(uniform(1, 4), 3);
      loads.push({ id: loads.length, bus: k, pKw, qKvar: round(pKw * uniform(0.1, 0.3), 3), inService: true });
      if (rand() < pvShare) sgens.push({ id: sgens.length, bus: k, pKw: round(uniform(3, 10), 3), qKvar: 0, kind: 'pv', inService: true });
    }
  }
  // Transformer: the smallest standard size above the households' peak with a 0.6 diversity.
  const peakMva = (0.6 * loads.reduce((s, l) => s + l.pKw, 0)) / 1000;
  const [sn, vk, vkr, pfe, i0] = LV_TRAFOS.find((t) => t[0] >= peakMva) ?? (LV_TRAFOS[LV_TRAFOS.length - 1] as [number, number, number, number, number]);
  const pi = trafoToPi(
    { snMva: sn, vnHvKv: 10, vnLvKv: 0.4, vkPercent: vk, vkrPercent: vkr, pfeKw: pfe, i0Percent: i0, shiftDegree: 150, parallel: 1, leakageRatioHvR: 0.5, leakageRatioHvX: 0.5, taps: [] },
    10,
    0.4,
    baseMva,
  );
  branches.unshift({ kind: 'trafo', id: 0, name: `${sn} MVA 10/0.4 kV`, from: 1, to: 2, ...pi, inService: true, rating: { kind: 'trafo', snMva: sn, fromRatedKv: 10, toRatedKv: 0.4 } });
  return { name: `synthetic-lv-${n}`, baseMva, fHz: 50, buses, branches, loads, sgens, slack: { bus: 1, vmPu: 1, vaDeg: 0 } };
}
