/**
 * The solver's structure built from a FeederModel: branch two-port admittances, a spanning tree
 * of the energized buses in depth-first preorder (parents before children, chains contiguous in
 * memory), the tree's exact elimination constants, and the links that close loops.
 *
 * Tree elimination. Each subtree below bus c draws from its parent branch the current
 * J_c = Yeq_c·V_c + Ieq_c, where Yeq_c gathers the subtree's shunts (line charging, transformer
 * magnetising branches, taps: all linear) and Ieq_c its load currents carried up. For the branch
 * from parent p to child c with two-port admittances (Ypp, Ypc, Ycp, Ycc):
 *   V_c = F·V_p + G·Ieq_c,  F = −Ycp/(Ycc + Yeq_c),  G = −1/(Ycc + Yeq_c),
 *   its current at p = (Ypp + Ypc·F)·V_p + H·Ieq_c,  H = Ypc·G.
 * F, G, H depend only on the network, so one backward pass (Ieq) and one forward pass (V) solve
 * the linear part exactly: the sweep's only iteration is on the constant-power load currents.
 * A plain series branch (no shunt, no tap, nothing but series branches below) has F = H = 1 and
 * G = −(r + jx) exactly: such "simple" positions store only G, and the sweeps skip two complex
 * products there; its admittances follow from G too (ys = −1/G) and are not stored.
 *
 * Memory: at 10,000 buses the build is bound by the fresh memory it writes, not by arithmetic,
 * so temporaries come from scratch buffers and what the network keeps is compact: G per
 * position, F and H only where not simple, branch admittances only where not derivable.
 *
 * Consensus path: only + − × ÷ and √, fixed loop order, maps used for lookup only.
 */
import { GridLedgerError } from '../../errors.ts';
import type { Branch, Bus, FeederModel } from '../model.ts';
import { childOf } from './admittance.ts';
import { buildLoops, type Loops } from './loops.ts';
import { rotorFromDeg } from './phaseShift.ts';
import { scratchF64, scratchI32, zeroedF64 } from './scratch.ts';

export interface Network {
  name: string;
  baseMva: number;
  /** model.buses.length; "bus index" below means the index in model.buses. */
  nBus: number;
  /** model.branches.length. */
  nBranch: number;
  /** Energized buses (reachable from the slack through in-service branches). */
  nNode: number;
  /** Tree position -> bus index; position 0 is the slack. */
  order: Int32Array;
  /** Bus index -> tree position, −1 when not energized. */
  pos: Int32Array;
  /** Tree position -> parent position (−1 at the root). */
  parent: Int32Array;
  /** Tree position -> index in model.branches of the branch to the parent (−1 at the root). */
  treeBranch: Int32Array;
  /** Tree position c -> G at 2c (re, im). */
  g: Float64Array;
  /** Tree position c -> offset o into fh where [F.re, F.im, H.re, H.im] start; −1 when simple (F = H = 1). */
  fhAt: Int32Array;
  fh: Float64Array;
  /**
   * Model branch k -> offset o into y where [Yff, Yft, Ytf, Ytt] start as (re, im) pairs, p.u.
   * (I_from = Yff·V_from + Yft·V_to, I_to = Ytf·V_from + Ytt·V_to, currents into the branch);
   * −1 for a simple tree branch (ys = −1/G of its child) or a branch that carries no current.
   * Read them with branchAdmittance (admittance.ts).
   */
  yAt: Int32Array;
  y: Float64Array;
  /** Model branch k -> tree positions of its from and to buses at 2k; −1 when it carries no current. */
  ends: Int32Array;
  /** Branches outside the tree that close loops, with their compensation data; null if radial. */
  loops: Loops | null;
  vSlackRe: number;
  vSlackIm: number;
  /** Bus id -> bus index with lookupBus (−1 when unknown). */
  lookup: BusLookup;
}

/** Bus id -> index: a table for small non-negative ids (MATPOWER, pandapower), else a Map. */
export interface BusLookup {
  table: Int32Array | null;
  map: Map<number, number> | null;
}

/** A plain function (not a closure per network) so that the build's hot loops can inline it. */
export function lookupBus(l: BusLookup, id: number): number {
  if (l.table !== null) return id >= 0 && id < l.table.length && Number.isInteger(id) ? (l.table[id] as number) : -1;
  return l.map?.get(id) ?? -1;
}

