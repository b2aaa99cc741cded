/**
 * The grid check used by the market and by consensus: given net injections per bus (integer W,
 * positive = into the grid) on top of the feeder's own loads and generators, run the AC power
 * flow and list every limit it breaks, deciding on integers.
 *
 * Determinism (DESIGN.md section 4): everything on this path (network build, sweep, flows, this
 * file) uses only + − × ÷ and Math.sqrt on doubles, in a fixed order, so every validator computes
 * the same bits; floats become integers by Math.round before any comparison:
 * - branch currents in mA against the rating in mA (pandapower lines: maxIKa; transformers: the
 *   rated current sn/(√3·rated kV) of each side, the end with the larger ratio deciding), or
 *   apparent power in VA against the rating in VA (MATPOWER rateA);
 * - bus voltages in units of 1e-5 p.u. against vMinPu and vMaxPu in the same units;
 * - the PCC's apparent power in VA against the slack's limitKva.
 * A state that does not converge is infeasible. Injections sum exactly as integers before the one
 * conversion to p.u.
 */
import { GridLedgerError } from '../../errors.ts';
import type { Branch, Bus, FeederModel } from '../model.ts';
import { branchFlows } from '../powerflow/flows.ts';
import { backgroundDemandPu, positionOf } from '../powerflow/loads.ts';
import { buildNetwork, lookupBus } from '../powerflow/network.ts';
import { scratchF64 } from '../powerflow/scratch.ts';
import { solveSweep } from '../powerflow/sweep.ts';

export interface BusInjectionW {
  bus: number;
  /** Net active power into the grid at the bus, integer W (negative: withdrawal). */
  w: number;
}

export interface FeasibilityOptions {
  /** Power-flow tolerance, p.u. on baseMva (default 1e-8). */
  tolPu?: number;
  /** Most sweeps (default 100). */
  maxIter?: number;
}

export type ViolationKind = 'branch' | 'voltage_low' | 'voltage_high' | 'pcc';

export interface FeasibilityViolation {
  kind: ViolationKind;
  /** For kind 'branch': the branch's kind (ids are per kind in pandapower). */
  branchKind: 'line' | 'trafo' | null;
  /** Branch id, bus id, or the slack bus id for 'pcc'. */
  id: number;
  unit: 'mA' | 'VA' | '1e-5pu';
  value: number;
  limit: number;
  /** How far beyond the limit, > 0, in `unit`. */
  excess: number;
}

export interface FeasibilityReport {
  /** Converged and no violation. */
  feasible: boolean;
  converged: boolean;
  iterations: number;
  /** Sorted by kind (branch, voltage_low, voltage_high, pcc), then branch kind, then id. */
  violations: FeasibilityViolation[];
  /** Energized buses in model order, voltage in 1e-5 p.u. */
  buses: { id: number; vmE5: number }[];
  /** Branches carrying current, in model order: power into each end (W, var), currents (mA). */
  branches: { kind: 'line' | 'trafo'; id: number; from: number; to: number; pFromW: number; qFromVar: number; pToW: number; qToVar: number; iFromMa: number; iToMa: number }[];
  /** Import from the main grid at the PCC (negative: export). */
  pcc: { pW: number; qVar: number; sVa: number; limitVa: number | null };
  lossW: number;
}

export type FeasibilityChecker = (netInjectionsW: readonly BusInjectionW[]) => FeasibilityReport;

const SQRT3 = Math.sqrt(3);
const KIND_ORDER: Record<ViolationKind, number> = { branch: 0, voltage_low: 1, voltage_high: 2, pcc: 3 };

