/**
 * The schedule on a feeder: firm energy per bus index plus, per match, the bus index of each
 * flexible side, so that any set of match volumes turns into per-bus power in one pass.
 */
import { GridLedgerError } from '../errors.ts';
import type { GridView } from './gridView.ts';
import type { Match } from './match.ts';
import type { BusEnergy } from './schedule.ts';
import { energyToPowerW } from './schedule.ts';

export interface PlacedSchedule {
  nBus: number;
  intervalMin: number;
  /** Firm energy by bus index, Wh. */
  firmWh: Float64Array;
  /** Per match: bus index of the seller and buyer side when flexible, else −1. */
  sellerAt: Int32Array;
  buyerAt: Int32Array;
}

export function placeSchedule(view: GridView, feederName: string, firm: readonly BusEnergy[], matches: readonly Match[], intervalMin: number): PlacedSchedule {
  const locate = (bus: number): number => {
    const i = view.busIndex(bus);
    if (i < 0) throw new GridLedgerError('MARKET_UNKNOWN_BUS', `bus ${bus} is not in feeder ${feederName}`);
    return i;
  };
  const firmWh = new Float64Array(view.nBus);
  for (const f of firm) {
    const i = locate(f.bus);
    firmWh[i] = (firmWh[i] as number) + f.energyWh;
  }
  const sellerAt = new Int32Array(matches.length).fill(-1);
  const buyerAt = new Int32Array(matches.length).fill(-1);
  matches.forEach((m, k) => {
    // Firm sides are located too, so that an unknown bus is refused whatever the side.
    const s = locate(m.seller.bus);
    const b = locate(m.buyer.bus);
    if (m.seller.flexible) sellerAt[k] = s;
    if (m.buyer.flexible) buyerAt[k] = b;
  });
  return { nBus: view.nBus, intervalMin, firmWh, sellerAt, buyerAt };
}

/** Net injection W per bus index for the given match volumes (rounded once per bus). */
export function injectionW(p: PlacedSchedule, volumes: readonly number[] | null): Float64Array {
  const wh = Float64Array.from(p.firmWh);
  if (volumes !== null) {
    for (let k = 0; k < volumes.length; k++) {
      const v = volumes[k] as number;
      if (v === 0) continue;
      const s = p.sellerAt[k] as number;
      const b = p.buyerAt[k] as number;
      if (s >= 0) wh[s] = (wh[s] as number) + v;
      if (b >= 0) wh[b] = (wh[b] as number) - v;
    }
  }
  const w = new Float64Array(p.nBus);
  for (let i = 0; i < p.nBus; i++) w[i] = energyToPowerW(wh[i] as number, p.intervalMin);
  return w;
}

/** Effect of one Wh of match k on a limit, given the limit's sensitivity per W at each bus. */
export function effectPerWh(p: PlacedSchedule, sens: (busIndex: number) => number, k: number): number {
  const s = p.sellerAt[k] as number;
  const b = p.buyerAt[k] as number;
  return (60 / p.intervalMin) * ((s >= 0 ? sens(s) : 0) - (b >= 0 ? sens(b) : 0));
}