function busLookup(model: FeederModel): BusLookup {
  const n = model.buses.length;
  let maxId = -1;
  let dense = true;
  for (let i = 0; i < n; i++) {
    const id = (model.buses[i] as Bus).id;
    if (!Number.isInteger(id) || id < 0) dense = false;
    else if (id > maxId) maxId = id;
  }
  if (dense && maxId < 4 * n + 64) {
    const table = new Int32Array(maxId + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const id = (model.buses[i] as Bus).id;
      if (table[id] !== -1) throw new GridLedgerError('GRID_DUPLICATE_BUS', `${model.name}: bus id ${id} appears twice`);
      table[id] = i;
    }
    return { table, map: null };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = (model.buses[i] as Bus).id;
    if (map.has(id)) throw new GridLedgerError('GRID_DUPLICATE_BUS', `${model.name}: bus id ${id} appears twice`);
    map.set(id, i);
  }
  return { table: null, map };
}

export function buildNetwork(model: FeederModel): Network {
  const nBus = model.buses.length;
  const nBr = model.branches.length;
  const lookup = busLookup(model);
  const slackIdx = lookupBus(lookup, model.slack.bus);
  if (slackIdx < 0 || !(model.buses[slackIdx] as Bus).inService) {
    throw new GridLedgerError('GRID_BAD_SLACK', `${model.name}: slack bus ${model.slack.bus} is unknown or out of service`);
  }

  // Two-port admittances and the in-service edges (ends holds bus indices until the tree exists).
  const yAll = scratchF64(1, 8 * nBr); // rows of branches that carry current are all written
  const ends = new Int32Array(2 * nBr).fill(-1);
  const start = scratchI32(0, nBus + 1).fill(0);
  const plain = scratchI32(1, nBr).fill(0);
  const zAll = scratchF64(7, 2 * nBr); // series impedances, read back for plain tree branches
  const busOn = scratchI32(6, nBus); // in-service flags read once in order, not per branch end
  for (let i = 0; i < nBus; i++) busOn[i] = (model.buses[i] as Bus).inService ? 1 : 0;
  for (let k = 0; k < nBr; k++) {
    const br = model.branches[k] as Branch;
    if (!br.inService) continue;
    const f = lookupBus(lookup, br.from);
    const t = lookupBus(lookup, br.to);
    if (f < 0 || t < 0) {
      throw new GridLedgerError('GRID_UNKNOWN_BUS', `${model.name}: ${br.kind} ${br.id} connects unknown bus ${f < 0 ? br.from : br.to}`);
    }
    if (f === t) throw new GridLedgerError('GRID_SELF_LOOP', `${model.name}: ${br.kind} ${br.id} connects bus ${br.from} to itself`);
    if (busOn[f] === 0 || busOn[t] === 0) continue;
    writeAdmittances(model.name, br, yAll, 8 * k);
    plain[k] = br.tap === 1 && br.shiftDeg === 0 && br.gFromPu === 0 && br.bFromPu === 0 && br.gToPu === 0 && br.bToPu === 0 ? 1 : 0;
    zAll[2 * k] = br.rPu;
    zAll[2 * k + 1] = br.xPu;
    ends[2 * k] = f;
    ends[2 * k + 1] = t;
    start[f + 1] = (start[f + 1] as number) + 1;
    start[t + 1] = (start[t + 1] as number) + 1;
  }

  // Adjacency in CSR form, neighbours in branch order.
  for (let i = 0; i < nBus; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = scratchI32(2, nBus);
  fill.set(start.subarray(0, nBus));
  const adj = scratchI32(3, start[nBus] as number);
  for (let k = 0; k < nBr; k++) {
    const f = ends[2 * k] as number;
    if (f < 0) continue;
    const t = ends[2 * k + 1] as number;
    adj[fill[f] as number] = k;
    fill[f] = (fill[f] as number) + 1;
    adj[fill[t] as number] = k;
    fill[t] = (fill[t] as number) + 1;
  }

  // Depth-first preorder from the slack: a bus is claimed by the first branch that reaches it.
  // `via` holds, per bus index, the claiming branch (−1: root or unclaimed; −2 marks the root).
  const pos = new Int32Array(nBus).fill(-1);
  const via = scratchI32(4, nBus).fill(-1);
  const orderAll = scratchI32(5, nBus);
  const stack = fill; // reused: at most nBus entries
  let top = 0;
  let nNode = 0;
  stack[top++] = slackIdx;
  via[slackIdx] = -2;
  while (top > 0) {
    const b = stack[--top] as number;
    pos[b] = nNode;
    orderAll[nNode++] = b;
    for (let e = (start[b + 1] as number) - 1; e >= (start[b] as number); e--) {
      const k = adj[e] as number;
      const other = ends[2 * k] === b ? (ends[2 * k + 1] as number) : (ends[2 * k] as number);
      if (via[other] !== -1) continue;
      via[other] = k;
      stack[top++] = other;
    }
  }
  const order = orderAll.slice(0, nNode);

  const parent = new Int32Array(nNode);
  const treeBranch = new Int32Array(nNode);
  parent[0] = -1;
  treeBranch[0] = -1;
  for (let c = 1; c < nNode; c++) {
    const k = via[order[c] as number] as number;
    treeBranch[c] = k;
    const f = ends[2 * k] as number;
    parent[c] = pos[f === order[c] ? (ends[2 * k + 1] as number) : f] as number;
  }

  // Ends to tree positions; branches not in the tree that carry current are links.
  const links: number[] = [];
  for (let k = 0; k < nBr; k++) {
    const f = ends[2 * k] as number;
    if (f < 0) continue;
    const pf = pos[f] as number;
    if (pf < 0) {
      ends[2 * k] = -1;
      ends[2 * k + 1] = -1;
      continue;
    }
    const pt = pos[ends[2 * k + 1] as number] as number;
    ends[2 * k] = pf;
    ends[2 * k + 1] = pt;
    if (treeBranch[pf] !== k && treeBranch[pt] !== k) links.push(k);
  }

  const { g, fhAt, fh } = eliminate(model.name, model, nNode, parent, treeBranch, order, ends, yAll, zAll, plain);

  // Keep the admittances that cannot be derived from G: all but simple tree branches.
  const yAt = new Int32Array(nBr).fill(-1);
  let stored = 0;
  for (let k = 0; k < nBr; k++) {
    if ((ends[2 * k] as number) < 0) continue;
    const child = childOf(treeBranch, ends, k);
    if (child < 0 || (fhAt[child] as number) >= 0) yAt[k] = 8 * stored++;
  }
  const y = new Float64Array(8 * stored);
  for (let k = 0; k < nBr; k++) {
    const o = yAt[k] as number;
    if (o < 0) continue;
    for (let j = 0; j < 8; j++) y[o + j] = yAll[8 * k + j] as number;
  }

  const vs = rotorFromDeg(model.slack.vaDeg);
  const net: Network = {
    name: model.name,
    baseMva: model.baseMva,
    nBus,
    nBranch: nBr,
    nNode,
    order,
    pos,
    parent,
    treeBranch,
    g,
    fhAt,
    fh,
    yAt,
    y,
    ends,
    loops: null,
    vSlackRe: model.slack.vmPu * vs.re,
    vSlackIm: model.slack.vmPu * vs.im,
    lookup,
  };
  if (links.length > 0) net.loops = buildLoops(net, links);
  return net;
}

/** MATPOWER's branch model with a = tap·e^{jθ} at the from side and asymmetric shunts. */
function writeAdmittances(name: string, br: Branch, y: Float64Array, o: number): void {
  const zz = br.rPu * br.rPu + br.xPu * br.xPu;
  if (!(zz > 0) || !Number.isFinite(zz)) {
    throw new GridLedgerError('GRID_BAD_IMPEDANCE', `${name}: ${br.kind} ${br.id} has impedance ${br.rPu}+j${br.xPu} p.u. (must be finite, non-zero)`);
  }
  if (!(br.tap > 0) || !Number.isFinite(br.tap)) {
    throw new GridLedgerError('GRID_BAD_TAP', `${name}: ${br.kind} ${br.id} has tap ratio ${br.tap} (must be > 0)`);
  }
  const ysRe = br.rPu / zz;
  const ysIm = -br.xPu / zz;
  if (br.tap === 1 && br.shiftDeg === 0) {
    y[o] = ysRe + br.gFromPu;
    y[o + 1] = ysIm + br.bFromPu;
    y[o + 2] = -ysRe;
    y[o + 3] = -ysIm;
    y[o + 4] = -ysRe;
    y[o + 5] = -ysIm;
  } else {
    const rot = rotorFromDeg(br.shiftDeg);
    const tap2 = br.tap * br.tap;
    y[o] = (ysRe + br.gFromPu) / tap2;
    y[o + 1] = (ysIm + br.bFromPu) / tap2;
    // Yft = −ys/conj(a) = −ys·e^{jθ}/tap, Ytf = −ys/a = −ys·e^{−jθ}/tap.
    y[o + 2] = -(ysRe * rot.re - ysIm * rot.im) / br.tap;
    y[o + 3] = -(ysRe * rot.im + ysIm * rot.re) / br.tap;
    y[o + 4] = -(ysRe * rot.re + ysIm * rot.im) / br.tap;
    y[o + 5] = -(ysIm * rot.re - ysRe * rot.im) / br.tap;
  }
  y[o + 6] = ysRe + br.gToPu;
  y[o + 7] = ysIm + br.bToPu;
}

/** F, G, H per tree position, leaves first (reverse preorder) so each Yeq is complete when used. */
function eliminate(
  name: string,
  model: FeederModel,
  nNode: number,
  parent: Int32Array,
  treeBranch: Int32Array,
  order: Int32Array,
  ends: Int32Array,
  y: Float64Array,
  z: Float64Array,
  plain: Int32Array,
): { g: Float64Array; fhAt: Int32Array; fh: Float64Array } {
  const g = new Float64Array(2 * nNode);
  const fhAt = new Int32Array(nNode).fill(-1);
  const fhAll = scratchF64(2, 4 * nNode);
  const yeq = zeroedF64(0, 2 * nNode);
  let nFh = 0;
  for (let c = nNode - 1; c >= 1; c--) {
    const k = treeBranch[c] as number;
    const p = parent[c] as number;
    const yeqRe = yeq[2 * c] as number;
    const yeqIm = yeq[2 * c + 1] as number;
    if (plain[k] === 1 && yeqRe === 0 && yeqIm === 0) {
      g[2 * c] = -(z[2 * k] as number);
      g[2 * c + 1] = -(z[2 * k + 1] as number);
      continue; // F = H = 1; Ypp + Ypc·F = ys − ys = 0: nothing for the parent's Yeq.
    }
    const childIsTo = ends[2 * k + 1] === c;
    const b = 8 * k;
    // (Ypp, Ypc, Ycp, Ycc) at offsets within the branch's [Yff, Yft, Ytf, Ytt].
    const opp = childIsTo ? b : b + 6;
    const opc = childIsTo ? b + 2 : b + 4;
    const ocp = childIsTo ? b + 4 : b + 2;
    const occ = childIsTo ? b + 6 : b;
    const dRe = (y[occ] as number) + yeqRe;
    const dIm = (y[occ + 1] as number) + yeqIm;
    const dd = dRe * dRe + dIm * dIm;
    if (!(dd > 0) || !Number.isFinite(dd)) {
      throw new GridLedgerError('GRID_SINGULAR', `${name}: the feeder below bus ${model.buses[order[c] as number]?.id} has a singular admittance`);
    }
    const gr = -dRe / dd;
    const gi = dIm / dd;
    const ycpRe = y[ocp] as number, ycpIm = y[ocp + 1] as number, ypcRe = y[opc] as number, ypcIm = y[opc + 1] as number;
    const fr = ycpRe * gr - ycpIm * gi;
    const fi = ycpRe * gi + ycpIm * gr;
    g[2 * c] = gr;
    g[2 * c + 1] = gi;
    const o = 4 * nFh++;
    fhAt[c] = o;
    fhAll[o] = fr;
    fhAll[o + 1] = fi;
    fhAll[o + 2] = ypcRe * gr - ypcIm * gi;
    fhAll[o + 3] = ypcRe * gi + ypcIm * gr;
    yeq[2 * p] = (yeq[2 * p] as number) + (y[opp] as number) + (ypcRe * fr - ypcIm * fi);
    yeq[2 * p + 1] = (yeq[2 * p + 1] as number) + (y[opp + 1] as number) + (ypcRe * fi + ypcIm * fr);
  }
  return { g, fhAt, fh: fhAll.slice(0, 4 * nFh) };
}
