/**
 * The order-book file of `gridledger market clear --book FILE` (DESIGN.md section 7), validated
 * with zod and turned into the market's own types. Field names follow the JSON contract
 * (snake_case); `owner`, `contracts` and `interval` are optional extensions.
 */
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import type { ContractDelivery, Order, OrderBook, Side } from './order.ts';

/** 1 GWh in one order and 1000 coin per kWh: far beyond a microgrid, well inside exact integers. */
export const MAX_ENERGY_WH = 1_000_000_000;
export const MAX_PRICE_UC_PER_KWH = 1_000_000_000;

const id = z.string().min(1).max(128);
const bus = z.number().int().nonnegative();
const energyWh = z.number().int().positive().max(MAX_ENERGY_WH);
const price = z.number().int().nonnegative().max(MAX_PRICE_UC_PER_KWH);

const orderSchema = z.strictObject({
  id,
  bus,
  energy_wh: energyWh,
  price,
  flexible: z.boolean().optional(),
  owner: id.optional(),
});

const contractSchema = z.strictObject({
  id,
  seller: id,
  buyer: id,
  seller_bus: bus,
  buyer_bus: bus,
  energy_wh: energyWh,
  price,
  flexible: z.boolean().optional(),
  condition: z.enum(['surplus', 'spare_capacity']).optional(),
});

export const bookSchema = z
  .strictObject({
    interval: z.number().int().nonnegative().optional(),
    asks: z.array(orderSchema),
    bids: z.array(orderSchema),
    contracts: z.array(contractSchema).optional(),
  })
  .superRefine((book, ctx) => {
    const seen = new Map<string, string>();
    for (const side of ['asks', 'bids'] as const) {
      book[side].forEach((o, i) => {
        const first = seen.get(o.id);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [side, i, 'id'], message: `duplicate order id "${o.id}" (first at ${first})` });
        else seen.set(o.id, `${side}[${i}]`);
      });
    }
    const contracts = new Set<string>();
    (book.contracts ?? []).forEach((c, i) => {
      if (contracts.has(c.id)) ctx.addIssue({ code: 'custom', path: ['contracts', i, 'id'], message: `duplicate contract id "${c.id}"` });
      contracts.add(c.id);
      if (c.seller === c.buyer) ctx.addIssue({ code: 'custom', path: ['contracts', i, 'buyer'], message: 'seller and buyer are the same member' });
      if (c.condition === 'spare_capacity' && c.flexible !== true) {
        ctx.addIssue({ code: 'custom', path: ['contracts', i, 'condition'], message: 'spare_capacity applies to flexible deliveries only' });
      }
    });
  });

export type BookFile = z.infer<typeof bookSchema>;

/** Validates a parsed JSON book; errors name the offending field (`asks[3].price: ...`). */
export function parseBook(json: unknown): OrderBook {
  const parsed = bookSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new GridLedgerError('MARKET_BAD_BOOK', `invalid order book: ${lines.join('; ')}`, { details: { issues: lines } });
  }
  const book = parsed.data;
  const interval = book.interval ?? 0;
  const toOrder = (side: Side) => (o: BookFile['asks'][number]): Order => ({
    id: o.id,
    side,
    owner: o.owner ?? o.id,
    bus: o.bus,
    energyWh: o.energy_wh,
    priceUcPerKwh: o.price,
    flexible: o.flexible ?? false,
    interval,
  });
  const deliveries = (book.contracts ?? []).map((c): ContractDelivery => {
    const d: ContractDelivery = {
      contractId: c.id,
      seller: c.seller,
      buyer: c.buyer,
      sellerBus: c.seller_bus,
      buyerBus: c.buyer_bus,
      energyWh: c.energy_wh,
      priceUcPerKwh: c.price,
      flexible: c.flexible ?? false,
    };
    if (c.condition !== undefined) d.condition = c.condition;
    return d;
  });
  return { orders: [...book.asks.map(toOrder('ask')), ...book.bids.map(toOrder('bid'))], deliveries };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(book)' : out;
}
