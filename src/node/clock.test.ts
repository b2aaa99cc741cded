import { describe, expect, it } from 'vitest';
import { createRealClock, createVirtualClock, isVirtualClock } from './clock.ts';

describe('virtual clock', () => {
  it('fires timers in due order, ties in the order they were set, only when moved', () => {
    const clock = createVirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.nowMs()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.nowMs()}`));
    clock.setTimer(10, () => fired.push(`b@${clock.nowMs()}`));
    expect(fired).toEqual([]);
    expect(clock.nowMs()).toBe(1_000);
    clock.advanceTo(1_020);
    expect(fired).toEqual(['a@1010', 'b@1010']);
    expect(clock.nowMs()).toBe(1_020);
    clock.advanceTo(1_100);
    expect(fired).toEqual(['a@1010', 'b@1010', 'c@1030']);
  });

  it('cancels timers; a timer set while one runs fires later', () => {
    const clock = createVirtualClock(0);
    const fired: number[] = [];
    const cancel = clock.setTimer(5, () => fired.push(5));
    clock.setTimer(7, () => {
      fired.push(7);
      clock.setTimer(0, () => fired.push(70));
    });
    cancel();
    clock.advanceTo(10);
    expect(fired).toEqual([7, 70]);
  });

  it('runNext runs one timer at its time, or moves to the limit when none is due', () => {
    const clock = createVirtualClock(0);
    const fired: number[] = [];
    clock.setTimer(40, () => fired.push(clock.nowMs()));
    clock.setTimer(60, () => fired.push(clock.nowMs()));
    expect(clock.runNext(100)).toBe(true);
    expect(fired).toEqual([40]);
    expect(clock.nowMs()).toBe(40);
    expect(clock.runNext(50)).toBe(false);
    expect(clock.nowMs()).toBe(50);
    expect(clock.runNext(100)).toBe(true);
    expect(fired).toEqual([40, 60]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('tells virtual clocks from real ones', () => {
    expect(isVirtualClock(createVirtualClock(0))).toBe(true);
    expect(isVirtualClock(createRealClock())).toBe(false);
  });
});

describe('real clock', () => {
  it('runs a timer, and a cancelled one never', async () => {
    const clock = createRealClock();
    const fired: string[] = [];
    const cancel = clock.setTimer(1, () => fired.push('cancelled'));
    cancel();
    await new Promise<void>((resolve) => clock.setTimer(2, () => resolve()));
    await new Promise<void>((resolve) => clock.setTimer(2, () => resolve()));
    expect(fired).toEqual([]);
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1_000);
  });
});
