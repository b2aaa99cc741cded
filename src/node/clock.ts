/**
 * The node's clock: the only place a node reads the time or sets a timer. The composition root
 * passes one in, so the same node code runs on wall-clock time (a real chain) and on virtual
 * time driven by a discrete-event scheduler (tests and simulations: a simulated day takes as
 * long as its events take to run).
 */
import { EventScheduler } from '../net/memory/scheduler.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it (no effect once it ran). */
  setTimer(ms: number, fn: () => void): () => void;
}

/** Wall-clock time and Node's timers. */
export function createRealClock(): Clock {
  return {
    nowMs: () => Date.now(),
    setTimer(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms));
      return () => clearTimeout(t);
    },
  };
}

/**
 * Virtual time: timers wait in a discrete-event scheduler (ordered by due time, then by the order
 * they were set) and fire only when the driver moves the clock. Time never moves by itself.
 */
export interface VirtualClock extends Clock {
  readonly kind: 'virtual';
  /** Timers set and not yet run (cancelled ones included until their time comes). */
  readonly pendingTimers: number;
  /**
   * Runs the earliest timer due at or before `untilMs` and returns true; if there is none, moves
   * the clock to `untilMs` and returns false.
   */
  runNext(untilMs: number): boolean;
  /** Runs every timer due at or before `untilMs`, in order, and leaves the clock at `untilMs`. */
  advanceTo(untilMs: number): void;
}

export function createVirtualClock(startMs: number): VirtualClock {
  const scheduler = new EventScheduler();
  return {
    kind: 'virtual',
    nowMs: () => startMs + scheduler.now,
    setTimer(ms, fn) {
      let live = true;
      scheduler.after(Math.max(0, ms), () => {
        if (live) {
          live = false;
          fn();
        }
      });
      return () => {
        live = false;
      };
    },
    get pendingTimers() {
      return scheduler.pending;
    },
    runNext: (untilMs) => scheduler.runUntil(untilMs - startMs, () => true),
    advanceTo(untilMs) {
      scheduler.runUntil(untilMs - startMs);
    },
  };
}

export function isVirtualClock(clock: Clock): clock is VirtualClock {
  return (clock as Partial<VirtualClock>).kind === 'virtual';
}
