import { describe, expect, it } from 'vitest';
import { createVirtualClock } from './clock.ts';
import { createSteeredClock, isSteeredClock } from './steeredClock.ts';

// "Real" time is a virtual clock here, so the tests move it by hand.
const SIM_START = 1_747_692_000_000; // 2025-05-20 00:00 CEST

describe('steered clock', () => {
  it('runs at real speed from its start and from each jump', () => {
    const real = createVirtualClock(5_000);
    const clock = createSteeredClock(SIM_START, real);
    expect(isSteeredClock(clock)).toBe(true);
    expect(clock.nowMs()).toBe(SIM_START);
    real.advanceTo(5_250);
    expect(clock.nowMs()).toBe(SIM_START + 250);
    expect(clock.advanceTo(SIM_START + 900_000)).toBe(SIM_START + 900_000);
    real.advanceTo(5_300);
    expect(clock.nowMs()).toBe(SIM_START + 900_050);
  });

  it('never goes back: an earlier time changes nothing', () => {
    const real = createVirtualClock(0);
    const clock = createSteeredClock(SIM_START, real);
    clock.advanceTo(SIM_START + 60_000);
    real.advanceTo(100);
    expect(clock.advanceTo(SIM_START + 1_000)).toBe(SIM_START + 60_100);
    expect(clock.nowMs()).toBe(SIM_START + 60_100);
  });

  it('fires a timer after its time passes in real time', () => {
    const real = createVirtualClock(0);
    const clock = createSteeredClock(SIM_START, real);
    const fired: number[] = [];
    clock.setTimer(1_000, () => fired.push(clock.nowMs()));
    real.advanceTo(999);
    expect(fired).toEqual([]);
    real.advanceTo(1_000);
    expect(fired).toEqual([SIM_START + 1_000]);
  });

  it('a jump runs every timer it made due, in due order (ties in the order set), and keeps the rest', () => {
    const real = createVirtualClock(0);
    const clock = createSteeredClock(SIM_START, real);
    const fired: string[] = [];
    clock.setTimer(300_000, () => fired.push('gate'));
    clock.setTimer(3_000, () => fired.push('timeout-b'));
    clock.setTimer(1_000, () => fired.push('timeout-a'));
    clock.setTimer(3_000, () => fired.push('timeout-c'));
    clock.setTimer(600_000, () => fired.push('later'));
    clock.advanceTo(SIM_START + 300_000);
    expect(fired).toEqual(['timeout-a', 'timeout-b', 'timeout-c', 'gate']);
    // The one left waits for the rest of its time, on the real clock.
    real.advanceTo(299_999);
    expect(fired).toHaveLength(4);
    real.advanceTo(300_000);
    expect(fired).toEqual(['timeout-a', 'timeout-b', 'timeout-c', 'gate', 'later']);
  });

  it('cancelled timers never run, also when a timer run by the same jump cancels them', () => {
    const real = createVirtualClock(0);
    const clock = createSteeredClock(SIM_START, real);
    const fired: string[] = [];
    const cancelA = clock.setTimer(10, () => fired.push('a'));
    let cancelC: () => void = () => {};
    clock.setTimer(20, () => {
      fired.push('b');
      cancelC();
    });
    cancelC = clock.setTimer(30, () => fired.push('c'));
    cancelA();
    clock.advanceTo(SIM_START + 1_000);
    real.advanceTo(10_000);
    expect(fired).toEqual(['b']);
  });

  it('a timer set while a jump runs timers counts from the new time', () => {
    const real = createVirtualClock(0);
    const clock = createSteeredClock(SIM_START, real);
    const fired: number[] = [];
    clock.setTimer(100, () => clock.setTimer(500, () => fired.push(clock.nowMs())));
    clock.advanceTo(SIM_START + 10_000);
    expect(fired).toEqual([]);
    real.advanceTo(500);
    expect(fired).toEqual([SIM_START + 10_500]);
  });
});
