/**
 * market.clear.10000: 10,000 seeded random orders cleared and grid-checked on the IEEE 33-bus
 * feeder (the project's copy, data/feeders/ieee33.m), from the parsed model and book to the
 * final result. market.clear.1000bus: the same on a 1,000-bus synthetic feeder.
 *
 * Orders sit at every load bus, flexible batteries and EVs mostly at the far ends of the
 * laterals, sized so that the traded flexible volume overloads some branches: each run cuts.
 * The 33-bus case has no ratings (rateA = 0), so the benchmark rates every branch at 1.5 x its
 * base-case apparent power (at least 200 kVA), the synthetic feeder likewise: the check has
 * limits to hold, and the far-end EV demand breaks some of them (about 5 of 44 kWh cut on the
 * 33-bus case).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { timeMedian } from '../../bench/harness.ts';
import { parseFeeder } from '../grid/import/feederFile.ts';
import type { FeederModel } from '../grid/model.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import { prng, syntheticRadialFeeder } from '../grid/synthetic.ts';
import { runDoubleAuction } from './auction.ts';
import { clearAuction } from './clear.ts';
import { scheduleDeliveries } from './contracts.ts';
import { curtailToFit } from './gridCheck.ts';
import type { Order, OrderBook } from './order.ts';
import { firmEnergy } from './schedule.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Gives every branch an apparent-power rating of `factor` × its base-case flow (at least 200 kVA). */
export function rateFromBaseCase(model: FeederModel, factor: number): FeederModel {
  const pf = solvePowerFlow(model);
  return {
    ...model,
    branches: model.branches.map((br, k) => {
      const r = pf.branches[k];
      if (r === undefined) return br;
      const sKva = Math.max(Math.hypot(r.pFromKw, r.qFromKvar), Math.hypot(r.pToKw, r.qToKvar));
      return { ...br, rating: { kind: 'apparent' as const, mva: Math.max(0.2, (factor * sKva) / 1000) } };
    }),
  };
}

/** Hops from the slack of every bus reachable through in-service branches. */
function depths(model: FeederModel): Map<number, number> {
  const adj = new Map<number, number[]>();
  for (const b of model.branches) {
    if (!b.inService) continue;
    adj.set(b.from, [...(adj.get(b.from) ?? []), b.to]);
    adj.set(b.to, [...(adj.get(b.to) ?? []), b.from]);
  }
  const depth = new Map<number, number>([[model.slack.bus, 0]]);
  const queue = [model.slack.bus];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q] as number;
    for (const w of adj.get(u) ?? []) {
      if (depth.has(w)) continue;
      depth.set(w, (depth.get(u) as number) + 1);
      queue.push(w);
    }
  }
  return depth;
}

/**
 * A seeded book: firm household bids and PV asks at every load bus; flexible EV bids at the
 * deepest tenth of the load buses (far ends, where voltage and ratings are tight) and flexible
 * battery asks at a seeded tenth of the others. `scaleKw` sets the typical order size.
 */
export function randomBook(model: FeederModel, n: number, seed: number, scaleKw: number): OrderBook {
  const rand = prng(seed);
  const depth = depths(model);
  const buses = [...new Set(model.loads.map((l) => l.bus))].sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || a - b);
  const tenth = Math.max(1, Math.floor(buses.length / 10));
  const evBuses = buses.slice(0, tenth);
  const rest = buses.slice(tenth);
  const batteryBuses = rest.filter(() => rand() < 0.1);
  if (batteryBuses.length === 0) batteryBuses.push(rest[0] ?? (buses[0] as number));
  const orders: Order[] = [];
  for (let i = 0; i < n; i++) {
    const flexible = rand() < 0.3;
    const side = rand() < 0.5 ? 'ask' : 'bid';
    const pool = !flexible ? buses : side === 'ask' ? batteryBuses : evBuses;
    const bus = pool[Math.floor(rand() * pool.length)] as number;
    // kW over 15 minutes -> Wh; flexible orders are larger (batteries, EV chargers).
    const kw = scaleKw * (flexible ? 3 + 6 * rand() : 0.3 + rand());
    orders.push({
      id: `o${String(i).padStart(5, '0')}`,
      side,
      owner: `m${i}`,
      bus,
      energyWh: Math.max(1, Math.round(kw * 250)),
      priceUcPerKwh: 100_000 + Math.floor(rand() * 200) * 1000,
      flexible,
      interval: 0,
    });
  }
  return { orders, deliveries: [] };
}

function figure(name: string, model: FeederModel, book: OrderBook): Figure {
  const result = clearAuction(book, { feeder: model });
  if (result.curtailed.length === 0) process.stderr.write(`bench: ${name}: the book needed no curtailment (tune randomBook)\n`);
  const s = scheduleDeliveries(book.orders, book.deliveries);
  const { acSolves } = curtailToFit({ feeder: model, firm: firmEnergy(book.orders, s.firmExtra), matches: runDoubleAuction(book.orders, s.remainingWh).trades, intervalMin: 15 });
  const t = timeMedian(() => clearAuction(book, { feeder: model }), { minRuns: 10, minMs: 1000, warmup: 3 });
  // Baseline in the same run: the same book cleared without the grid check.
  const auctionOnly = timeMedian(() => clearAuction(book), { minRuns: 10, minMs: 500, warmup: 3 });
  return {
    name,
    value: Number(t.medianMs.toFixed(3)),
    unit: 'ms',
    orders: book.orders.length,
    buses: model.buses.length,
    trades: result.trades.length,
    matched_wh: result.matchedWh,
    curtailed_wh: result.curtailed.reduce((sum, c) => sum + c.energyWh, 0),
    cuts: result.curtailed.length,
    alerts: result.alerts.length,
    ac_solves: acSolves,
    auction_only_ms: Number(auctionOnly.medianMs.toFixed(3)),
    min_ms: Number(t.minMs.toFixed(3)),
    runs: t.runs,
  };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['market.clear.10000'],
    run() {
      const file = path.join(root, 'data/feeders/ieee33.m');
      const model = rateFromBaseCase(parseFeeder(readFileSync(file, 'utf8'), file), 1.5);
      return [figure('market.clear.10000', model, randomBook(model, 10_000, 33, 0.03))];
    },
  },
  {
    names: ['market.clear.1000bus'],
    run() {
      const model = rateFromBaseCase(syntheticRadialFeeder({ buses: 1000, seed: 7 }), 1.5);
      return [figure('market.clear.1000bus', model, randomBook(model, 10_000, 1000, 0.05))];
    },
  },
];
