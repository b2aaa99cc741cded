/**
 * An in-memory network between numbered nodes, driven by the discrete-event scheduler, with
 * fault injection drawn from a seeded generator: loss (everywhere, and per directed link),
 * delay (a uniform range, which also reorders), extra reordering delay, duplication, partitions
 * (messages across groups are lost when sent) and down nodes (messages to them are lost on
 * arrival). Deterministic per seed.
 */
import type { Prng } from './prng.ts';
import type { EventScheduler } from './scheduler.ts';

export interface LinkFaults {
  dropRate: number;
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Share of messages held back by an extra `reorderDelayMs`, so later ones overtake them. */
  reorderRate: number;
  reorderDelayMs: number;
}

export const BENIGN_LINKS: LinkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  minDelayMs: 1,
  maxDelayMs: 20,
  reorderRate: 0,
  reorderDelayMs: 0,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export type MessageHandler<M> = (from: number, message: M) => void;

export class MemoryNetwork<M> {
  faults: LinkFaults;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly handlers: (MessageHandler<M> | undefined)[];
  private readonly up: boolean[];
  private group: number[] | undefined;
  /** Extra loss on single directed links, as `${from}>${to}` -> rate. */
  private readonly linkLoss = new Map<string, number>();

  constructor(
    private readonly scheduler: EventScheduler,
    private readonly prng: Prng,
    readonly size: number,
    faults: Partial<LinkFaults> = {},
  ) {
    this.faults = { ...BENIGN_LINKS, ...faults };
    this.handlers = Array.from({ length: size }, () => undefined);
    this.up = Array.from({ length: size }, () => true);
  }

  attach(node: number, handler: MessageHandler<M>): void {
    this.handlers[node] = handler;
  }

  setUp(node: number, up: boolean): void {
    this.up[node] = up;
  }

  isUp(node: number): boolean {
    return this.up[node] === true;
  }

  /** Splits the nodes into groups; nodes not listed form one more group together. */
  partition(groups: readonly (readonly number[])[]): void {
    const g = Array.from({ length: this.size }, () => groups.length);
    groups.forEach((members, i) => {
      for (const m of members) g[m] = i;
    });
    this.group = g;
  }

  heal(): void {
    this.group = undefined;
  }

  /** Loss on the directed link from -> to, on top of `faults.dropRate` (0 removes it). */
  setLinkLoss(from: number, to: number, rate: number): void {
    if (rate > 0) this.linkLoss.set(`${from}>${to}`, rate);
    else this.linkLoss.delete(`${from}>${to}`);
  }

  clearLinkLoss(): void {
    this.linkLoss.clear();
  }

  connected(a: number, b: number): boolean {
    return this.group === undefined || this.group[a] === this.group[b];
  }

  send(from: number, to: number, message: M): void {
    this.stats.sent++;
    const f = this.faults;
    const linkLoss = this.linkLoss.size === 0 ? 0 : (this.linkLoss.get(`${from}>${to}`) ?? 0);
    const lost = (f.dropRate > 0 && this.prng.chance(f.dropRate)) || (linkLoss > 0 && this.prng.chance(linkLoss));
    if (!this.isUp(from) || !this.connected(from, to) || lost) {
      this.stats.dropped++;
      return;
    }
    this.deliverLater(from, to, message);
    if (f.duplicateRate > 0 && this.prng.chance(f.duplicateRate)) {
      this.stats.duplicated++;
      this.deliverLater(from, to, message);
    }
  }

  broadcast(from: number, message: M): void {
    for (let to = 0; to < this.size; to++) if (to !== from) this.send(from, to, message);
  }

  private deliverLater(from: number, to: number, message: M): void {
    const f = this.faults;
    let delay = f.minDelayMs + this.prng.float() * (f.maxDelayMs - f.minDelayMs);
    if (f.reorderRate > 0 && this.prng.chance(f.reorderRate)) delay += f.reorderDelayMs;
    this.scheduler.after(Math.round(delay), () => {
      const handler = this.handlers[to];
      if (!this.isUp(to) || handler === undefined) {
        this.stats.dropped++;
        return;
      }
      this.stats.delivered++;
      handler(from, message);
    });
  }
}
