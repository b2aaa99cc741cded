/**
 * Linear sensitivities for screening: how an injection of one watt at a bus (taken by the slack),
 * or a transfer between two buses, changes every branch's active flow, current and loading, every
 * bus voltage, the PCC exchange and the losses.
 *
 * The AC equations are linearised at an operating point. At bus c the load current is
 * conj(S_c/V_c); a change δS_c of the demand and δV_c of the voltage change it by
 *   δI_c = conj(δS_c)/conj(V_c) − conj(S_c)·conj(δV_c)/conj(V_c)²,
 * and the network maps currents to voltage changes exactly (the same tree elimination and loop
 * compensation as the power flow, with the slack held: δV_root = 0). The second term makes the
 * system real-linear rather than complex-linear, so it is solved by the same fixed-point sweep as
 * the power flow, to 1e-9 relative: about as many sweeps as the power flow took.
 *
 * Operating points:
 * - a solved PowerFlowResult: the Jacobian at that state, so marginal losses and the voltage
 *   dependence of the loads are included (errors against AC are second order in the transfer);
 * - 'flat': the no-load voltages with zero demand, where the second term vanishes and one sweep
 *   gives the answer. On a radial feeder this is LinDistFlow's structure: a watt injected at a
 *   changes the active flow by exactly −1 W on each branch of the path slack→a, 0 elsewhere, and
 *   the voltage at b by the resistance (and reactance) the two paths share.
 *
 * Columns are computed on first use per injection bus and kept, so screening many orders at a
 * few buses costs O(branches) per order. Consensus-safe: only + − × ÷ and √, fixed order.
 */
import { GridLedgerError } from '../../errors.ts';
import type { Branch, BranchRating, Bus, FeederModel } from '../model.ts';
import { branchFlows } from '../powerflow/flows.ts';
import { compensateLoops } from '../powerflow/loops.ts';
import { branchAdmittance } from '../powerflow/admittance.ts';
import { buildNetwork, lookupBus, type Network } from '../powerflow/network.ts';
import type { PowerFlowResult } from '../powerflow/result.ts';
import { forward, sweepOnce } from '../powerflow/sweep.ts';

/** The effect of injecting one watt at `bus`, the slack taking it. Arrays in model order. */
export interface InjectionSensitivity {
  bus: number;
  /** Voltage magnitude change, p.u. per W (0 at buses not energized). */
  dVmPuPerW: Float64Array;
  /** Active power into each branch at its from / to end, W per W. */
  dPFromPerW: Float64Array;
  dPToPerW: Float64Array;
  /** Current magnitude at each end, kA per W. */
  dIFromKaPerW: Float64Array;
  dIToKaPerW: Float64Array;
  /** loadingPct as the branch's rating defines it, percentage points per W (0 without rating). */
  dLoadingPctPerW: Float64Array;
  /** Import at the PCC, W per W (about −1 plus the marginal losses). */
  dPccPerW: number;
  /** Total active losses, W per W. */
  dLossPerW: number;
}

/** A transfer's linear estimate: the same quantities, in W, p.u., kA and points. */
export interface TransferEstimate {
  dVmPu: Float64Array;
  dPFromW: Float64Array;
  dPToW: Float64Array;
  dIFromKa: Float64Array;
  dIToKa: Float64Array;
  dLoadingPct: Float64Array;
  dPccW: number;
  dLossW: number;
}

export interface Sensitivities {
  /** Per W injected at `bus`, withdrawn by the slack (cached per bus). */
  injection(bus: number): InjectionSensitivity;
  /** w watts injected at fromBus and withdrawn at toBus (the slack takes only the loss change). */
  transfer(fromBus: number, toBus: number, w: number): TransferEstimate;
  /** d(active flow into branch model.branches[branchIndex] at its from end) per W at injBus. */
  branchFlowPerW(branchIndex: number, injBus: number): number;
  /** d(loadingPct of model.branches[branchIndex]) per W at injBus, points per W. */
  loadingPerW(branchIndex: number, injBus: number): number;
  /** d(voltage magnitude at bus) per W at injBus, p.u. per W. */
  voltagePerW(bus: number, injBus: number): number;
}

export interface SensitivityOptions {
  /** Relative accuracy of each column (default 1e-9). */
  relTol?: number;
  /** Most sweeps per column (default 200). */
  maxIter?: number;
}

const SQRT3 = Math.sqrt(3);

