/**
 * Discrete-event scheduler with a virtual clock: a binary heap ordered by (time, sequence), so
 * events at the same virtual time run in the order they were scheduled. Nothing waits on a real
 * clock: a simulated minute takes as long as its events take to run.
 */
interface Entry {
  timeMs: number;
  seq: number;
  fn: () => void;
}

const before = (a: Entry, b: Entry): boolean => a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);

export class EventScheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private nowMs = 0;
  private ran = 0;

  /** Virtual time in ms since the start of the simulation. */
  get now(): number {
    return this.nowMs;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Events run so far. */
  get eventsRun(): number {
    return this.ran;
  }

  at(timeMs: number, fn: () => void): void {
    const e: Entry = { timeMs: Math.max(timeMs, this.nowMs), seq: this.seq++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent] as Entry)) break;
      h[i] = h[parent] as Entry;
      i = parent;
    }
    h[i] = e;
  }

  after(delayMs: number, fn: () => void): void {
    this.at(this.nowMs + delayMs, fn);
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r] as Entry, h[l] as Entry) ? r : l;
      if (!before(h[c] as Entry, last)) break;
      h[i] = h[c] as Entry;
      i = c;
    }
    h[i] = last;
    return top;
  }

  /**
   * Runs events up to and including `untilMs`, stopping early (after an event) when `stop`
   * returns true. Returns true if stopped early; otherwise the clock ends at `untilMs`.
   */
  runUntil(untilMs: number, stop?: () => boolean): boolean {
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.timeMs > untilMs) break;
      this.pop();
      this.nowMs = next.timeMs;
      this.ran++;
      next.fn();
      if (stop?.() === true) return true;
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
    return false;
  }
}
