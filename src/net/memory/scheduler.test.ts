import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.ts';
import { EventScheduler } from './scheduler.ts';

describe('EventScheduler', () => {
  it('runs events in (time, scheduling order) and advances the virtual clock', () => {
    const s = new EventScheduler();
    const log: string[] = [];
    s.at(50, () => log.push(`b@${s.now}`));
    s.at(10, () => {
      log.push(`a@${s.now}`);
      s.after(40, () => log.push(`c@${s.now}`)); // same time as b, scheduled later
    });
    s.at(50, () => log.push(`d@${s.now}`));
    s.runUntil(100);
    expect(log).toEqual(['a@10', 'b@50', 'd@50', 'c@50']);
    expect(s.now).toBe(100);
  });

  it('leaves later events pending and can stop early', () => {
    const s = new EventScheduler();
    let n = 0;
    for (let t = 1; t <= 10; t++) s.at(t * 10, () => n++);
    expect(s.runUntil(35)).toBe(false);
    expect(n).toBe(3);
    expect(s.runUntil(1000, () => n === 5)).toBe(true);
    expect(s.now).toBe(50);
    expect(s.pending).toBe(5);
  });

  it('orders a large random load exactly like a sort by (time, seq)', () => {
    const s = new EventScheduler();
    const p = createPrng(1);
    const seen: [number, number][] = [];
    const want: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const t = p.int(300);
      want.push([t, i]);
      s.at(t, () => seen.push([t, i]));
    }
    s.runUntil(1000);
    want.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(seen).toEqual(want);
  });
});
