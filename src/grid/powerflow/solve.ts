/**
 * solvePowerFlow: the AC power flow of a feeder model, with flows, losses, loading and limit
 * violations in the source's units and ids. The method (backward/forward sweep with loop
 * compensation) is explained in sweep.ts and loops.ts.
 */
import { GridLedgerError } from '../../errors.ts';
import type { BranchRating, FeederModel } from '../model.ts';
import { branchFlows } from './flows.ts';
import { backgroundDemandPu, positionOf } from './loads.ts';
import { buildNetwork, lookupBus, type Network } from './network.ts';
import type { BranchResult, BusResult, PowerFlowResult, PowerFlowViolation } from './result.ts';
import { scratchF64 } from './scratch.ts';
import { solveSweep } from './sweep.ts';

export interface PowerFlowOptions {
  /** Largest power mismatch accepted, p.u. on baseMva (default 1e-8). */
  tolPu?: number;
  /** Most sweeps (default 100). */
  maxIter?: number;
  /** Extra injections on top of the model's loads and generators, positive = into the grid. */
  injections?: readonly BusInjection[];
}

export interface BusInjection {
  bus: number;
  pKw: number;
  qKvar?: number;
}

const SQRT3 = Math.sqrt(3);
const DEG_PER_RAD = 180 / Math.PI;

