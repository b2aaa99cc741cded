/**
 * Each member's scheduled net injection for an interval (+ exports), as the grid check saw it:
 * every firm order in full, the firm sides of contract deliveries that no firm order covers, and
 * the flexible sides of contract pieces and auction trades by their volume after the grid check.
 * Settlement uses it for a member without a reading (its schedule counts as actual) and reports
 * each member's deviation from it.
 */
import { scheduleDeliveries } from '../../market/contracts.ts';
import type { ContractDelivery, Order } from '../../market/order.ts';
import type { ClearingResult } from '../../market/result.ts';

export function scheduledNetByOwner(orders: readonly Order[], deliveries: readonly ContractDelivery[], result: ClearingResult | null): Map<string, number> {
  const net = new Map<string, number>();
  const add = (owner: string, wh: number): void => {
    net.set(owner, (net.get(owner) ?? 0) + wh);
  };
  const byId = new Map<string, Order>();
  for (const o of orders) {
    byId.set(o.id, o);
    if (!o.flexible) add(o.owner, o.side === 'ask' ? o.energyWh : -o.energyWh);
    else add(o.owner, 0);
  }
  if (result === null) return net;

  for (const t of result.trades) {
    const ask = byId.get(t.ask);
    const bid = byId.get(t.bid);
    if (ask?.flexible === true) add(ask.owner, t.energyWh);
    if (bid?.flexible === true) add(bid.owner, -t.energyWh);
  }

  const cut = new Map<string, number>();
  for (const c of result.curtailed) {
    if (c.contractId === undefined) continue;
    const key = `${c.contractId}\u0000${c.ask}\u0000${c.bid}`;
    cut.set(key, (cut.get(key) ?? 0) + c.energyWh);
  }
  const contracts = new Map(deliveries.map((d) => [d.contractId, d]));
  // The same pieces clearAuction scheduled (a pure function of the same inputs).
  for (const piece of scheduleDeliveries(orders, deliveries).pieces) {
    const d = contracts.get(piece.contractId ?? '');
    if (d === undefined) continue;
    const kept = piece.energyWh - (cut.get(`${piece.contractId ?? ''}\u0000${piece.ask}\u0000${piece.bid}`) ?? 0);
    const askOrder = byId.get(piece.ask);
    const bidOrder = byId.get(piece.bid);
    if (piece.seller.flexible) add(d.seller, kept);
    else if (askOrder === undefined || askOrder.flexible) add(d.seller, piece.energyWh);
    if (piece.buyer.flexible) add(d.buyer, -kept);
    else if (bidOrder === undefined || bidOrder.flexible) add(d.buyer, -piece.energyWh);
  }
  for (const d of deliveries) {
    add(d.seller, 0);
    add(d.buyer, 0);
  }
  return net;
}
