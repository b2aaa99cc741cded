/**
 * Random order books, contracts, cancellations, readings and PCC readings on chain (four members
 * on a small feeder, three intervals, sometimes no block between a gate closure and the start):
 * coin is conserved (supply = genesis + minted − burned, minted = what settlements minted), no
 * auction trade is beyond its limit prices or over-fills an order, every interval with activity
 * settles and leaves nothing behind, and an independent app fed the same blocks computes the
 * same app hash at every height.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { bytesEqual } from '../bytes.ts';
import { auditSupply } from '../supply.ts';
import { tinyFeeder } from '../testkit.ts';
import { marketAppOptions } from './index.ts';
import { marketNet } from './testkit.ts';

const LABELS = ['m0', 'm1', 'm2', 'm3'];
const limit = (o: { side: 'ask' | 'bid'; price: number }): number => o.price + (o.side === 'bid' ? 100_000 : 0);
const BUSES = [1, 2, 3, 1];

const orderArb = fc.record({
  who: fc.nat(3),
  side: fc.constantFrom('ask' as const, 'bid' as const),
  energyWh: fc.integer({ min: 1, max: 2_500 }),
  /** Bids 100,000 above asks on this scale, so books cross often. */
  price: fc.nat(20).map((p) => p * 10_000),
  flexible: fc.boolean(),
  fromInterval: fc.integer({ min: 1, max: 2 }),
  intervals: fc.integer({ min: 1, max: 2 }),
  cancel: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
});
const contractArb = fc.record({
  seller: fc.nat(3),
  buyer: fc.nat(3),
  energyWh: fc.integer({ min: 1, max: 2_000 }),
  price: fc.nat(30).map((p) => p * 10_000),
  flexible: fc.boolean(),
  condition: fc.constantFrom('none' as const, 'surplus' as const),
  accept: fc.boolean(),
});
const readingArb = fc.option(
  fc.record({ producedWh: fc.nat(4_000), consumedWh: fc.nat(4_000), share: fc.nat(100) }).map((r) => ({ ...r, renewableWh: Math.floor((r.producedWh * r.share) / 100) })),
  { nil: null, freq: 12 },
);
const scenarioArb = fc.record({
  orders: fc.array(orderArb, { maxLength: 10 }),
  contracts: fc.array(contractArb, { maxLength: 2 }),
  readings: fc.array(fc.array(readingArb, { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 }),
  pcc: fc.array(
    fc.oneof({ arbitrary: fc.constant('consistent' as const), weight: 4 }, { arbitrary: fc.constant('random' as const), weight: 1 }, { arbitrary: fc.constant('none' as const), weight: 1 }),
    { minLength: 3, maxLength: 3 },
  ),
  lossesWh: fc.nat(120),
  missGate2: fc.boolean(),
});

describe('the market on chain, over random books', () => {
  it('conserves coin, respects limits, settles everything and is deterministic', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const m = marketNet({
          feeder: tinyFeeder(3),
          members: LABELS.map((label, i) => ({ label, bus: BUSES[i] as number, exportLimitW: 16_000, importLimitW: 16_000 })),
          market: { lossToleranceWh: 100, lossMaxPpm: 50_000 },
        });
        const { net } = m;
        const who = (i: number) => m.member(LABELS[i] as string);
        const minted0 = m.supply().mintedUc;

        const placed = m.blockAt(m.start(0) + 10_000, [
          ...sc.orders.map((o) =>
            net.tx(who(o.who).signer, 'order', { side: o.side, bus: who(o.who).bus, energyWh: o.energyWh, priceUcPerKwh: limit(o), flexible: o.flexible, fromInterval: o.fromInterval, intervals: o.intervals }),
          ),
          ...sc.contracts.map((c) =>
            net.tx(who(c.seller).signer, 'contract_create', {
              counterparty: who(c.buyer).signer.address,
              role: 'seller',
              energyWh: c.energyWh,
              priceUcPerKwh: c.price,
              fromInterval: 1,
              toInterval: 2,
              flexible: c.flexible,
              condition: c.condition,
              noticeIntervals: 1,
            }),
          ),
        ]);
        // Each placed order's terms by id (from its event), for the limit checks below.
        const terms = new Map<string, { side: string; energyWh: number; price: number }>();
        sc.orders.forEach((o, i) => {
          const id = placed.txResults[i]?.events[0]?.attributes['id'];
          if (id !== undefined) terms.set(id, { side: o.side, energyWh: o.energyWh, price: limit(o) });
        });
        const contractIds = placed.txResults.slice(sc.orders.length).map((r) => r.events[0]?.attributes['id']);
        m.blockAt(m.start(0) + 20_000, [
          ...sc.contracts.flatMap((c, i) => (c.accept && contractIds[i] !== undefined ? [net.tx(who(c.buyer).signer, 'contract_accept', { contractId: contractIds[i] })] : [])),
          ...sc.orders.flatMap((o, i) => {
            const id = placed.txResults[i]?.events[0]?.attributes['id'];
            return o.cancel && id !== undefined ? [net.tx(who(o.who).signer, 'cancel_order', { orderId: id })] : [];
          }),
        ]);

        const readingsFor = (k: number) => {
          const txs: Uint8Array[] = [];
          let netImport = 0;
          (sc.readings[k - 1] ?? []).forEach((r, i) => {
            if (r === null) return;
            txs.push(net.tx(who(i).meter, 'meter_reading', { interval: k, producedWh: r.producedWh, consumedWh: r.consumedWh, renewableWh: r.renewableWh }));
            netImport += r.consumedWh - r.producedWh;
          });
          const mode = sc.pcc[k - 1];
          const pccNet = mode === 'random' ? netImport + 5_000 : netImport + sc.lossesWh;
          if (mode !== 'none') txs.push(net.tx(net.chain.operator, 'pcc_reading', { interval: k, importWh: Math.max(0, pccNet), exportWh: Math.max(0, -pccNet) }));
          return txs;
        };
        const events: { t: number; txs: () => Uint8Array[] }[] = [
          { t: m.gateClosure(1), txs: () => [] },
          { t: sc.missGate2 ? m.start(2) + 1 : m.gateClosure(2), txs: () => [] },
          { t: m.gateClosure(3), txs: () => [] },
          ...[1, 2, 3].flatMap((k) => [
            { t: m.end(k), txs: () => readingsFor(k) },
            { t: m.deadline(k), txs: () => [] },
          ]),
        ].sort((a, b) => a.t - b.t);
        for (const e of events) m.blockAt(e.t, e.txs());

        // Coin.
        const audit = auditSupply(net.app.entries());
        expect(audit.heldUc).toBe(audit.expectedUc);
        const settled = [1, 2, 3].map((k) => m.settlement(k));
        const mintedBySettlement = settled.reduce((s, r) => s + (r?.totals.mintedUc ?? 0), 0);
        expect(m.supply().mintedUc - minted0).toBe(mintedBySettlement);

        // Limits: no auction trade outside its orders' limits, no order over-filled.
        const filled = new Map<string, number>();
        for (const k of [1, 2, 3]) {
          const c = m.clearing(k);
          if (sc.missGate2 && k === 2 && c !== undefined) expect(c.status).toBe('missed');
          for (const t of c?.trades ?? []) {
            if (t.kind !== 'auction' || t.ask === null || t.bid === null) continue;
            const ask = terms.get(t.ask);
            const bid = terms.get(t.bid);
            expect(ask !== undefined && bid !== undefined).toBe(true);
            expect(t.priceUcPerKwh).toBeGreaterThanOrEqual(ask?.price ?? Infinity);
            expect(t.priceUcPerKwh).toBeLessThanOrEqual(bid?.price ?? -1);
            for (const id of [t.ask, t.bid]) filled.set(`${k}/${id}`, (filled.get(`${k}/${id}`) ?? 0) + t.energyWh);
          }
          if (c !== undefined) expect(settled[k - 1]).toBeDefined();
        }
        for (const [key, wh] of filled) expect(wh).toBeLessThanOrEqual(terms.get(key.split('/')[1] as string)?.energyWh ?? 0);

        // Everything settled, nothing left behind; members may leave.
        const leftovers = net.app.entries().filter(([key]) => /^mkt\/(pos|iv|pcc|order|mem)\//.test(key) || /^mkt\/contract\//.test(key));
        expect(leftovers.map(([key]) => key)).toEqual([]);

        // Determinism: a second app, fed the same blocks, agrees on every app hash.
        const twin = createApp(marketAppOptions(m.params));
        twin.initChain(net.chain.genesis);
        twin.commit();
        const proposer = net.chain.validators[0]?.address ?? new Uint8Array(20);
        let height = 0;
        const hashes: Uint8Array[] = [];
        for (const b of m.blocks) {
          height++;
          hashes.push(twin.finalizeBlock({ height, timeMs: b.timeMs, proposer, txs: b.txs }).appHash);
          twin.commit();
        }
        expect(hashes).toHaveLength(net.app.info().height);
        expect(hashes.every((h, i) => bytesEqual(h, m.blocks[i]?.appHash ?? new Uint8Array()))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
