/**
 * 500 random fault schedules (250 over 4 validators, 250 over 7) on the simulated network:
 * drops, lossy links, delays, duplicates, reordering, partitions that heal, crashes and
 * restarts from the WAL. After each: no two validators committed different blocks at any
 * height, every commit verifies, no honest validator signed twice (no evidence, no refused
 * signature outside replay), and after the network heals every validator commits at least 5
 * more heights within 60 s of virtual time. Then 100 more over 4 validators of which one
 * equivocates (signs two versions of every proposal and vote): the same checks, and evidence
 * is found against that validator only.
 */
import { describe, expect, it } from 'vitest';
import * as consensus from '../../src/consensus/index.ts';
import { SimCluster } from '../../src/net/memory/cluster.ts';
import { applyFaultSchedule, randomFaultSchedule } from '../../src/net/memory/faultSchedule.ts';
import { createPrng } from '../../src/net/memory/prng.ts';

const WINDOW_MS = 25_000;
const MORE_HEIGHTS = 5;
const LIVENESS_BOUND_MS = 60_000;
/** Every other schedule runs with short timeouts, so that timeouts race message delays. */
const SHORT_TIMEOUTS = {
  proposeMs: 400,
  proposeDeltaMs: 100,
  prevoteMs: 200,
  prevoteDeltaMs: 100,
  precommitMs: 200,
  precommitDeltaMs: 100,
};
const SCHEDULES_PER_SIZE = 250;
const BATCH = 50;

interface Outcome {
  problems: string[];
  evidence: number;
  minHeight: number;
  recoveryMs: number;
  dropped: number;
  duplicated: number;
  restarts: number;
  partitions: number;
}

function runSchedule(n: number, seed: number, equivocator?: number): Outcome {
  const c = new SimCluster({
    consensus,
    powers: Array.from({ length: n }, () => 1),
    seed,
    ...(seed % 2 === 0 ? { timeouts: SHORT_TIMEOUTS } : {}),
    ...(equivocator === undefined ? {} : { equivocators: [equivocator], relay: seed % 3 !== 0 }),
  });
  const schedule = randomFaultSchedule(createPrng(seed), n, WINDOW_MS);
  applyFaultSchedule(c, schedule);
  c.start();
  c.run(schedule.healAtMs);
  const atHeal = Math.max(...c.heights());
  const advanced = c.run(schedule.healAtMs + LIVENESS_BOUND_MS, () => Math.min(...c.heights()) >= atHeal + MORE_HEIGHTS);
  const problems: string[] = [];
  const agreement = c.agreement();
  if (!agreement.ok) problems.push(`different blocks at height ${agreement.height}: ${agreement.blockIds.join(' ')}`);
  if (!c.commitsValid()) problems.push('a commit does not verify');
  if (!advanced) problems.push(`no ${MORE_HEIGHTS} more heights after healing: heights ${c.heights().join(',')} (max ${atHeal} at heal)`);
  const cheater = equivocator === undefined ? undefined : c.nodes[equivocator]?.cfg.address;
  for (const [i, node] of c.nodes.entries()) {
    if (node.evidence.some((e) => e.voteA.validator !== cheater)) problems.push(`node ${i} reported an honest validator as equivocating`);
    if (node.signRefusals > 0) problems.push(`node ${i} wanted to sign against its guard ${node.signRefusals} times`);
    if (node.invalidBlocks > 0) problems.push(`node ${i} saw ${node.invalidBlocks} invalid blocks`);
  }
  return {
    problems: problems.map((p) => `n=${n} seed=${seed}: ${p}`),
    evidence: c.nodes.reduce((s, node) => s + node.evidence.length, 0),
    minHeight: Math.min(...c.heights()),
    recoveryMs: c.scheduler.now - schedule.healAtMs,
    dropped: c.network.stats.dropped,
    duplicated: c.network.stats.duplicated,
    restarts: c.nodes.reduce((s, node) => s + node.restarts, 0),
    partitions: schedule.actions.filter((a) => a.kind === 'partition').length,
  };
}

describe.each([4, 7])('%i validators under 250 random fault schedules', (n) => {
  const outcomes: Outcome[] = [];
  for (let first = 0; first < SCHEDULES_PER_SIZE; first += BATCH) {
    it(`schedules ${first}..${first + BATCH - 1}: safe, and live after healing`, () => {
      for (let i = first; i < first + BATCH; i++) outcomes.push(runSchedule(n, n * 100_000 + i));
      expect(outcomes.slice(-BATCH).flatMap((o) => o.problems)).toEqual([]);
    });
  }

  it('exercised every kind of fault and committed 8+ heights a run on average', () => {
    expect(outcomes).toHaveLength(SCHEDULES_PER_SIZE);
    const sum = (f: (o: Outcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
    expect(sum((o) => o.dropped)).toBeGreaterThan(0);
    expect(sum((o) => o.duplicated)).toBeGreaterThan(0);
    expect(sum((o) => o.restarts)).toBeGreaterThan(SCHEDULES_PER_SIZE / 2);
    expect(sum((o) => o.partitions)).toBeGreaterThan(SCHEDULES_PER_SIZE / 2);
    expect(sum((o) => o.minHeight) / SCHEDULES_PER_SIZE).toBeGreaterThanOrEqual(8);
    expect(Math.max(...outcomes.map((o) => o.recoveryMs))).toBeLessThanOrEqual(LIVENESS_BOUND_MS);
  });
});

describe('4 validators, one equivocating, under 100 random fault schedules', () => {
  const outcomes: Outcome[] = [];
  for (let first = 0; first < 100; first += BATCH) {
    it(`schedules ${first}..${first + BATCH - 1}: safe, live after healing, evidence only against the equivocator`, () => {
      for (let i = first; i < first + BATCH; i++) outcomes.push(runSchedule(4, 900_000 + i, i % 4));
      expect(outcomes.slice(-BATCH).flatMap((o) => o.problems)).toEqual([]);
    });
  }

  it('found evidence in most runs', () => {
    expect(outcomes.filter((o) => o.evidence > 0).length).toBeGreaterThan(80);
  });
});
