/**
 * Reading a branch's two-port admittances back from the compact network (network.ts stores them
 * only where they cannot be derived from the tree's G). Consensus path: only + − × ÷.
 */
import type { Network } from './network.ts';

/** The tree position whose parent branch is k, or −1 when k is a link (or carries no current). */
export function childOf(treeBranch: Int32Array, ends: Int32Array, k: number): number {
  const f = ends[2 * k] as number;
  const t = ends[2 * k + 1] as number;
  if (t >= 0 && treeBranch[t] === k) return t;
  if (f >= 0 && treeBranch[f] === k) return f;
  return -1;
}

/** Branch k's [Yff, Yft, Ytf, Ytt] as (re, im) pairs into out[o..o+8); zeros when it carries no current. */
export function branchAdmittance(net: Network, k: number, out: Float64Array, o: number): void {
  const at = net.yAt[k] as number;
  if (at >= 0) {
    for (let j = 0; j < 8; j++) out[o + j] = net.y[at + j] as number;
    return;
  }
  const c = childOf(net.treeBranch, net.ends, k);
  if (c < 0) {
    for (let j = 0; j < 8; j++) out[o + j] = 0;
    return;
  }
  // Simple tree branch: G = −z, so ys = −1/G = −conj(G)/|G|².
  const gr = net.g[2 * c] as number;
  const gi = net.g[2 * c + 1] as number;
  const gg = gr * gr + gi * gi;
  const ysRe = -gr / gg;
  const ysIm = gi / gg;
  out[o] = ysRe;
  out[o + 1] = ysIm;
  out[o + 2] = -ysRe;
  out[o + 3] = -ysIm;
  out[o + 4] = -ysRe;
  out[o + 5] = -ysIm;
  out[o + 6] = ysRe;
  out[o + 7] = ysIm;
}
