import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import { parseBook } from './book.ts';

function reject(json: unknown): string {
  try {
    parseBook(json);
  } catch (e) {
    if (isGridLedgerError(e) && e.code === 'MARKET_BAD_BOOK') return e.message;
    throw e;
  }
  throw new Error('book was accepted');
}

describe('parseBook', () => {
  it('reads the DESIGN.md section 7 book, firm by default, owner defaulting to the order id', () => {
    const book = parseBook({
      asks: [{ id: 'a1', bus: 5, energy_wh: 3000, price: 200_000, flexible: true }],
      bids: [{ id: 'b1', bus: 7, energy_wh: 4000, price: 300_000 }],
    });
    expect(book.orders).toEqual([
      { id: 'a1', side: 'ask', owner: 'a1', bus: 5, energyWh: 3000, priceUcPerKwh: 200_000, flexible: true, interval: 0 },
      { id: 'b1', side: 'bid', owner: 'b1', bus: 7, energyWh: 4000, priceUcPerKwh: 300_000, flexible: false, interval: 0 },
    ]);
    expect(book.deliveries).toEqual([]);
  });

  it('reads contracts with their condition', () => {
    const book = parseBook({
      asks: [],
      bids: [],
      contracts: [{ id: 'c1', seller: 'A', buyer: 'B', seller_bus: 2, buyer_bus: 3, energy_wh: 3000, price: 250_000, flexible: true, condition: 'spare_capacity' }],
    });
    expect(book.deliveries).toEqual([
      { contractId: 'c1', seller: 'A', buyer: 'B', sellerBus: 2, buyerBus: 3, energyWh: 3000, priceUcPerKwh: 250_000, flexible: true, condition: 'spare_capacity' },
    ]);
  });

  it('names the offending field with its path', () => {
    expect(reject({ asks: [{ id: 'a', bus: 1, energy_wh: 10, price: 1.5 }], bids: [] })).toMatch(/asks\[0\]\.price: /);
    expect(reject({ asks: [], bids: [{ id: 'b', bus: 1, energy_wh: -1, price: 1 }] })).toMatch(/bids\[0\]\.energy_wh: /);
    expect(reject({ asks: [] })).toMatch(/^invalid order book: bids: /);
    expect(reject({ asks: [], bids: [{ id: 'b', bus: 1, energy_wh: 1, price: 1, colour: 'red' }] })).toMatch(/bids\[0\]: .*colour/);
  });

  it('refuses duplicate order ids across sides and contracts that make no sense', () => {
    expect(reject({ asks: [{ id: 'x', bus: 1, energy_wh: 1, price: 1 }], bids: [{ id: 'x', bus: 1, energy_wh: 1, price: 1 }] })).toMatch(
      /bids\[0\]\.id: duplicate order id "x" \(first at asks\[0\]\)/,
    );
    const c = { id: 'c', seller: 'A', buyer: 'A', seller_bus: 1, buyer_bus: 1, energy_wh: 1, price: 1 };
    expect(reject({ asks: [], bids: [], contracts: [c] })).toMatch(/contracts\[0\]\.buyer: seller and buyer are the same member/);
    expect(reject({ asks: [], bids: [], contracts: [{ ...c, buyer: 'B', condition: 'spare_capacity' }] })).toMatch(/flexible deliveries only/);
  });
});
