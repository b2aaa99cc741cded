/**
 * Per-bus constant-power demand for the sweep: the model's in-service loads minus its in-service
 * static generators, in p.u. on baseMva, by tree position (consumption positive). Loads at buses
 * that are not energized are left out and counted as unserved.
 *
 * Consensus path: only + − × ÷, sums in the model's element order.
 */
import { GridLedgerError } from '../../errors.ts';
import type { FeederModel } from '../model.ts';
import { lookupBus, type Network } from './network.ts';

export interface BusDemandPu {
  /** (p, q) interleaved by tree position, p.u., consumption positive (position 0: the slack bus's own). */
  pq: Float64Array;
  /** In-service load at buses that are not energized, kW (generation there is simply lost). */
  unservedKw: number;
}

export function backgroundDemandPu(model: FeederModel, net: Network): BusDemandPu {
  const pq = new Float64Array(2 * net.nNode);
  const perKw = 1 / (1000 * net.baseMva);
  let unservedKw = 0;
  for (const load of model.loads) {
    if (!load.inService) continue;
    const c = positionOf(net, load.bus, model.name);
    if (c < 0) {
      unservedKw += load.pKw;
      continue;
    }
    pq[2 * c] = (pq[2 * c] as number) + load.pKw * perKw;
    pq[2 * c + 1] = (pq[2 * c + 1] as number) + load.qKvar * perKw;
  }
  for (const gen of model.sgens) {
    if (!gen.inService) continue;
    const c = positionOf(net, gen.bus, model.name);
    if (c < 0) continue;
    pq[2 * c] = (pq[2 * c] as number) - gen.pKw * perKw;
    pq[2 * c + 1] = (pq[2 * c + 1] as number) - gen.qKvar * perKw;
  }
  return { pq, unservedKw };
}

/** Tree position of a bus id, −1 when the bus is not energized; throws for an unknown id. */
export function positionOf(net: Network, busId: number, caseName: string): number {
  const i = lookupBus(net.lookup, busId);
  if (i < 0) throw new GridLedgerError('GRID_UNKNOWN_BUS', `${caseName}: no bus ${busId}`);
  return net.pos[i] as number;
}
