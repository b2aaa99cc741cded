/**
 * Branch flows at both ends from solved voltages, and the exchange at the PCC.
 *
 * Consensus path: only + − × ÷ and √, in model branch order.
 */
import { branchAdmittance } from './admittance.ts';
import type { Network } from './network.ts';

export interface BranchFlowsPu {
  /**
   * Model branch k -> at 6k: power into the branch at the from end (p, q) and at the to end
   * (p, q), then the current magnitude at each end (p.u. of that end's bus base); 0 when off.
   */
  flow: Float64Array;
  /** Power the main grid delivers at the slack bus (its branches plus its own demand), p.u. */
  pccP: number;
  pccQ: number;
}

/**
 * v by tree position, interleaved; slackDemand = the demand at the slack bus itself (p.u.).
 * `flow` may be a work array of length 6·nBranch; it is overwritten.
 */
export function branchFlows(
  net: Network,
  v: Float64Array,
  slackDemandP: number,
  slackDemandQ: number,
  flow: Float64Array = new Float64Array(6 * net.nBranch),
): BranchFlowsPu {
  const nBr = net.nBranch;
  const { ends } = net;
  const y = new Float64Array(8);
  flow.fill(0);
  let pccP = slackDemandP;
  let pccQ = slackDemandQ;
  for (let k = 0; k < nBr; k++) {
    const f = ends[2 * k] as number;
    if (f < 0) continue;
    const t = ends[2 * k + 1] as number;
    const vfr = v[2 * f] as number, vfi = v[2 * f + 1] as number, vtr = v[2 * t] as number, vti = v[2 * t + 1] as number;
    branchAdmittance(net, k, y, 0);
    const a = y[0] as number, b = y[1] as number, c = y[2] as number, d = y[3] as number;
    const e = y[4] as number, g = y[5] as number, h = y[6] as number, l = y[7] as number;
    const ifr = a * vfr - b * vfi + (c * vtr - d * vti);
    const ifi = a * vfi + b * vfr + (c * vti + d * vtr);
    const itr = e * vfr - g * vfi + (h * vtr - l * vti);
    const iti = e * vfi + g * vfr + (h * vti + l * vtr);
    // S = V·conj(I)
    const pf = vfr * ifr + vfi * ifi;
    const qf = vfi * ifr - vfr * ifi;
    const pt = vtr * itr + vti * iti;
    const qt = vti * itr - vtr * iti;
    const s = 6 * k;
    flow[s] = pf;
    flow[s + 1] = qf;
    flow[s + 2] = pt;
    flow[s + 3] = qt;
    flow[s + 4] = Math.sqrt(ifr * ifr + ifi * ifi);
    flow[s + 5] = Math.sqrt(itr * itr + iti * iti);
    if (f === 0) {
      pccP += pf;
      pccQ += qf;
    }
    if (t === 0) {
      pccP += pt;
      pccQ += qt;
    }
  }
  return { flow, pccP, pccQ };
}
