/**
 * Weakly meshed feeders: the compensation method (Shirmohammadi et al., 1988) on top of the tree.
 *
 * Branches that close loops ("links") are left out of the spanning tree. The currents they draw at
 * their end buses (the ports) are unknown injections x. Within one sweep the tree is linear (loads
 * are held as currents), so port voltages are V_ports = V0 + Zp·x, where V0 is the sweep without
 * links and Zp the ports' response to unit currents drawn at ports; the links impose x = Yl·V_ports.
 * Solving (I − Yl·Zp)·x = Yl·V0 (a small dense system, factorised once) each sweep makes the links
 * exact, so the iteration is still only on the constant-power load currents, as in the radial case.
 *
 * Cost per sweep: O(ports × depth + ports²) on top of the radial sweep; memory O(buses + ports ×
 * depth). Meant for a few loops (normally open tie switches closed); many loops make it slow but
 * not wrong. Consensus path: only + − × ÷, fixed order.
 */
import { GridLedgerError } from '../../errors.ts';
import { branchAdmittance } from './admittance.ts';
import type { Network } from './network.ts';
import { scratchF64, scratchI32 } from './scratch.ts';

export interface Loops {
  /** model.branches indices of the links. */
  links: Int32Array;
  nPort: number;
  /** Tree positions of the ports. */
  portPos: Int32Array;
  /** Root-to-port paths (root excluded), concatenated; port j's is pathNodes[pathStart[j]..pathStart[j+1]). */
  pathStart: Int32Array;
  pathNodes: Int32Array;
  /** Yl, m×m row-major (x = Yl·V_ports). */
  ylRe: Float64Array;
  ylIm: Float64Array;
  /** LU factors of I − Yl·Zp (unit lower, upper), row pivots. */
  luRe: Float64Array;
  luIm: Float64Array;
  piv: Int32Array;
  /** Work vectors (length m). */
  v0Re: Float64Array;
  v0Im: Float64Array;
  xRe: Float64Array;
  xIm: Float64Array;
}