export function buildSensitivities(model: FeederModel, operatingPoint: PowerFlowResult | 'flat', opts: SensitivityOptions = {}): Sensitivities {
  const net = buildNetwork(model);
  const n = net.nNode;
  const relTol = opts.relTol ?? 1e-9;
  const maxIter = opts.maxIter ?? 200;
  const v = operatingVoltages(model, net, operatingPoint);
  const flows = branchFlows(net, v, 0, 0);
  const demand = operatingPoint === 'flat' ? new Float64Array(2 * n) : demandFromFlows(net, flows.flow);

  // Per position: a = 1/conj(V), b = −conj(S)/conj(V)², so δI = conj(δS)·a + b·conj(δV).
  const coefA = new Float64Array(2 * n);
  const coefB = new Float64Array(2 * n);
  for (let c = 1; c < n; c++) {
    const vr = v[2 * c] as number;
    const vi = v[2 * c + 1] as number;
    const d = vr * vr + vi * vi;
    const ar = vr / d; // 1/conj(V) = V/|V|²
    const ai = vi / d;
    coefA[2 * c] = ar;
    coefA[2 * c + 1] = ai;
    const sr = demand[2 * c] as number;
    const si = demand[2 * c + 1] as number;
    // −conj(S)·a²
    const a2r = ar * ar - ai * ai;
    const a2i = 2 * ar * ai;
    coefB[2 * c] = -(sr * a2r + si * a2i);
    coefB[2 * c + 1] = -(sr * a2i - si * a2r);
  }

  const wPu = 1 / (model.baseMva * 1e6);
  const kaPerPu = new Float64Array(2 * net.nBranch);
  for (let k = 0; k < net.nBranch; k++) {
    const br = model.branches[k] as Branch;
    kaPerPu[2 * k] = model.baseMva / (SQRT3 * baseKv(model, net, br.from));
    kaPerPu[2 * k + 1] = model.baseMva / (SQRT3 * baseKv(model, net, br.to));
  }

  const y = new Float64Array(8 * net.nBranch);
  for (let k = 0; k < net.nBranch; k++) branchAdmittance(net, k, y, 8 * k);

  const columns: (InjectionSensitivity | undefined)[] = new Array<InjectionSensitivity | undefined>(net.nBus);
  const src = new Float64Array(2 * n);
  const ieq = new Float64Array(2 * n);
  const dv = new Float64Array(2 * n);
  const prev = new Float64Array(2 * n);

  function column(busId: number): InjectionSensitivity {
    const i = lookupBus(net.lookup, busId);
    if (i < 0) throw new GridLedgerError('GRID_UNKNOWN_BUS', `${model.name}: no bus ${busId}`);
    const cached = columns[i];
    if (cached !== undefined) return cached;
    const p = net.pos[i] as number;
    if (p < 0) throw new GridLedgerError('GRID_BUS_NOT_ENERGIZED', `${model.name}: bus ${busId} is not connected to the slack`);
    dv.fill(0);
    if (p > 0) solveIncrement(p);
    const col = columnFromIncrement(busId, p === 0);
    columns[i] = col;
    return col;
  }

  /** δV for δS = −wPu (one watt injected) at position p, by fixed-point sweeps. */
  function solveIncrement(p: number): void {
    for (let it = 0; it < maxIter; it++) {
      src.fill(0);
      // conj(δS)·a with δS = −wPu (real).
      src[2 * p] = -wPu * (coefA[2 * p] as number);
      src[2 * p + 1] = -wPu * (coefA[2 * p + 1] as number);
      for (let c = 1; c < n; c++) {
        const xr = dv[2 * c] as number;
        const xi = -(dv[2 * c + 1] as number); // conj(δV)
        const br = coefB[2 * c] as number;
        const bi = coefB[2 * c + 1] as number;
        src[2 * c] = (src[2 * c] as number) + (br * xr - bi * xi);
        src[2 * c + 1] = (src[2 * c + 1] as number) + (br * xi + bi * xr);
      }
      prev.set(dv);
      sweepOnce(net, 0, 0, src, ieq, dv);
      let change = 0;
      let size = 0;
      for (let c = 1; c < n; c++) {
        const er = (dv[2 * c] as number) - (prev[2 * c] as number);
        const ei = (dv[2 * c + 1] as number) - (prev[2 * c + 1] as number);
        const e = er * er + ei * ei;
        const s = (dv[2 * c] as number) * (dv[2 * c] as number) + (dv[2 * c + 1] as number) * (dv[2 * c + 1] as number);
        if (e > change) change = e;
        if (s > size) size = s;
      }
      if (change <= relTol * relTol * size) return;
    }
    throw new GridLedgerError('GRID_SENSITIVITY_DIVERGED', `${model.name}: the linearised power flow did not converge at this operating point`);
  }

  function columnFromIncrement(busId: number, atSlack: boolean): InjectionSensitivity {
    const dVmPuPerW = new Float64Array(net.nBus);
    for (let c = 0; c < n; c++) {
      const vr = v[2 * c] as number;
      const vi = v[2 * c + 1] as number;
      dVmPuPerW[net.order[c] as number] = (vr * (dv[2 * c] as number) + vi * (dv[2 * c + 1] as number)) / Math.sqrt(vr * vr + vi * vi);
    }
    const nBr = net.nBranch;
    const dPFromPerW = new Float64Array(nBr);
    const dPToPerW = new Float64Array(nBr);
    const dIFromKaPerW = new Float64Array(nBr);
    const dIToKaPerW = new Float64Array(nBr);
    const dLoadingPctPerW = new Float64Array(nBr);
    let dPcc = atSlack ? -wPu : 0;
    let dLoss = 0;
    const { ends } = net;
    for (let k = 0; k < nBr; k++) {
      const f = ends[2 * k] as number;
      if (f < 0) continue;
      const t = ends[2 * k + 1] as number;
      const o = 8 * k;
      const end = (self: number, yS: number, other: number, yO: number): EndChange => {
        const vr = v[2 * self] as number, vi = v[2 * self + 1] as number;
        const ur = v[2 * other] as number, ui = v[2 * other + 1] as number;
        const dvr = dv[2 * self] as number, dvi = dv[2 * self + 1] as number;
        const dur = dv[2 * other] as number, dui = dv[2 * other + 1] as number;
        const a = y[yS] as number, b = y[yS + 1] as number, c = y[yO] as number, d = y[yO + 1] as number;
        const ir = a * vr - b * vi + (c * ur - d * ui);
        const ii = a * vi + b * vr + (c * ui + d * ur);
        const dir = a * dvr - b * dvi + (c * dur - d * dui);
        const dii = a * dvi + b * dvr + (c * dui + d * dur);
        // S = V·conj(I): δS = δV·conj(I) + V·conj(δI)
        const sr = vr * ir + vi * ii;
        const si = vi * ir - vr * ii;
        const dsr = dvr * ir + dvi * ii + (vr * dir + vi * dii);
        const dsi = dvi * ir - dvr * ii + (vi * dir - vr * dii);
        return { i: Math.sqrt(ir * ir + ii * ii), di: magnitudeChange(ir, ii, dir, dii), s: Math.sqrt(sr * sr + si * si), ds: magnitudeChange(sr, si, dsr, dsi), dp: dsr };
      };
      const ef = end(f, o, t, o + 2);
      const et = end(t, o + 6, f, o + 4);
      // dv is the response to one watt: powers convert from p.u. to W (÷ wPu), the rest is per W.
      dPFromPerW[k] = ef.dp / wPu;
      dPToPerW[k] = et.dp / wPu;
      dIFromKaPerW[k] = ef.di * (kaPerPu[2 * k] as number);
      dIToKaPerW[k] = et.di * (kaPerPu[2 * k + 1] as number);
      dLoadingPctPerW[k] = loadingChange((model.branches[k] as Branch).rating, ef, et, kaPerPu[2 * k] as number, kaPerPu[2 * k + 1] as number, model.baseMva);
      dLoss += ef.dp + et.dp;
      if (f === 0) dPcc += ef.dp;
      if (t === 0) dPcc += et.dp;
    }
    return { bus: busId, dVmPuPerW, dPFromPerW, dPToPerW, dIFromKaPerW, dIToKaPerW, dLoadingPctPerW, dPccPerW: dPcc / wPu, dLossPerW: dLoss / wPu };
  }

  const branchIndex = (k: number): number => {
    if (!Number.isInteger(k) || k < 0 || k >= net.nBranch) throw new GridLedgerError('GRID_UNKNOWN_BRANCH', `${model.name}: no branch index ${k}`);
    return k;
  };

  return {
    injection: column,
    transfer(fromBus, toBus, w) {
      const a = column(fromBus);
      const b = column(toBus);
      const diff = (x: Float64Array, z: Float64Array): Float64Array => {
        const out = new Float64Array(x.length);
        for (let j = 0; j < x.length; j++) out[j] = w * ((x[j] as number) - (z[j] as number));
        return out;
      };
      return {
        dVmPu: diff(a.dVmPuPerW, b.dVmPuPerW),
        dPFromW: diff(a.dPFromPerW, b.dPFromPerW),
        dPToW: diff(a.dPToPerW, b.dPToPerW),
        dIFromKa: diff(a.dIFromKaPerW, b.dIFromKaPerW),
        dIToKa: diff(a.dIToKaPerW, b.dIToKaPerW),
        dLoadingPct: diff(a.dLoadingPctPerW, b.dLoadingPctPerW),
        dPccW: w * (a.dPccPerW - b.dPccPerW),
        dLossW: w * (a.dLossPerW - b.dLossPerW),
      };
    },
    branchFlowPerW: (k, injBus) => column(injBus).dPFromPerW[branchIndex(k)] as number,
    loadingPerW: (k, injBus) => column(injBus).dLoadingPctPerW[branchIndex(k)] as number,
    voltagePerW(bus, injBus) {
      const i = lookupBus(net.lookup, bus);
      if (i < 0) throw new GridLedgerError('GRID_UNKNOWN_BUS', `${model.name}: no bus ${bus}`);
      return column(injBus).dVmPuPerW[i] as number;
    },
  };
}

