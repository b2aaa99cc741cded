/**
 * Random fault schedules for the simulation, drawn from a seed: link faults (loss, delay,
 * duplication, reordering) over a fault window, lossy directed links, partitions that heal,
 * crashes followed by restarts. At `healAtMs` the links turn benign, partitions heal and every node is up.
 */
import type { SimCluster } from './cluster.ts';
import { BENIGN_LINKS } from './network.ts';
import type { LinkFaults } from './network.ts';
import type { Prng } from './prng.ts';

export type FaultAction =
  | { atMs: number; kind: 'links'; links: LinkFaults }
  | { atMs: number; kind: 'partition'; groups: number[][] }
  | { atMs: number; kind: 'heal' }
  | { atMs: number; kind: 'link-loss'; from: number; to: number; rate: number }
  | { atMs: number; kind: 'crash'; node: number }
  | { atMs: number; kind: 'restart'; node: number };

export interface FaultSchedule {
  actions: FaultAction[];
  healAtMs: number;
}

/** A random split of 0..n-1 into 2 or 3 non-empty groups. */
function randomGroups(prng: Prng, n: number): number[][] {
  const k = n >= 3 && prng.chance(0.3) ? 3 : 2;
  for (;;) {
    const groups: number[][] = Array.from({ length: k }, () => []);
    for (let i = 0; i < n; i++) groups[prng.int(k)]?.push(i);
    if (groups.every((g) => g.length > 0)) return groups;
  }
}

export function randomFaultSchedule(prng: Prng, n: number, windowMs: number): FaultSchedule {
  const actions: FaultAction[] = [];
  const links: LinkFaults = {
    dropRate: prng.chance(0.8) ? prng.float() * 0.6 : 0,
    duplicateRate: prng.chance(0.5) ? prng.float() * 0.2 : 0,
    minDelayMs: prng.between(1, 20),
    maxDelayMs: prng.between(20, 600),
    reorderRate: prng.chance(0.5) ? prng.float() * 0.3 : 0,
    reorderDelayMs: prng.between(50, 1500),
  };
  actions.push({ atMs: 0, kind: 'links', links });
  const partitions = prng.int(3);
  for (let i = 0; i < partitions; i++) {
    const at = prng.int(windowMs);
    actions.push({ atMs: at, kind: 'partition', groups: randomGroups(prng, n) });
    actions.push({ atMs: Math.min(windowMs, at + prng.between(1000, 12_000)), kind: 'heal' });
  }
  // Lossy directed links: some nodes hear some others badly, so views of a round differ.
  const lossy = prng.int(n);
  for (let i = 0; i < lossy; i++) {
    const from = prng.int(n);
    const to = (from + 1 + prng.int(n - 1)) % n;
    const at = prng.int(windowMs);
    actions.push({ atMs: at, kind: 'link-loss', from, to, rate: 0.5 + prng.float() * 0.5 });
    actions.push({ atMs: Math.min(windowMs, at + prng.between(1000, 15_000)), kind: 'link-loss', from, to, rate: 0 });
  }
  const crashes = prng.int(4);
  for (let i = 0; i < crashes; i++) {
    const at = prng.int(windowMs);
    const node = prng.int(n);
    actions.push({ atMs: at, kind: 'crash', node });
    actions.push({ atMs: Math.min(windowMs, at + prng.between(200, 8000)), kind: 'restart', node });
  }
  actions.push({ atMs: windowMs, kind: 'links', links: BENIGN_LINKS }, { atMs: windowMs, kind: 'heal' });
  for (let from = 0; from < n; from++) {
    for (let to = 0; to < n; to++) {
      if (from !== to) actions.push({ atMs: windowMs, kind: 'link-loss', from, to, rate: 0 });
    }
  }
  for (let node = 0; node < n; node++) actions.push({ atMs: windowMs, kind: 'restart', node });
  return { actions, healAtMs: windowMs };
}

/** Puts the actions on the cluster's scheduler (a restart of a node that is up does nothing). */
export function applyFaultSchedule(cluster: SimCluster, schedule: FaultSchedule): void {
  for (const a of schedule.actions) {
    cluster.scheduler.at(a.atMs, () => {
      switch (a.kind) {
        case 'links':
          cluster.network.faults = a.links;
          break;
        case 'partition':
          cluster.network.partition(a.groups);
          break;
        case 'heal':
          cluster.network.heal();
          break;
        case 'link-loss':
          cluster.network.setLinkLoss(a.from, a.to, a.rate);
          break;
        case 'crash':
          if (cluster.nodes[a.node]?.up === true) cluster.nodes[a.node]?.crash();
          break;
        case 'restart':
          if (cluster.nodes[a.node]?.up === false) cluster.nodes[a.node]?.start();
          break;
      }
    });
  }
}