export function buildLoops(net: Network, linkList: readonly number[]): Loops {
  const links = Int32Array.from(linkList);
  const portOf = scratchI32(0, net.nNode).fill(-1);
  const ports: number[] = [];
  for (const k of linkList) {
    for (const p of [net.ends[2 * k] as number, net.ends[2 * k + 1] as number]) {
      if (portOf[p] === -1) {
        portOf[p] = ports.length;
        ports.push(p);
      }
    }
  }
  const m = ports.length;
  const portPos = Int32Array.from(ports);

  const pathStart = new Int32Array(m + 1);
  const nodes: number[] = [];
  for (let j = 0; j < m; j++) {
    const up: number[] = [];
    for (let q = portPos[j] as number; q > 0; q = net.parent[q] as number) up.push(q);
    for (let i = up.length - 1; i >= 0; i--) nodes.push(up[i] as number);
    pathStart[j + 1] = nodes.length;
  }
  const pathNodes = Int32Array.from(nodes);

  // Zp[i][j]: voltage change at port i per unit current drawn at port j (slack held fixed).
  const zRe = new Float64Array(m * m);
  const zIm = new Float64Array(m * m);
  const unit = scratchF64(0, 2 * net.nNode).fill(0);
  for (let j = 0; j < m; j++) {
    addUpPath(net, portPos[j] as number, 1, 0, unit);
    for (let i = 0; i < m; i++) {
      const v = voltageAlongPath(net, pathNodes, pathStart[i] as number, pathStart[i + 1] as number, 0, 0, unit);
      zRe[i * m + j] = v.re;
      zIm[i * m + j] = v.im;
    }
    for (let q = portPos[j] as number; q > 0; q = net.parent[q] as number) {
      unit[2 * q] = 0;
      unit[2 * q + 1] = 0;
    }
  }

  const ylRe = new Float64Array(m * m);
  const ylIm = new Float64Array(m * m);
  const yk = new Float64Array(8);
  for (const k of linkList) {
    const a = portOf[net.ends[2 * k] as number] as number;
    const b = portOf[net.ends[2 * k + 1] as number] as number;
    branchAdmittance(net, k, yk, 0);
    const cells = [a * m + a, a * m + b, b * m + a, b * m + b];
    for (let e = 0; e < 4; e++) {
      const cell = cells[e] as number;
      ylRe[cell] = (ylRe[cell] as number) + (yk[2 * e] as number);
      ylIm[cell] = (ylIm[cell] as number) + (yk[2 * e + 1] as number);
    }
  }

  // M = I − Yl·Zp, then LU with partial pivoting.
  const luRe = new Float64Array(m * m);
  const luIm = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let sr = i === j ? 1 : 0;
      let si = 0;
      for (let l = 0; l < m; l++) {
        const ar = ylRe[i * m + l] as number, ai = ylIm[i * m + l] as number;
        const br = zRe[l * m + j] as number, bi = zIm[l * m + j] as number;
        sr -= ar * br - ai * bi;
        si -= ar * bi + ai * br;
      }
      luRe[i * m + j] = sr;
      luIm[i * m + j] = si;
    }
  }
  const piv = new Int32Array(m);
  for (let c = 0; c < m; c++) {
    let best = c;
    let bestMag = -1;
    for (let r = c; r < m; r++) {
      const ar = luRe[r * m + c] as number;
      const ai = luIm[r * m + c] as number;
      const mag = ar * ar + ai * ai;
      if (mag > bestMag) {
        bestMag = mag;
        best = r;
      }
    }
    if (!(bestMag > 0)) {
      throw new GridLedgerError('GRID_SINGULAR', `${net.name}: the loop equations are singular (links ${linkList.join(', ')})`);
    }
    piv[c] = best;
    if (best !== c) {
      for (let j = 0; j < m; j++) {
        const tr = luRe[c * m + j] as number, ti = luIm[c * m + j] as number;
        luRe[c * m + j] = luRe[best * m + j] as number;
        luIm[c * m + j] = luIm[best * m + j] as number;
        luRe[best * m + j] = tr;
        luIm[best * m + j] = ti;
      }
    }
    const pr = luRe[c * m + c] as number, pi = luIm[c * m + c] as number;
    for (let r = c + 1; r < m; r++) {
      const ar = luRe[r * m + c] as number, ai = luIm[r * m + c] as number;
      const lr = (ar * pr + ai * pi) / bestMag;
      const li = (ai * pr - ar * pi) / bestMag;
      luRe[r * m + c] = lr;
      luIm[r * m + c] = li;
      for (let j = c + 1; j < m; j++) {
        const ur = luRe[c * m + j] as number, ui = luIm[c * m + j] as number;
        luRe[r * m + j] = (luRe[r * m + j] as number) - (lr * ur - li * ui);
        luIm[r * m + j] = (luIm[r * m + j] as number) - (lr * ui + li * ur);
      }
    }
  }

  return {
    links,
    nPort: m,
    portPos,
    pathStart,
    pathNodes,
    ylRe,
    ylIm,
    luRe,
    luIm,
    piv,
    v0Re: new Float64Array(m),
    v0Im: new Float64Array(m),
    xRe: new Float64Array(m),
    xIm: new Float64Array(m),
  };
}

/**
 * Adds the link currents to the tree's Ieq (after the backward pass, before the forward pass),
 * for a root voltage (vRootRe, vRootIm): the slack voltage, or 0 for linearised increments.
 * ieq is interleaved (re, im) by tree position.
 */