interface EndChange {
  /** |I| and its change (p.u.), |S| and its change (p.u.), the active power's change (p.u.). */
  i: number;
  di: number;
  s: number;
  ds: number;
  dp: number;
}

/** d|z| for z → z + dz; at z = 0 (a flat operating point) the magnitude of dz itself. */
function magnitudeChange(re: number, im: number, dre: number, dim: number): number {
  const m = Math.sqrt(re * re + im * im);
  if (m > 1e-12) return (re * dre + im * dim) / m;
  return Math.sqrt(dre * dre + dim * dim);
}

/** Change of loadingPct (DESIGN.md section 7), following the end that defines it at the operating point. */
function loadingChange(rating: BranchRating | null, f: EndChange, t: EndChange, kaF: number, kaT: number, baseMva: number): number {
  if (rating === null) return 0;
  switch (rating.kind) {
    case 'current': {
      const fromLeads = f.i > t.i || (f.i === t.i && f.di >= t.di);
      return (((fromLeads ? f.di * kaF : t.di * kaT) / rating.maxIKa) * 100);
    }
    case 'trafo': {
      const lf = f.i * kaF * rating.fromRatedKv;
      const lt = t.i * kaT * rating.toRatedKv;
      const dlf = f.di * kaF * rating.fromRatedKv;
      const dlt = t.di * kaT * rating.toRatedKv;
      const fromLeads = lf > lt || (lf === lt && dlf >= dlt);
      return (((fromLeads ? dlf : dlt) * SQRT3) / rating.snMva) * 100;
    }
    case 'apparent': {
      const fromLeads = f.s > t.s || (f.s === t.s && f.ds >= t.ds);
      return (((fromLeads ? f.ds : t.ds) * baseMva) / rating.mva) * 100;
    }
  }
}

