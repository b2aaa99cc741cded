/**
 * What the market derives from the on-chain feeder model, once per model: the grid check's prepared
 * view, the line count between buses (for a per-line grid fee) and the background energy of the
 * model's own loads and generators. Pure memos keyed by the model's hash: the same answers as
 * computing afresh, on every validator.
 */
import type { FeederModel } from '../../grid/model.ts';
import type { GridView } from '../../market/gridView.ts';
import { makeGridView } from '../../market/gridViewAc.ts';
import { toHex } from '../bytes.ts';
import type { FeederRecord } from '../records.ts';

interface Derived {
  view: GridView;
  /** Adjacent buses of each bus over in-service branches, sorted. */
  adjacency: Map<number, number[]>;
  hops: Map<string, number>;
}

const LIMIT = 4;
const cache = new Map<string, Derived>();

function derive(feeder: FeederRecord): Derived {
  const key = toHex(feeder.modelHash);
  let d = cache.get(key);
  if (d === undefined) {
    if (cache.size >= LIMIT) cache.clear();
    d = { view: makeGridView(feeder.model), adjacency: adjacencyOf(feeder.model), hops: new Map() };
    cache.set(key, d);
  }
  return d;
}

export function gridViewOf(feeder: FeederRecord): GridView {
  return derive(feeder).view;
}

function adjacencyOf(model: FeederModel): Map<number, number[]> {
  const adj = new Map<number, number[]>();
  const add = (a: number, b: number): void => {
    const list = adj.get(a);
    if (list === undefined) adj.set(a, [b]);
    else if (!list.includes(b)) list.push(b);
  };
  for (const br of model.branches) {
    if (!br.inService) continue;
    add(br.from, br.to);
    add(br.to, br.from);
  }
  for (const list of adj.values()) list.sort((a, b) => a - b);
  return adj;
}

/** Branches on the shortest path between two buses (0 for the same bus; −1 if not connected). */
export function linesBetween(feeder: FeederRecord, fromBus: number, toBus: number): number {
  if (fromBus === toBus) return 0;
  const d = derive(feeder);
  const key = fromBus < toBus ? `${fromBus}:${toBus}` : `${toBus}:${fromBus}`;
  const known = d.hops.get(key);
  if (known !== undefined) return known;
  const dist = new Map<number, number>([[fromBus, 0]]);
  let frontier = [fromBus];
  let found = -1;
  while (frontier.length > 0 && found < 0) {
    const next: number[] = [];
    for (const b of frontier) {
      for (const n of d.adjacency.get(b) ?? []) {
        if (dist.has(n)) continue;
        const h = (dist.get(b) as number) + 1;
        dist.set(n, h);
        if (n === toBus) found = h;
        next.push(n);
      }
    }
    frontier = next;
  }
  if (d.hops.size > 100_000) d.hops.clear();
  d.hops.set(key, found);
  return found;
}

/** The model's own loads and generation over one interval, Wh (rounded once each). */
export function backgroundEnergyWh(model: FeederModel, intervalMs: number): { loadWh: number; generationWh: number } {
  let loadKw = 0;
  for (const l of model.loads) if (l.inService) loadKw += l.pKw;
  let genKw = 0;
  for (const g of model.sgens) if (g.inService) genKw += g.pKw;
  // kW × ms / 3600 = Wh.
  return { loadWh: Math.round((loadKw * intervalMs) / 3600), generationWh: Math.round((genKw * intervalMs) / 3600) };
}