export function compensateLoops(net: Network, loops: Loops, vRootRe: number, vRootIm: number, ieq: Float64Array): void {
  const m = loops.nPort;
  const { pathStart, pathNodes, v0Re, v0Im, xRe, xIm, luRe, luIm, piv } = loops;
  for (let j = 0; j < m; j++) {
    const v = voltageAlongPath(net, pathNodes, pathStart[j] as number, pathStart[j + 1] as number, vRootRe, vRootIm, ieq);
    v0Re[j] = v.re;
    v0Im[j] = v.im;
  }
  for (let i = 0; i < m; i++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < m; j++) {
      const ar = loops.ylRe[i * m + j] as number, ai = loops.ylIm[i * m + j] as number;
      const br = v0Re[j] as number, bi = v0Im[j] as number;
      sr += ar * br - ai * bi;
      si += ar * bi + ai * br;
    }
    xRe[i] = sr;
    xIm[i] = si;
  }
  // Row swaps in factorisation order, forward substitution (unit L), back substitution (U).
  for (let c = 0; c < m; c++) {
    const p = piv[c] as number;
    if (p !== c) {
      const tr = xRe[c] as number, ti = xIm[c] as number;
      xRe[c] = xRe[p] as number;
      xIm[c] = xIm[p] as number;
      xRe[p] = tr;
      xIm[p] = ti;
    }
  }
  for (let c = 0; c < m; c++) {
    for (let r = c + 1; r < m; r++) {
      const lr = luRe[r * m + c] as number, li = luIm[r * m + c] as number;
      const br = xRe[c] as number, bi = xIm[c] as number;
      xRe[r] = (xRe[r] as number) - (lr * br - li * bi);
      xIm[r] = (xIm[r] as number) - (lr * bi + li * br);
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let sr = xRe[c] as number;
    let si = xIm[c] as number;
    for (let j = c + 1; j < m; j++) {
      const ur = luRe[c * m + j] as number, ui = luIm[c * m + j] as number;
      const br = xRe[j] as number, bi = xIm[j] as number;
      sr -= ur * br - ui * bi;
      si -= ur * bi + ui * br;
    }
    const pr = luRe[c * m + c] as number, pi = luIm[c * m + c] as number;
    const pp = pr * pr + pi * pi;
    xRe[c] = (sr * pr + si * pi) / pp;
    xIm[c] = (si * pr - sr * pi) / pp;
  }
  for (let j = 0; j < m; j++) addUpPath(net, loops.portPos[j] as number, xRe[j] as number, xIm[j] as number, ieq);
}

/** Adds a current drawn at tree position q to Ieq along q's path to the root (times H per step). */
function addUpPath(net: Network, q0: number, re: number, im: number, ieq: Float64Array): void {
  let cr = re;
  let ci = im;
  for (let q = q0; q > 0; q = net.parent[q] as number) {
    ieq[2 * q] = (ieq[2 * q] as number) + cr;
    ieq[2 * q + 1] = (ieq[2 * q + 1] as number) + ci;
    const o = net.fhAt[q] as number;
    if (o >= 0) {
      const hr = net.fh[o + 2] as number;
      const hi = net.fh[o + 3] as number;
      const nr = hr * cr - hi * ci;
      ci = hr * ci + hi * cr;
      cr = nr;
    }
  }
}

/** The forward pass restricted to one root-to-port path: V = F·V_parent + G·Ieq per step. */
function voltageAlongPath(
  net: Network,
  pathNodes: Int32Array,
  from: number,
  to: number,
  vRootRe: number,
  vRootIm: number,
  ieq: Float64Array,
): { re: number; im: number } {
  let vr = vRootRe;
  let vi = vRootIm;
  for (let s = from; s < to; s++) {
    const q = pathNodes[s] as number;
    const o = net.fhAt[q] as number;
    if (o >= 0) {
      const fr = net.fh[o] as number;
      const fi = net.fh[o + 1] as number;
      const nr = fr * vr - fi * vi;
      vi = fr * vi + fi * vr;
      vr = nr;
    }
    const gr = net.g[2 * q] as number, gi = net.g[2 * q + 1] as number;
    const ir = ieq[2 * q] as number, ii = ieq[2 * q + 1] as number;
    vr += gr * ir - gi * ii;
    vi += gr * ii + gi * ir;
  }
  return { re: vr, im: vi };
}
