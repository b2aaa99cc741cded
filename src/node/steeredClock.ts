/**
 * A clock for a node process in a simulation: simulated time that a driver moves forward in jumps
 * (to the next market deadline, say 2025-05-20 09:55) while everything in between, consensus
 * timeouts included, runs at real speed. now = the time of the last jump + real time elapsed
 * since it. Timers are due in this clock's time: each waits on the real clock for what remains,
 * and a jump runs at once, in order of due time, every timer the jump made due.
 *
 * Only `node start --steered-clock` uses it (the RPC's POST /clock/advance moves it); a real
 * chain runs on the wall clock.
 */
import type { Clock } from './clock.ts';

export interface SteeredClock extends Clock {
  readonly kind: 'steered';
  /**
   * Moves the clock forward to `timeMs` and runs the timers that became due; an earlier time
   * changes nothing (the clock never goes back). Returns the clock's time afterwards.
   */
  advanceTo(timeMs: number): number;
}

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelReal: () => void;
}

/** Elapsed real time from a monotonic source (the wall clock may be set back), with Node's timers. */
const monotonic: Clock = {
  nowMs: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Starts at `startMs`; `real` measures elapsed time and waits (default: the monotonic clock). */
export function createSteeredClock(startMs: number, real: Clock = monotonic): SteeredClock {
  let base = startMs;
  let realAtJump = real.nowMs();
  let seq = 0;
  const pending = new Set<Pending>();

  // Whole milliseconds, as block and vote times are.
  const now = (): number => base + Math.floor(real.nowMs() - realAtJump);

  const arm = (p: Pending): void => {
    p.cancelReal = real.setTimer(p.due - now(), () => {
      if (!pending.delete(p)) return;
      p.fn();
    });
  };

  return {
    kind: 'steered',
    nowMs: now,
    setTimer(ms, fn) {
      const p: Pending = { due: now() + Math.max(0, ms), seq: seq++, fn, cancelReal: () => {} };
      pending.add(p);
      arm(p);
      return () => {
        if (pending.delete(p)) p.cancelReal();
      };
    },
    advanceTo(timeMs) {
      if (timeMs <= now()) return now();
      base = timeMs;
      realAtJump = real.nowMs();
      const due = [...pending].filter((p) => p.due <= timeMs).sort((a, b) => a.due - b.due || a.seq - b.seq);
      // The rest wait for what remains of their time after the jump.
      for (const p of pending) {
        p.cancelReal();
        if (p.due > timeMs) arm(p);
      }
      for (const p of due) {
        // A timer run earlier in this jump may have cancelled it.
        if (pending.delete(p)) p.fn();
      }
      return now();
    },
  };
}

export function isSteeredClock(clock: Clock): clock is SteeredClock {
  return (clock as Partial<SteeredClock>).kind === 'steered';
}