/** Builds the network once; the returned checker runs one AC power flow per call. */
export function createFeasibilityChecker(model: FeederModel, opts: FeasibilityOptions = {}): FeasibilityChecker {
  const net = buildNetwork(model);
  const background = backgroundDemandPu(model, net).pq;
  const wPerPu = model.baseMva * 1e6;
  const sweepOpts: { tolPu?: number; maxIter?: number } = {};
  if (opts.tolPu !== undefined) sweepOpts.tolPu = opts.tolPu;
  if (opts.maxIter !== undefined) sweepOpts.maxIter = opts.maxIter;

  // Ratings as integers, per branch: [from-end limit, to-end limit] in mA or VA, −1 = no rating.
  const limits = new Float64Array(2 * net.nBranch).fill(-1);
  const maPerPu = new Float64Array(2 * net.nBranch);
  for (let k = 0; k < net.nBranch; k++) {
    const br = model.branches[k] as Branch;
    maPerPu[2 * k] = (model.baseMva * 1e6) / (SQRT3 * baseKv(model, lookupBus(net.lookup, br.from)));
    maPerPu[2 * k + 1] = (model.baseMva * 1e6) / (SQRT3 * baseKv(model, lookupBus(net.lookup, br.to)));
    const r = br.rating;
    if (r === null) continue;
    if (r.kind === 'current') {
      limits[2 * k] = Math.round(r.maxIKa * 1e6);
      limits[2 * k + 1] = limits[2 * k] as number;
    } else if (r.kind === 'trafo') {
      limits[2 * k] = Math.round((r.snMva * 1e6) / (SQRT3 * r.fromRatedKv));
      limits[2 * k + 1] = Math.round((r.snMva * 1e6) / (SQRT3 * r.toRatedKv));
    } else {
      limits[2 * k] = Math.round(r.mva * 1e6);
      limits[2 * k + 1] = limits[2 * k] as number;
    }
  }
  const limitVa = model.slack.limitKva === undefined ? null : Math.round(model.slack.limitKva * 1000);

  return (netInjectionsW) => {
    // Integer W per position first (exact), then one conversion each.
    const injW = scratchF64(3, net.nNode).fill(0);
    for (const inj of netInjectionsW) {
      if (!Number.isSafeInteger(inj.w)) {
        throw new GridLedgerError('GRID_BAD_INJECTION', `${model.name}: injection at bus ${inj.bus} must be an integer number of W, got ${inj.w}`);
      }
      const c = positionOf(net, inj.bus, model.name);
      if (c < 0) {
        if (inj.w === 0) continue;
        throw new GridLedgerError('GRID_BUS_NOT_ENERGIZED', `${model.name}: injection at bus ${inj.bus}, which is not connected to the slack`);
      }
      injW[c] = (injW[c] as number) + inj.w;
    }
    const demand = scratchF64(4, 2 * net.nNode);
    demand.set(background);
    for (let c = 0; c < net.nNode; c++) {
      const w = injW[c] as number;
      if (w !== 0) demand[2 * c] = (demand[2 * c] as number) - w / wPerPu;
    }

    const sol = solveSweep(net, demand, sweepOpts, scratchF64(6, 2 * net.nNode));
    const flows = branchFlows(net, sol.v, demand[0] as number, demand[1] as number, scratchF64(5, 6 * net.nBranch));
    const violations: FeasibilityViolation[] = [];

    const buses: FeasibilityReport['buses'] = [];
    for (let i = 0; i < net.nBus; i++) {
      const c = net.pos[i] as number;
      if (c < 0) continue;
      const bus = model.buses[i] as Bus;
      const re = sol.v[2 * c] as number;
      const im = sol.v[2 * c + 1] as number;
      const vmE5 = Math.round(Math.sqrt(re * re + im * im) * 1e5);
      buses.push({ id: bus.id, vmE5 });
      const low = Math.round(bus.vMinPu * 1e5);
      const high = Math.round(bus.vMaxPu * 1e5);
      if (vmE5 < low) violations.push({ kind: 'voltage_low', branchKind: null, id: bus.id, unit: '1e-5pu', value: vmE5, limit: low, excess: low - vmE5 });
      if (vmE5 > high) violations.push({ kind: 'voltage_high', branchKind: null, id: bus.id, unit: '1e-5pu', value: vmE5, limit: high, excess: vmE5 - high });
    }

    const branches: FeasibilityReport['branches'] = [];
    let lossW = 0;
    const f = flows.flow;
    for (let k = 0; k < net.nBranch; k++) {
      if ((net.ends[2 * k] as number) < 0) continue;
      const br = model.branches[k] as Branch;
      const s = 6 * k;
      const pFromW = Math.round((f[s] as number) * wPerPu);
      const qFromVar = Math.round((f[s + 1] as number) * wPerPu);
      const pToW = Math.round((f[s + 2] as number) * wPerPu);
      const qToVar = Math.round((f[s + 3] as number) * wPerPu);
      const iFromMa = Math.round((f[s + 4] as number) * (maPerPu[2 * k] as number));
      const iToMa = Math.round((f[s + 5] as number) * (maPerPu[2 * k + 1] as number));
      branches.push({ kind: br.kind, id: br.id, from: br.from, to: br.to, pFromW, qFromVar, pToW, qToVar, iFromMa, iToMa });
      lossW += pFromW + pToW;
      const limF = limits[2 * k] as number;
      if (limF < 0 || br.rating === null) continue;
      const limT = limits[2 * k + 1] as number;
      let valF = iFromMa;
      let valT = iToMa;
      let unit: 'mA' | 'VA' = 'mA';
      if (br.rating.kind === 'apparent') {
        unit = 'VA';
        valF = Math.round(Math.sqrt((f[s] as number) * (f[s] as number) + (f[s + 1] as number) * (f[s + 1] as number)) * wPerPu);
        valT = Math.round(Math.sqrt((f[s + 2] as number) * (f[s + 2] as number) + (f[s + 3] as number) * (f[s + 3] as number)) * wPerPu);
      }
      // The end with the larger value/limit decides (cross-multiplied: no division).
      const fromDecides = valF * limT >= valT * limF;
      const value = fromDecides ? valF : valT;
      const limit = fromDecides ? limF : limT;
      if (value > limit) violations.push({ kind: 'branch', branchKind: br.kind, id: br.id, unit, value, limit, excess: value - limit });
    }

    const pW = Math.round(flows.pccP * wPerPu);
    const qVar = Math.round(flows.pccQ * wPerPu);
    const sVa = Math.round(Math.sqrt(flows.pccP * flows.pccP + flows.pccQ * flows.pccQ) * wPerPu);
    if (limitVa !== null && sVa > limitVa) {
      violations.push({ kind: 'pcc', branchKind: null, id: model.slack.bus, unit: 'VA', value: sVa, limit: limitVa, excess: sVa - limitVa });
    }
    violations.sort(compareViolations);

    return {
      feasible: sol.converged && violations.length === 0,
      converged: sol.converged,
      iterations: sol.iterations,
      violations: sol.converged ? violations : [],
      buses,
      branches,
      pcc: { pW, qVar, sVa, limitVa },
      lossW,
    };
  };
}

/** One-off check; for many checks on one feeder use createFeasibilityChecker. */
export function checkFeasibility(model: FeederModel, netInjectionsW: readonly BusInjectionW[], opts: FeasibilityOptions = {}): FeasibilityReport {
  return createFeasibilityChecker(model, opts)(netInjectionsW);
}

function compareViolations(a: FeasibilityViolation, b: FeasibilityViolation): number {
  const byKind = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (byKind !== 0) return byKind;
  if (a.branchKind !== b.branchKind) return a.branchKind === 'line' ? -1 : 1;
  return a.id - b.id;
}

function baseKv(model: FeederModel, busIndex: number): number {
  return busIndex < 0 ? Number.NaN : (model.buses[busIndex] as Bus).baseKv;
}
