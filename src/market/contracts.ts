/**
 * Contract deliveries are scheduled before the auction (DESIGN.md section 2). A delivery consumes
 * its parties' own orders at the contract's buses (the seller's asks, the buyer's bids), so the
 * same kWh is never sold twice and an order that a contract covers does not flow twice: in the
 * worked example A's 3 kWh firm ask and B's 4 kWh firm bid stay the schedule (A +3, B -4) and the
 * 3 kWh contract only says who pays whom; B's remaining 1 kWh bid goes to the auction.
 */
import type { CutClass, Match } from './match.ts';
import type { ContractDelivery, Order } from './order.ts';
import { compareIds } from './order.ts';

export interface DeliverySchedule {
  /** Each delivery split by the orders that cover it, in contract-id order. */
  pieces: Match[];
  /** What each order (by index in the input) has left for the auction. */
  remainingWh: number[];
  /** Energy that firm deliveries make flow beyond firm orders: signed Wh per bus (+ injects). */
  firmExtra: { bus: number; energyWh: number }[];
  /** Energy actually scheduled per contract id (after the `surplus` cap). */
  deliveredWh: { contractId: string; energyWh: number }[];
}

interface Cover {
  order: number | null;
  energyWh: number;
}

export function scheduleDeliveries(orders: readonly Order[], deliveries: readonly ContractDelivery[]): DeliverySchedule {
  const remainingWh = orders.map((o) => o.energyWh);
  const pieces: Match[] = [];
  const firmExtra: { bus: number; energyWh: number }[] = [];
  const deliveredWh: { contractId: string; energyWh: number }[] = [];
  if (deliveries.length === 0) return { pieces, remainingWh, firmExtra, deliveredWh };

  // A party's orders at a bus, firm first (a firm ask is the declared surplus), then by id.
  const order = orders.map((_, i) => i);
  order.sort((a, b) => {
    const oa = orders[a] as Order;
    const ob = orders[b] as Order;
    return Number(oa.flexible) - Number(ob.flexible) || compareIds(oa.id, ob.id);
  });
  const byParty = new Map<string, number[]>();
  for (const i of order) {
    const o = orders[i] as Order;
    const key = partyKey(o.side, o.owner, o.bus);
    const list = byParty.get(key);
    if (list === undefined) byParty.set(key, [i]);
    else list.push(i);
  }

  const sorted = [...deliveries].sort((a, b) => compareIds(a.contractId, b.contractId));
  for (const d of sorted) {
    const asks = byParty.get(partyKey('ask', d.seller, d.sellerBus)) ?? [];
    const bids = byParty.get(partyKey('bid', d.buyer, d.buyerBus)) ?? [];
    let energyWh = d.energyWh;
    if (d.condition === 'surplus') {
      let surplus = 0;
      for (const i of asks) if (!(orders[i] as Order).flexible) surplus += remainingWh[i] as number;
      energyWh = Math.min(energyWh, surplus);
    }
    deliveredWh.push({ contractId: d.contractId, energyWh });
    if (energyWh === 0) continue;
    const sellerCover = cover(asks, energyWh, remainingWh);
    const buyerCover = cover(bids, energyWh, remainingWh);
    const cutClass: CutClass = !d.flexible ? 'never' : d.condition === 'spare_capacity' ? 'spare' : 'contract';
    let s = 0;
    let b = 0;
    let sLeft = sellerCover[0]?.energyWh ?? 0;
    let bLeft = buyerCover[0]?.energyWh ?? 0;
    while (s < sellerCover.length && b < buyerCover.length) {
      const sc = sellerCover[s] as Cover;
      const bc = buyerCover[b] as Cover;
      const q = Math.min(sLeft, bLeft);
      const sellerOrder = sc.order === null ? null : (orders[sc.order] as Order);
      const buyerOrder = bc.order === null ? null : (orders[bc.order] as Order);
      // A side is flexible only if both the contract and its covering order are.
      const sellerFlexible = d.flexible && (sellerOrder?.flexible ?? true);
      const buyerFlexible = d.flexible && (buyerOrder?.flexible ?? true);
      // Firm sides not already in the schedule as firm orders flow regardless: add them.
      if (!sellerFlexible && (sellerOrder === null || sellerOrder.flexible)) firmExtra.push({ bus: d.sellerBus, energyWh: q });
      if (!buyerFlexible && (buyerOrder === null || buyerOrder.flexible)) firmExtra.push({ bus: d.buyerBus, energyWh: -q });
      pieces.push({
        kind: 'contract',
        ask: sellerOrder?.id ?? d.contractId,
        bid: buyerOrder?.id ?? d.contractId,
        contractId: d.contractId,
        energyWh: q,
        askLimitUcPerKwh: d.priceUcPerKwh,
        bidLimitUcPerKwh: d.priceUcPerKwh,
        seller: { bus: d.sellerBus, flexible: sellerFlexible },
        buyer: { bus: d.buyerBus, flexible: buyerFlexible },
        cutClass,
      });
      sLeft -= q;
      bLeft -= q;
      if (sLeft === 0) sLeft = sellerCover[++s]?.energyWh ?? 0;
      if (bLeft === 0) bLeft = buyerCover[++b]?.energyWh ?? 0;
    }
  }
  return { pieces, remainingWh, firmExtra, deliveredWh };
}

/** Takes `energyWh` from the listed orders in turn; what they cannot cover is uncovered (null). */
function cover(list: readonly number[], energyWh: number, remainingWh: number[]): Cover[] {
  const out: Cover[] = [];
  let need = energyWh;
  for (const i of list) {
    if (need === 0) break;
    const take = Math.min(need, remainingWh[i] as number);
    if (take === 0) continue;
    remainingWh[i] = (remainingWh[i] as number) - take;
    need -= take;
    out.push({ order: i, energyWh: take });
  }
  if (need > 0) out.push({ order: null, energyWh: need });
  return out;
}

function partyKey(side: string, owner: string, bus: number): string {
  return `${side}\u0000${owner}\u0000${bus}`;
}
