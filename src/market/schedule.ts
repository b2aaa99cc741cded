/**
 * The physical schedule of an interval (DESIGN.md section 2, step 3): every firm order in full
 * (traded or not: untraded firm energy goes to or comes from the main grid through the PCC), the
 * firm parts of contract deliveries no firm order already covers, plus the flexible sides of the
 * matches that trade. Energy is signed per bus: + injects (asks), - withdraws (bids).
 */
import type { Match } from './match.ts';
import type { Order } from './order.ts';

export interface BusEnergy {
  bus: number;
  energyWh: number;
}

/** The part of the schedule no market decision changes: firm orders and firm delivery extras. */
export function firmEnergy(orders: readonly Order[], firmExtra: readonly BusEnergy[]): BusEnergy[] {
  const parts: BusEnergy[] = [];
  for (const o of orders) if (!o.flexible) parts.push({ bus: o.bus, energyWh: o.side === 'ask' ? o.energyWh : -o.energyWh });
  return sumByBus([...parts, ...firmExtra]);
}

/** Flexible flow of matches: the seller side injects, the buyer side withdraws, where flexible. */
export function flexibleEnergy(matches: readonly Match[]): BusEnergy[] {
  const parts: BusEnergy[] = [];
  for (const m of matches) {
    if (m.seller.flexible) parts.push({ bus: m.seller.bus, energyWh: m.energyWh });
    if (m.buyer.flexible) parts.push({ bus: m.buyer.bus, energyWh: -m.energyWh });
  }
  return sumByBus(parts);
}

/** Sums per bus; the result is sorted by bus id and omits zero sums. */
export function sumByBus(parts: readonly BusEnergy[]): BusEnergy[] {
  const total = new Map<number, number>();
  for (const p of parts) total.set(p.bus, (total.get(p.bus) ?? 0) + p.energyWh);
  const buses = [...total.keys()].sort((a, b) => a - b);
  return buses.map((bus) => ({ bus, energyWh: total.get(bus) as number })).filter((p) => p.energyWh !== 0);
}

/**
 * Average power of an energy over the interval: W = Wh × 60 / intervalMin, rounded away from zero
 * (ceil of the magnitude), so the grid check never sees a smaller flow than scheduled.
 * Applied once per bus to the bus's net energy, not per order.
 */
export function energyToPowerW(energyWh: number, intervalMin: number): number {
  const magnitude = Math.ceil((Math.abs(energyWh) * 60) / intervalMin);
  return energyWh < 0 ? -magnitude : magnitude;
}
