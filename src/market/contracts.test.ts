import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearAuction } from './clear.ts';
import { scheduleDeliveries } from './contracts.ts';
import type { ContractDelivery, Order } from './order.ts';
import { firmEnergy, flexibleEnergy, sumByBus } from './schedule.ts';
import { arbitraryBook, order } from './testkit.ts';

function delivery(contractId: string, seller: string, buyer: string, energyWh: number, extra: Partial<ContractDelivery> = {}): ContractDelivery {
  return { contractId, seller, buyer, sellerBus: 2, buyerBus: 3, energyWh, priceUcPerKwh: 250_000, flexible: false, ...extra };
}

describe('the worked example of DESIGN.md section 2', () => {
  // A produces 8 kWh and uses 5: a firm ask of 3 kWh at bus 2. B needs 4 kWh: a firm bid at bus 3.
  // Their contract delivers 3 kWh from A to B. Expected schedule: A +3 kWh, B -4 kWh, so the PCC
  // supplies 1 kWh; the contract covers A's ask and 3 of B's 4 kWh; B's last 1 kWh finds no seller.
  const orders: Order[] = [
    order('ask', 'A-ask', 3000, 200_000, { owner: 'A', bus: 2 }),
    order('bid', 'B-bid', 4000, 300_000, { owner: 'B', bus: 3 }),
  ];
  const deliveries = [delivery('c1', 'A', 'B', 3000)];

  it('schedules A +3 kWh, B -4 kWh and leaves 1 kWh for the main grid', () => {
    const s = scheduleDeliveries(orders, deliveries);
    expect(s.remainingWh).toEqual([0, 1000]);
    expect(s.firmExtra).toEqual([]);
    const net = sumByBus([...firmEnergy(orders, s.firmExtra), ...flexibleEnergy(s.pieces)]);
    expect(net).toEqual([
      { bus: 2, energyWh: 3000 },
      { bus: 3, energyWh: -4000 },
    ]);
    const pcc = -net.reduce((sum, b) => sum + b.energyWh, 0);
    expect(pcc).toBe(1000);
  });

  it('reports the delivery and no auction trade', () => {
    const r = clearAuction({ orders, deliveries });
    expect(r.deliveries).toEqual([{ contractId: 'c1', seller: 'A', buyer: 'B', energyWh: 3000, priceUcPerKwh: 250_000 }]);
    expect(r.trades).toEqual([]);
    expect(r.clearingPriceUcPerKwh).toBeNull();
  });
});

describe('scheduleDeliveries', () => {
  it('runs contracts before the auction: the auction gets only what the contracts left', () => {
    const orders = [
      order('ask', 'a', 5000, 100, { owner: 'S', bus: 2 }),
      order('bid', 'b', 5000, 300, { owner: 'X', bus: 4 }),
    ];
    // S sells 2 kWh of its 5 kWh to Y by contract: 3 kWh remain for X in the auction.
    const r = clearAuction({ orders, deliveries: [delivery('c', 'S', 'Y', 2000)] });
    expect(r.trades).toEqual([{ ask: 'a', bid: 'b', energyWh: 3000, priceUcPerKwh: 200 }]);
    expect(r.deliveries[0]?.energyWh).toBe(2000);
  });

  it('caps an "only from surplus" delivery at the seller\'s firm asks, and ignores its flexible ones', () => {
    const orders = [
      order('ask', 'pv', 1200, 100, { owner: 'S', bus: 2 }),
      order('ask', 'battery', 5000, 100, { owner: 'S', bus: 2, flexible: true }),
    ];
    const s = scheduleDeliveries(orders, [delivery('c', 'S', 'B', 3000, { condition: 'surplus' })]);
    expect(s.deliveredWh).toEqual([{ contractId: 'c', energyWh: 1200 }]);
    expect(s.remainingWh).toEqual([0, 5000]);
    // No bid of B covers it: the buyer side is uncovered, and firm, so it joins the firm schedule.
    expect(s.firmExtra).toEqual([{ bus: 3, energyWh: -1200 }]);
  });

  it('covers firm asks before flexible ones, then by id, and marks sides flexible only when contract and order are', () => {
    const orders = [
      order('ask', 's-2', 1000, 100, { owner: 'S', bus: 2, flexible: true }),
      order('ask', 's-1', 1000, 100, { owner: 'S', bus: 2, flexible: true }),
      order('ask', 's-9', 500, 100, { owner: 'S', bus: 2 }),
      order('bid', 'b-1', 4000, 100, { owner: 'B', bus: 3, flexible: true }),
    ];
    const s = scheduleDeliveries(orders, [delivery('c', 'S', 'B', 2000, { flexible: true })]);
    expect(s.pieces.map((p) => [p.ask, p.bid, p.energyWh, p.seller.flexible, p.buyer.flexible, p.cutClass])).toEqual([
      ['s-9', 'b-1', 500, false, true, 'contract'],
      ['s-1', 'b-1', 1000, true, true, 'contract'],
      ['s-2', 'b-1', 500, true, true, 'contract'],
    ]);
    expect(s.remainingWh).toEqual([500, 0, 0, 2000]);
  });

  it('makes a firm delivery flow even where only flexible orders or none cover it', () => {
    const orders = [order('ask', 'bat', 1000, 100, { owner: 'S', bus: 2, flexible: true })];
    const s = scheduleDeliveries(orders, [delivery('c', 'S', 'B', 1500)]);
    // 1000 Wh from the flexible ask and 500 Wh uncovered inject firmly; B's 1500 Wh withdraw firmly.
    expect(sumByBus(s.firmExtra)).toEqual([
      { bus: 2, energyWh: 1500 },
      { bus: 3, energyWh: -1500 },
    ]);
    expect(s.pieces.every((p) => !p.seller.flexible && !p.buyer.flexible && p.cutClass === 'never')).toBe(true);
  });

  it('never lets contracts and the auction together over-fill an order', () => {
    fc.assert(
      fc.property(
        arbitraryBook({ buses: [2, 3] }).chain((book) =>
          fc.tuple(
            fc.constant(book),
            fc.array(
              fc.record({
                seller: fc.integer({ min: 0, max: 9 }),
                buyer: fc.integer({ min: 0, max: 9 }),
                bus: fc.constantFrom(2, 3),
                energyWh: fc.integer({ min: 1, max: 6000 }),
                flexible: fc.boolean(),
                surplus: fc.boolean(),
              }),
              { maxLength: 4 },
            ),
          ),
        ),
        ([book, raw]) => {
          const deliveries = raw.map((d, i): ContractDelivery => {
            const out = delivery(`c${i}`, `m${d.seller}`, `m${d.buyer}`, d.energyWh, { sellerBus: d.bus, buyerBus: d.bus, flexible: d.flexible });
            if (d.surplus) out.condition = 'surplus';
            return out;
          });
          const r = clearAuction({ orders: book.orders, deliveries });
          const s = scheduleDeliveries(book.orders, deliveries);
          const filled = new Map<string, number>();
          for (const p of [...s.pieces, ...r.trades]) for (const id of [p.ask, p.bid]) filled.set(id, (filled.get(id) ?? 0) + p.energyWh);
          for (const o of book.orders) expect(filled.get(o.id) ?? 0).toBeLessThanOrEqual(o.energyWh);
        },
      ),
    );
  });
});