function baseKv(model: FeederModel, net: Network, busId: number): number {
  const i = lookupBus(net.lookup, busId);
  return i < 0 ? Number.NaN : (model.buses[i] as Bus).baseKv;
}

/** Complex voltages by tree position: the solved ones, or the no-load ones for 'flat'. */
function operatingVoltages(model: FeederModel, net: Network, op: PowerFlowResult | 'flat'): Float64Array {
  const n = net.nNode;
  const v = new Float64Array(2 * n);
  if (op === 'flat') {
    const ieq = new Float64Array(2 * n);
    if (net.loops !== null) compensateLoops(net, net.loops, net.vSlackRe, net.vSlackIm, ieq);
    forward(net, net.vSlackRe, net.vSlackIm, ieq, v);
    return v;
  }
  if (!op.converged) {
    throw new GridLedgerError('GRID_OPERATING_POINT', `${model.name}: the operating point did not converge; there is nothing to linearise at`);
  }
  if (op.buses.length !== model.buses.length) {
    throw new GridLedgerError('GRID_OPERATING_POINT', `${model.name}: the operating point has ${op.buses.length} buses, the model ${model.buses.length}`);
  }
  for (let c = 0; c < n; c++) {
    const b = op.buses[net.order[c] as number] as PowerFlowResult['buses'][number];
    if (b.id !== (model.buses[net.order[c] as number] as Bus).id || !b.energized) {
      throw new GridLedgerError('GRID_OPERATING_POINT', `${model.name}: the operating point does not match the model at bus ${b.id}`);
    }
    v[2 * c] = b.vRePu;
    v[2 * c + 1] = b.vImPu;
  }
  return v;
}

/** Net demand (p.u., consumption positive) by position implied by the branch flows at a solved state. */
function demandFromFlows(net: Network, flow: Float64Array): Float64Array {
  const d = new Float64Array(2 * net.nNode);
  for (let k = 0; k < net.nBranch; k++) {
    const f = net.ends[2 * k] as number;
    if (f < 0) continue;
    const t = net.ends[2 * k + 1] as number;
    // Power into the branch at an end leaves the bus: it is that bus's demand on the network.
    d[2 * f] = (d[2 * f] as number) - (flow[6 * k] as number);
    d[2 * f + 1] = (d[2 * f + 1] as number) - (flow[6 * k + 1] as number);
    d[2 * t] = (d[2 * t] as number) - (flow[6 * k + 2] as number);
    d[2 * t + 1] = (d[2 * t + 1] as number) - (flow[6 * k + 3] as number);
  }
  return d;
}
