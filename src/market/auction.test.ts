import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runDoubleAuction } from './auction.ts';
import { clearAuction } from './clear.ts';
import type { Order, OrderBook } from './order.ts';
import { arbitraryBook, order } from './testkit.ts';

const auction = (orders: Order[]) => runDoubleAuction(orders, orders.map((o) => o.energyWh));
const pairs = (r: ReturnType<typeof auction>) => r.trades.map((t) => [t.ask, t.bid, t.energyWh]);

describe('runDoubleAuction', () => {
  it('clears the hand-worked 3-ask 3-bid book', () => {
    // Asks (merit order, cheapest first): a1 2000 Wh @100, a2 3000 Wh @151, a3 4000 Wh @300.
    // Bids (dearest first):              b1 2501 Wh @400, b2 2000 Wh @200, b3 3000 Wh @120.
    //   a1-b1: 100 <= 400, min(2000, 2501) = 2000 Wh; a1 done, b1 has 501 left.
    //   a2-b1: 151 <= 400, 501 Wh; b1 done, a2 has 2499 left.
    //   a2-b2: 151 <= 200, 2000 Wh; b2 done, a2 has 499 left.
    //   a2-b3: 151 > 120: stop. Marginal pair a2/b2: price floor((151 + 200) / 2) = floor(175.5) = 175.
    // Matched 4501 Wh. Welfare, floored per trade: (400-100)*2000/1000 = 600,
    // (400-151)*501/1000 = 124.749 -> 124, (200-151)*2000/1000 = 98; total 822 µc.
    const book: OrderBook = {
      orders: [
        order('bid', 'b3', 3000, 120),
        order('ask', 'a3', 4000, 300),
        order('bid', 'b1', 2501, 400),
        order('ask', 'a1', 2000, 100),
        order('bid', 'b2', 2000, 200),
        order('ask', 'a2', 3000, 151),
      ],
      deliveries: [],
    };
    const r = clearAuction(book);
    expect(r.clearingPriceUcPerKwh).toBe(175);
    expect(r.trades).toEqual([
      { ask: 'a1', bid: 'b1', energyWh: 2000, priceUcPerKwh: 175 },
      { ask: 'a2', bid: 'b1', energyWh: 501, priceUcPerKwh: 175 },
      { ask: 'a2', bid: 'b2', energyWh: 2000, priceUcPerKwh: 175 },
    ]);
    expect(r.matchedWh).toBe(4501);
    expect(r.welfareUc).toBe(822);
  });

  it('breaks price ties by order id (code-unit order), asks and bids alike', () => {
    // Two asks and two bids at one price each: x1 before x2, y1 before y2, whatever the input order.
    const r = auction([
      order('ask', 'x2', 1000, 100),
      order('ask', 'x1', 1000, 100),
      order('bid', 'y2', 1000, 200),
      order('bid', 'y1', 700, 200),
    ]);
    expect(pairs(r)).toEqual([
      ['x1', 'y1', 700],
      ['x1', 'y2', 300],
      ['x2', 'y2', 700],
    ]);
    expect(r.clearingPriceUcPerKwh).toBe(150);
    // 'B' (0x42) sorts before 'a' (0x61): no locale collation.
    expect(pairs(auction([order('ask', 'a', 10, 1), order('ask', 'B', 10, 1), order('bid', 'c', 10, 5)]))).toEqual([['B', 'c', 10]]);
  });

  it('trades nothing when the best bid is below the best ask, and prices null', () => {
    const r = auction([order('ask', 'a', 1000, 300), order('bid', 'b', 1000, 299)]);
    expect(r.trades).toEqual([]);
    expect(r.clearingPriceUcPerKwh).toBeNull();
  });

  it('refuses a book that mixes intervals', () => {
    const book = { orders: [order('ask', 'a', 10, 1), order('bid', 'b', 10, 2, { interval: 7 })], deliveries: [] };
    expect(() => clearAuction(book)).toThrow(/order b is for interval 7, the book for interval 0/);
  });

  it('trades at equal limits, at that price', () => {
    const r = auction([order('ask', 'a', 1000, 250), order('bid', 'b', 400, 250)]);
    expect(pairs(r)).toEqual([['a', 'b', 400]]);
    expect(r.clearingPriceUcPerKwh).toBe(250);
  });
});

describe('runDoubleAuction properties', () => {
  it('never trades beyond a limit price and never over-fills an order', () => {
    fc.assert(
      fc.property(arbitraryBook(), (book) => {
        const r = clearAuction(book);
        const byId = new Map(book.orders.map((o) => [o.id, o]));
        const filled = new Map<string, number>();
        for (const t of r.trades) {
          const ask = byId.get(t.ask) as Order;
          const bid = byId.get(t.bid) as Order;
          expect(ask.side).toBe('ask');
          expect(bid.side).toBe('bid');
          expect(ask.priceUcPerKwh).toBeLessThanOrEqual(t.priceUcPerKwh);
          expect(t.priceUcPerKwh).toBeLessThanOrEqual(bid.priceUcPerKwh);
          expect(t.energyWh).toBeGreaterThan(0);
          for (const id of [t.ask, t.bid]) filled.set(id, (filled.get(id) ?? 0) + t.energyWh);
        }
        for (const [id, wh] of filled) expect(wh).toBeLessThanOrEqual((byId.get(id) as Order).energyWh);
      }),
    );
  });

  it('matches the largest volume the merit-order curves allow: max over p of min(supply(p), demand(p))', () => {
    fc.assert(
      fc.property(arbitraryBook(), (book) => {
        const asks = book.orders.filter((o) => o.side === 'ask');
        const bids = book.orders.filter((o) => o.side === 'bid');
        let best = 0;
        for (const p of book.orders.map((o) => o.priceUcPerKwh)) {
          const supply = asks.filter((o) => o.priceUcPerKwh <= p).reduce((s, o) => s + o.energyWh, 0);
          const demand = bids.filter((o) => o.priceUcPerKwh >= p).reduce((s, o) => s + o.energyWh, 0);
          best = Math.max(best, Math.min(supply, demand));
        }
        expect(clearAuction(book).matchedWh).toBe(best);
      }),
    );
  });

  it('gives the same result for any input order', () => {
    fc.assert(
      fc.property(
        arbitraryBook().chain((book) => fc.tuple(fc.constant(book), fc.shuffledSubarray(book.orders, { minLength: book.orders.length }))),
        ([book, shuffled]) => {
          expect(JSON.stringify(clearAuction({ ...book, orders: shuffled }))).toBe(JSON.stringify(clearAuction(book)));
        },
      ),
    );
  });
});