export function solvePowerFlow(model: FeederModel, opts: PowerFlowOptions = {}): PowerFlowResult {
  const net = buildNetwork(model);
  const demand = backgroundDemandPu(model, net);
  const perKw = 1 / (1000 * model.baseMva);
  for (const inj of opts.injections ?? []) {
    const c = positionOf(net, inj.bus, model.name);
    if (c < 0) throw new GridLedgerError('GRID_BUS_NOT_ENERGIZED', `${model.name}: injection at bus ${inj.bus}, which is not connected to the slack`);
    demand.pq[2 * c] = (demand.pq[2 * c] as number) - inj.pKw * perKw;
    demand.pq[2 * c + 1] = (demand.pq[2 * c + 1] as number) - (inj.qKvar ?? 0) * perKw;
  }
  const sweepOpts: { tolPu?: number; maxIter?: number } = {};
  if (opts.tolPu !== undefined) sweepOpts.tolPu = opts.tolPu;
  if (opts.maxIter !== undefined) sweepOpts.maxIter = opts.maxIter;
  const sol = solveSweep(net, demand.pq, sweepOpts, scratchF64(3, 2 * net.nNode));
  const flows = branchFlows(net, sol.v, demand.pq[0] as number, demand.pq[1] as number, scratchF64(2, 6 * net.nBranch));
  const kw = 1000 * model.baseMva;

  const buses: BusResult[] = [];
  let vmin = { pu: Number.POSITIVE_INFINITY, bus: model.slack.bus };
  let vmax = { pu: Number.NEGATIVE_INFINITY, bus: model.slack.bus };
  const violations: PowerFlowViolation[] = [];
  const busViolations: PowerFlowViolation[] = [];
  for (let i = 0; i < model.buses.length; i++) {
    const bus = model.buses[i] as FeederModel['buses'][number];
    const c = net.pos[i] as number;
    if (c < 0) {
      buses.push({ id: bus.id, vmPu: 0, vaDeg: 0, vRePu: 0, vImPu: 0, energized: false });
      continue;
    }
    const re = sol.v[2 * c] as number;
    const im = sol.v[2 * c + 1] as number;
    const vm = Math.sqrt(re * re + im * im);
    buses.push({ id: bus.id, vmPu: vm, vaDeg: Math.atan2(im, re) * DEG_PER_RAD, vRePu: re, vImPu: im, energized: true });
    if (vm < vmin.pu) vmin = { pu: vm, bus: bus.id };
    if (vm > vmax.pu) vmax = { pu: vm, bus: bus.id };
    if (vm < bus.vMinPu) busViolations.push({ kind: 'voltage_low', bus: bus.id, vmPu: vm, limitPu: bus.vMinPu });
    if (vm > bus.vMaxPu) busViolations.push({ kind: 'voltage_high', bus: bus.id, vmPu: vm, limitPu: bus.vMaxPu });
  }

  const branches: BranchResult[] = [];
  let lossKw = 0;
  let lossKvar = 0;
  for (let k = 0; k < model.branches.length; k++) {
    const br = model.branches[k] as FeederModel['branches'][number];
    const on = net.ends[2 * k] !== -1;
    const s = 6 * k;
    const fromKv = baseKvOf(model, net, br.from);
    const toKv = baseKvOf(model, net, br.to);
    const pFromKw = (flows.flow[s] as number) * kw;
    const qFromKvar = (flows.flow[s + 1] as number) * kw;
    const pToKw = (flows.flow[s + 2] as number) * kw;
    const qToKvar = (flows.flow[s + 3] as number) * kw;
    const iFromKa = ((flows.flow[s + 4] as number) * model.baseMva) / (SQRT3 * fromKv);
    const iToKa = ((flows.flow[s + 5] as number) * model.baseMva) / (SQRT3 * toKv);
    const loadingPct = on ? loadingOf(br.rating, iFromKa, iToKa, pFromKw, qFromKvar, pToKw, qToKvar) : br.rating === null ? null : 0;
    const result: BranchResult = {
      kind: br.kind,
      id: br.id,
      from: br.from,
      to: br.to,
      inService: on,
      pFromKw,
      qFromKvar,
      pToKw,
      qToKvar,
      iFromKa,
      iToKa,
      loadingPct,
      lossKw: pFromKw + pToKw,
      lossKvar: qFromKvar + qToKvar,
    };
    branches.push(result);
    lossKw += result.lossKw;
    lossKvar += result.lossKvar;
    if (loadingPct !== null && loadingPct > 100) {
      violations.push({ kind: 'overload', branchKind: br.kind, id: br.id, from: br.from, to: br.to, loadingPct });
    }
  }
  violations.push(...busViolations);

  const pccP = flows.pccP * kw;
  const pccQ = flows.pccQ * kw;
  const sKva = Math.sqrt(pccP * pccP + pccQ * pccQ);
  const limitKva = model.slack.limitKva ?? null;
  if (limitKva !== null && sKva > limitKva) violations.push({ kind: 'pcc', bus: model.slack.bus, sKva, limitKva });

  return {
    case: model.name,
    converged: sol.converged,
    iterations: sol.iterations,
    maxMismatchPu: sol.maxMismatchPu,
    loops: net.loops === null ? 0 : net.loops.links.length,
    buses,
    branches,
    lossKw,
    lossKvar,
    pcc: { bus: model.slack.bus, pKw: pccP, qKvar: pccQ, sKva, limitKva },
    vmin,
    vmax,
    unservedKw: demand.unservedKw,
    violations,
  };
}

function baseKvOf(model: FeederModel, net: Network, busId: number): number {
  const i = lookupBus(net.lookup, busId);
  return i < 0 ? Number.NaN : (model.buses[i] as FeederModel['buses'][number]).baseKv;
}

/** Loading as the source tool defines it (DESIGN.md section 7), percent. */
function loadingOf(
  rating: BranchRating | null,
  iFromKa: number,
  iToKa: number,
  pFromKw: number,
  qFromKvar: number,
  pToKw: number,
  qToKvar: number,
): number | null {
  if (rating === null) return null;
  switch (rating.kind) {
    case 'current':
      return (Math.max(iFromKa, iToKa) / rating.maxIKa) * 100;
    case 'trafo':
      return ((Math.max(iFromKa * rating.fromRatedKv, iToKa * rating.toRatedKv) * SQRT3) / rating.snMva) * 100;
    case 'apparent': {
      const sFrom = Math.sqrt(pFromKw * pFromKw + qFromKvar * qFromKvar);
      const sTo = Math.sqrt(pToKw * pToKw + qToKvar * qToKvar);
      return (Math.max(sFrom, sTo) / (rating.mva * 1000)) * 100;
    }
  }
}
