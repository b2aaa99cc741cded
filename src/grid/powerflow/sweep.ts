/**
 * The AC power flow proper: a backward/forward sweep on the network's spanning tree, with loop
 * compensation for weakly meshed feeders (loops.ts).
 *
 * Why a sweep and not Newton-Raphson: distribution feeders are radial or nearly so, and on a tree
 * the linear part of the network (impedances, shunts, taps, phase shifts) is solved exactly by one
 * backward and one forward pass over typed arrays in preorder, O(buses), with no matrix, no
 * factorisation and no fill-in (network.ts). Only the constant-power loads iterate (their current
 * depends on the voltage), converging linearly by roughly the feeder's relative voltage drop per
 * sweep: 4–10 sweeps to 1e-8 p.u. on distribution feeders, each much cheaper than one sparse
 * Newton step. Near voltage collapse the sweep converges slowly or not at all where Newton still
 * might; such a case is reported as not converged, which the grid check treats as infeasible.
 *
 * Start: the no-load voltages (one sweep with zero loads), which carry every transformer's ratio
 * and phase shift, so a Dyn5 transformer's LV side starts near −150°.
 *
 * Mismatch: within a sweep the network equations hold exactly for the load currents used; the
 * only residual at bus c is its load's, V_c·conj(I_c(V_c) − I_c used). That is what maxMismatchPu
 * reports (largest real or reactive part, p.u., as MATPOWER measures), computed in the next
 * backward pass at no extra cost.
 *
 * Speed: a sweep along a chain is bound by latency (each bus needs its neighbour's result), so
 * the value just computed stays in a register when the next position is its child or parent,
 * and plain series branches skip the F and H products.
 *
 * Consensus path: only + − × ÷ and √, fixed loop order.
 */
import { compensateLoops } from './loops.ts';
import type { Network } from './network.ts';
import { zeroedF64 } from './scratch.ts';

export interface SweepOptions {
  /** Largest power mismatch accepted (p.u. on baseMva), default 1e-8. */
  tolPu?: number;
  /** Most sweeps after the no-load start, default 100. */
  maxIter?: number;
}

/** Complex bus voltages by tree position, interleaved (re, im), p.u.; and how the iteration ended. */
export interface SweepResult {
  converged: boolean;
  iterations: number;
  maxMismatchPu: number;
  v: Float64Array;
}

/** Beyond this mismatch (p.u.) the iteration is diverging: stop early. */
const DIVERGED_PU = 1e6;

/**
 * Solves for the voltages with constant-power demand (p.u., consumption positive, net of
 * generation) interleaved (p, q) by tree position. The slack's own demand is not part of the sweep.
 * `v` (length 2·nNode) receives the voltages; pass a work array when they are consumed at once.
 */
export function solveSweep(net: Network, demand: Float64Array, opts: SweepOptions = {}, v: Float64Array = new Float64Array(2 * net.nNode)): SweepResult {
  const tol = opts.tolPu ?? 1e-8;
  const maxIter = opts.maxIter ?? 100;
  const n = net.nNode;
  const load = zeroedF64(0, 2 * n); // load currents used by the last forward pass
  const ieq = zeroedF64(1, 2 * n);

  // No-load start: zero load currents, the links' (circulating) currents solved all the same.
  if (net.loops !== null) compensateLoops(net, net.loops, net.vSlackRe, net.vSlackIm, ieq);
  forward(net, net.vSlackRe, net.vSlackIm, ieq, v);
  let iterations = 0;
  let mismatch: number;
  let converged = false;
  for (;;) {
    mismatch = backwardWithLoads(net, demand, v, load, ieq);
    if (mismatch <= tol) {
      converged = true;
      break;
    }
    if (!(mismatch < DIVERGED_PU) || iterations >= maxIter) break;
    if (net.loops !== null) compensateLoops(net, net.loops, net.vSlackRe, net.vSlackIm, ieq);
    forward(net, net.vSlackRe, net.vSlackIm, ieq, v);
    iterations++;
  }
  return { converged, iterations, maxMismatchPu: mismatch, v };
}

/**
 * Backward pass with the load currents conj(S/V) at the present voltages: fills ieq, stores the
 * currents in `load`, and returns the largest power mismatch of v (against the currents stored
 * before, which produced v).
 */
