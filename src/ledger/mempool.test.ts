import { describe, expect, it } from 'vitest';
import { verificationCount } from './keys.ts';
import { Mempool } from './mempool.ts';
import type { MempoolOptions } from './mempool.ts';
import { devNet, devSigner, tinyFeeder } from './testkit.ts';

function setup(opts: Partial<MempoolOptions> = {}) {
  const net = devNet({ accounts: ['alice', 'bob', 'carol'] });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((l) => net.chain.accounts[l]);
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('fixture');
  const pool = new Mempool(net.app, { maxTxs: 100, maxBytes: 1_000_000, maxPerSender: 10, ...opts });
  const pay = (amountUc = 1) => ({ to: devSigner('sink').address, amountUc });
  return { net, pool, alice, bob, carol, pay };
}

describe('mempool', () => {
  it('admits valid transactions, refuses duplicates and invalid ones', () => {
    const { net, pool, alice, pay } = setup();
    const tx = net.tx(alice, 'transfer', pay());
    expect(pool.add(tx).code).toBe(0);
    expect(pool.add(tx).error).toBe('TX_DUPLICATE');
    const bad = new Uint8Array(net.tx(alice, 'transfer', pay()));
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(pool.add(bad).error).toBe('TX_BAD_SIGNATURE');
    expect(pool.size).toBe(1);
    expect(pool.bytes).toBe(tx.length);
  });

  it('refuses a flood from one sender before verifying its signatures', () => {
    const { net, pool, alice, bob, pay } = setup({ maxPerSender: 3 });
    for (let i = 0; i < 3; i++) expect(pool.add(net.tx(alice, 'transfer', pay())).code).toBe(0);
    const before = verificationCount();
    const r = pool.add(net.tx(alice, 'transfer', pay()));
    expect(r.error).toBe('MEMPOOL_SENDER_LIMIT');
    expect(verificationCount()).toBe(before);
    expect(pool.add(net.tx(bob, 'transfer', pay())).code).toBe(0);
    expect(pool.senderCount(Buffer.from(alice.address).toString('hex'))).toBe(3);
  });

  it('is bounded in count and in bytes', () => {
    const byCount = setup({ maxTxs: 2 });
    expect(byCount.pool.add(byCount.net.tx(byCount.alice, 'transfer', byCount.pay())).code).toBe(0);
    expect(byCount.pool.add(byCount.net.tx(byCount.bob, 'transfer', byCount.pay())).code).toBe(0);
    expect(byCount.pool.add(byCount.net.tx(byCount.carol, 'transfer', byCount.pay())).error).toBe('MEMPOOL_FULL');
    const first = byCount.net.tx(byCount.alice, 'transfer', byCount.pay());
    const byBytes = setup({ maxBytes: first.length + 10 });
    expect(byBytes.pool.add(byBytes.net.tx(byBytes.alice, 'transfer', byBytes.pay())).code).toBe(0);
    expect(byBytes.pool.add(byBytes.net.tx(byBytes.bob, 'transfer', byBytes.pay())).error).toBe('MEMPOOL_FULL');
  });

  it('orders each sender by nonce: transactions arriving early wait for the gap to fill', () => {
    const { net, pool, alice, pay } = setup();
    const txs = [0, 1, 2].map((nonce) => net.tx(alice, 'transfer', pay(nonce + 1), { nonce }));
    expect(pool.add(txs[2] as Uint8Array)).toMatchObject({ code: 0, parked: true });
    expect(pool.add(txs[1] as Uint8Array)).toMatchObject({ code: 0, parked: true });
    expect(pool.readyCount).toBe(0);
    expect(pool.reap(1_000_000, 100)).toEqual([]);
    expect(pool.add(txs[0] as Uint8Array).code).toBe(0);
    expect(pool.readyCount).toBe(3);
    const reaped = pool.reap(1_000_000, 100);
    expect(reaped).toEqual(txs);
    expect(net.block(reaped).txResults.map((r) => r.code)).toEqual([0, 0, 0]);
  });

  it('a parked transaction stays parked while the nonce before it is missing', () => {
    const { net, pool, alice, pay } = setup();
    const txs = [0, 1, 2, 3].map((nonce) => net.tx(alice, 'transfer', pay(nonce + 1), { nonce }));
    for (const i of [3, 0]) expect(pool.add(txs[i] as Uint8Array).code).toBe(0);
    expect(pool.readyCount).toBe(1);
    expect(pool.add(txs[2] as Uint8Array)).toMatchObject({ code: 0, parked: true });
    expect(pool.readyCount).toBe(1);
    expect(pool.add(txs[1] as Uint8Array).code).toBe(0);
    expect(pool.readyCount).toBe(4);
    expect(pool.reap(1_000_000, 100)).toEqual(txs);
  });

  it('after a commit: drops included transactions, re-checks the rest and evicts what became invalid', () => {
    const { net, pool, alice, bob, pay } = setup();
    const a0 = net.tx(alice, 'transfer', pay());
    const a1 = net.tx(alice, 'transfer', pay());
    const b0 = net.tx(bob, 'transfer', pay(5), { nonce: 0 });
    for (const tx of [a0, a1, b0]) expect(pool.add(tx).code).toBe(0);
    // Another proposer's block holds a0 and a different bob transaction with nonce 0.
    const conflicting = net.tx(bob, 'transfer', pay(6), { nonce: 0 });
    const block = [a0, conflicting];
    expect(net.block(block).txResults.map((r) => r.code)).toEqual([0, 0]);
    const r = pool.update(block);
    expect(r).toEqual({ removed: 1, evicted: 1 });
    expect(pool.reap(1_000_000, 100)).toEqual([a1]);
    expect(pool.size).toBe(1);
  });

  it('reap respects the byte budget and never leaves a gap in a sender\'s nonces', () => {
    const { net, pool, bob, pay } = setup();
    const alice = net.chain.operator;
    const a0 = net.tx(alice, 'publish_feeder', { model: tinyFeeder(4) }); // large
    const a1 = net.tx(alice, 'transfer', pay());
    const b0 = net.tx(bob, 'transfer', pay());
    for (const tx of [a0, a1, b0]) expect(pool.add(tx).code).toBe(0);
    expect(pool.reap(a1.length + b0.length + 10, 100)).toEqual([b0]);
    expect(pool.reap(10_000, 2)).toEqual([a0, a1]);
  });
});
