import { describe, expect, it } from 'vitest';
import { marketCodecs, marketKeys } from '../market/records.ts';
import { marketNet } from '../market/testkit.ts';
import { devNet, tinyFeeder } from '../testkit.ts';

// A: bus 2, export 20 kW (5,000 Wh per 15-min interval), import 8 kW (2,000 Wh).
function setup() {
  const m = marketNet({
    feeder: tinyFeeder(3),
    members: [
      { label: 'A', bus: 2, exportLimitW: 20_000, importLimitW: 8_000 },
      { label: 'B', bus: 3, exportLimitW: 0, importLimitW: 20_000 },
    ],
  });
  return { m, A: m.member('A'), B: m.member('B') };
}

const ask = (energyWh: number, extra: Record<string, unknown> = {}) => ({
  side: 'ask',
  bus: 2,
  energyWh,
  priceUcPerKwh: 100_000,
  flexible: false,
  fromInterval: 1,
  intervals: 1,
  ...extra,
});

describe('order', () => {
  it('records the order in each interval of its run, with its id', () => {
    const { m, A } = setup();
    const r = m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'order', ask(1_500, { intervals: 3 }))]);
    expect(r.txResults[0]?.code).toBe(0);
    const id = r.txResults[0]?.events[0]?.attributes['id'];
    expect(id).toBe('o000000000000');
    for (const k of [1, 2, 3]) expect(m.record(marketKeys.position(k, A.signer.address), marketCodecs.position)).toMatchObject({ askWh: 1_500, orders: [id] });
    expect(m.record(marketKeys.position(4, A.signer.address), marketCodecs.position)).toBeUndefined();
  });

  it('ORDER_GATE_CLOSED: no order for an interval past its gate closure', () => {
    const { m, A } = setup();
    const r = m.blockAt(m.gateClosure(1), [m.net.tx(A.signer, 'order', ask(1_000))]);
    expect(r.txResults[0]?.error).toBe('ORDER_GATE_CLOSED');
    // One ms earlier is still open.
    expect(m.blockAt(m.gateClosure(2) - 1, [m.net.tx(A.signer, 'order', ask(1_000, { fromInterval: 2 }))]).txResults[0]?.code).toBe(0);
  });

  it('ORDER_WRONG_BUS: only at the member\'s own bus', () => {
    const { m, A } = setup();
    expect(m.check(A.signer, 'order', ask(1_000, { bus: 3 })).error).toBe('ORDER_WRONG_BUS');
  });

  it('ORDER_EXCEEDS_CAPACITY: asks within the export limit, bids within the import limit, per interval', () => {
    const { m, A } = setup();
    expect(m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'order', ask(3_000, { intervals: 2 }))]).txResults[0]?.code).toBe(0);
    // 3,000 + 2,001 > 5,000 Wh in interval 2; interval 3 alone would take it.
    expect(m.check(A.signer, 'order', ask(2_001, { fromInterval: 2, intervals: 2 })).error).toBe('ORDER_EXCEEDS_CAPACITY');
    expect(m.check(A.signer, 'order', ask(2_001, { side: 'bid' })).error).toBe('ORDER_EXCEEDS_CAPACITY');
    // (checkTx admits it into the mempool's view: the last check of this test)
    expect(m.check(A.signer, 'order', ask(2_000, { fromInterval: 2, intervals: 2 })).code).toBe(0);
  });

  it('ORDER_RUN_TOO_LONG, ORDER_TOO_FAR_AHEAD, MARKET_NOT_MEMBER, MARKET_DISABLED', () => {
    const { m, A } = setup();
    expect(m.check(A.signer, 'order', ask(100, { intervals: 97 })).error).toBe('ORDER_RUN_TOO_LONG');
    // Interval 1 is the first open one: at most 2,880 intervals beyond it.
    expect(m.check(A.signer, 'order', ask(100, { fromInterval: 2_882 })).error).toBe('ORDER_TOO_FAR_AHEAD');
    expect(m.check(A.meter, 'order', ask(100)).error).toBe('MARKET_NOT_MEMBER');
    const plain = devNet({ feeder: tinyFeeder(3) });
    const alice = plain.chain.accounts['alice'];
    if (alice === undefined) throw new Error('fixture');
    expect(plain.check(plain.tx(alice, 'order', ask(100))).error).toBe('MARKET_DISABLED');
  });
});

describe('cancel_order', () => {
  it('withdraws the order from every interval still open and frees its capacity', () => {
    const { m, A } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'order', ask(5_000, { intervals: 3 }))]);
    // After interval 1's gate closure: interval 1 keeps the order, 2 and 3 lose it.
    const r = m.blockAt(m.gateClosure(1), [m.net.tx(A.signer, 'cancel_order', { orderId: 'o000000000000' })]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(m.record(marketKeys.position(1, A.signer.address), marketCodecs.position)?.orders).toEqual(['o000000000000']);
    expect(m.record(marketKeys.position(2, A.signer.address), marketCodecs.position)).toBeUndefined();
    expect(m.record(marketKeys.order('o000000000000'), marketCodecs.order)?.lastInterval).toBe(1);
    expect(m.check(A.signer, 'order', ask(5_000, { fromInterval: 2 })).code).toBe(0);
  });

  it('removes an order none of whose intervals has closed', () => {
    const { m, A } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'order', ask(5_000))]);
    m.blockAt(m.start(0) + 20_000, [m.net.tx(A.signer, 'cancel_order', { orderId: 'o000000000000' })]);
    expect(m.record(marketKeys.order('o000000000000'), marketCodecs.order)).toBeUndefined();
    expect(m.record(marketKeys.intervalIndex(1), marketCodecs.intervalIndex)).toBeUndefined();
  });

  it('ORDER_GATE_CLOSED after the gate closure of its last interval; ORDER_NOT_FOUND; ORDER_NOT_OWNER', () => {
    const { m, A, B } = setup();
    m.blockAt(m.start(0) + 10_000, [m.net.tx(A.signer, 'order', ask(5_000))]);
    expect(m.check(B.signer, 'cancel_order', { orderId: 'o000000000000' }).error).toBe('ORDER_NOT_OWNER');
    expect(m.check(A.signer, 'cancel_order', { orderId: 'o000000000001' }).error).toBe('ORDER_NOT_FOUND');
    const r = m.blockAt(m.gateClosure(1), [m.net.tx(A.signer, 'cancel_order', { orderId: 'o000000000000' })]);
    expect(r.txResults[0]?.error).toBe('ORDER_GATE_CLOSED');
  });
});