function backwardWithLoads(net: Network, demand: Float64Array, v: Float64Array, load: Float64Array, ieq: Float64Array): number {
  const n = net.nNode;
  const { parent, fhAt, fh } = net;
  ieq.fill(0);
  let worst = 0;
  let carryRe = 0; // contribution of position c+1 to its parent c, kept out of memory
  let carryIm = 0;
  for (let c = n - 1; c >= 1; c--) {
    const vr = v[2 * c] as number;
    const vi = v[2 * c + 1] as number;
    const p = demand[2 * c] as number;
    const q = demand[2 * c + 1] as number;
    const inv = 1 / (vr * vr + vi * vi);
    const ir = (p * vr + q * vi) * inv;
    const ii = (p * vi - q * vr) * inv;
    const dr = ir - (load[2 * c] as number);
    const di = ii - (load[2 * c + 1] as number);
    load[2 * c] = ir;
    load[2 * c + 1] = ii;
    const mp = vr * dr + vi * di;
    const mq = vi * dr - vr * di;
    const ap = mp < 0 ? -mp : mp;
    const aq = mq < 0 ? -mq : mq;
    const m = ap > aq ? ap : aq;
    // `!(m <= worst)` also catches NaN, so a diverged state never reports a small mismatch.
    if (!(m <= worst)) worst = m;

    const jr = (ieq[2 * c] as number) + carryRe + ir;
    const ji = (ieq[2 * c + 1] as number) + carryIm + ii;
    ieq[2 * c] = jr;
    ieq[2 * c + 1] = ji;
    let ur = jr;
    let ui = ji;
    const o = fhAt[c] as number;
    if (o >= 0) {
      const hr = fh[o + 2] as number;
      const hi = fh[o + 3] as number;
      ur = hr * jr - hi * ji;
      ui = hr * ji + hi * jr;
    }
    const pa = parent[c] as number;
    if (pa === c - 1) {
      carryRe = ur;
      carryIm = ui;
    } else {
      ieq[2 * pa] = (ieq[2 * pa] as number) + ur;
      ieq[2 * pa + 1] = (ieq[2 * pa + 1] as number) + ui;
      carryRe = 0;
      carryIm = 0;
    }
  }
  return worst;
}

/** Backward pass for given currents drawn at the buses (src, interleaved by tree position). */
export function backward(net: Network, src: Float64Array, ieq: Float64Array): void {
  const n = net.nNode;
  const { parent, fhAt, fh } = net;
  ieq.set(src);
  for (let c = n - 1; c >= 1; c--) {
    const pa = parent[c] as number;
    let ur = ieq[2 * c] as number;
    let ui = ieq[2 * c + 1] as number;
    const o = fhAt[c] as number;
    if (o >= 0) {
      const hr = fh[o + 2] as number;
      const hi = fh[o + 3] as number;
      const tr = hr * ur - hi * ui;
      ui = hr * ui + hi * ur;
      ur = tr;
    }
    ieq[2 * pa] = (ieq[2 * pa] as number) + ur;
    ieq[2 * pa + 1] = (ieq[2 * pa + 1] as number) + ui;
  }
}

/** Forward pass: V_c = F·V_parent + G·Ieq_c from the root voltage (the slack's, or 0 for increments). */
export function forward(net: Network, vRootRe: number, vRootIm: number, ieq: Float64Array, v: Float64Array): void {
  const n = net.nNode;
  const { parent, g, fhAt, fh } = net;
  v[0] = vRootRe;
  v[1] = vRootIm;
  let prevRe = vRootRe;
  let prevIm = vRootIm;
  for (let c = 1; c < n; c++) {
    const pa = parent[c] as number;
    let ar = prevRe;
    let ai = prevIm;
    if (pa !== c - 1) {
      ar = v[2 * pa] as number;
      ai = v[2 * pa + 1] as number;
    }
    const gr = g[2 * c] as number;
    const gi = g[2 * c + 1] as number;
    const jr = ieq[2 * c] as number;
    const ji = ieq[2 * c + 1] as number;
    const o = fhAt[c] as number;
    if (o >= 0) {
      const fr = fh[o] as number;
      const fi = fh[o + 1] as number;
      const tr = fr * ar - fi * ai;
      ai = fr * ai + fi * ar;
      ar = tr;
    }
    prevRe = ar + (gr * jr - gi * ji);
    prevIm = ai + (gr * ji + gi * jr);
    v[2 * c] = prevRe;
    v[2 * c + 1] = prevIm;
  }
}

/** One exact linear solve for given bus currents: backward, loop currents, forward. */
export function sweepOnce(net: Network, vRootRe: number, vRootIm: number, src: Float64Array, ieq: Float64Array, v: Float64Array): void {
  backward(net, src, ieq);
  if (net.loops !== null) compensateLoops(net, net.loops, vRootRe, vRootIm, ieq);
  forward(net, vRootRe, vRootIm, ieq, v);
}
