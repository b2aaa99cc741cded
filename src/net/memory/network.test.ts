import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from './network.ts';
import { createPrng } from './prng.ts';
import { EventScheduler } from './scheduler.ts';

function net(seed: number, faults = {}) {
  const scheduler = new EventScheduler();
  const network = new MemoryNetwork<number>(scheduler, createPrng(seed), 3, faults);
  const got: [number, number, number, number][] = []; // [to, from, msg, time]
  for (let i = 0; i < 3; i++) network.attach(i, (from, m) => got.push([i, from, m, scheduler.now]));
  return { scheduler, network, got };
}

describe('MemoryNetwork', () => {
  it('delivers within the delay range, deterministically per seed', () => {
    const a = net(5, { minDelayMs: 10, maxDelayMs: 30 });
    for (let i = 0; i < 50; i++) a.network.broadcast(0, i);
    a.scheduler.runUntil(1000);
    expect(a.got).toHaveLength(100);
    for (const [, , , t] of a.got) expect(t >= 10 && t <= 30).toBe(true);
    const b = net(5, { minDelayMs: 10, maxDelayMs: 30 });
    for (let i = 0; i < 50; i++) b.network.broadcast(0, i);
    b.scheduler.runUntil(1000);
    expect(b.got).toEqual(a.got);
    // random delays reorder messages
    const toOne = a.got.filter(([to]) => to === 1).map(([, , m]) => m);
    expect(toOne).not.toEqual([...toOne].sort((x, y) => x - y));
  });

  it('drops and duplicates at about the configured rates', () => {
    const { scheduler, network, got } = net(9, { dropRate: 0.3, duplicateRate: 0.2 });
    for (let i = 0; i < 5000; i++) network.send(0, 1, i);
    scheduler.runUntil(1000);
    expect(network.stats.dropped / 5000).toBeGreaterThan(0.27);
    expect(network.stats.dropped / 5000).toBeLessThan(0.33);
    expect(got.length).toBe(5000 - network.stats.dropped + network.stats.duplicated);
    expect(network.stats.duplicated / (5000 - network.stats.dropped)).toBeGreaterThan(0.17);
  });

  it('loses messages across a partition until it heals, and messages to a down node', () => {
    const { scheduler, network, got } = net(1);
    network.partition([[0], [1, 2]]);
    network.broadcast(0, 1);
    network.send(1, 2, 2);
    scheduler.runUntil(100);
    expect(got.map(([to, , m]) => [to, m])).toEqual([[2, 2]]);
    network.heal();
    network.setUp(2, false);
    network.broadcast(0, 3);
    scheduler.runUntil(200);
    expect(got.slice(1).map(([to, , m]) => [to, m])).toEqual([[1, 3]]);
  });
});
