/**
 * `--processes` end to end: the small city's microgrid (six households, four validators) as four
 * `node start` processes on steered clocks, driven over their RPC, stopped after five of its 24
 * hourly intervals (as Ctrl-C would), from 10:00, when the households' PV makes them trade. The same scenario and seed in this process's cluster must
 * give the same report: the same chain logic, so the same bills, trades, settlements and
 * transactions. The validators end on one state, and stop cleanly when the run closes.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHome } from '../../src/node/home.ts';
import { createRpcClient } from '../../src/node/rpc/client.ts';
import type { MarketBackend } from '../../src/sim/runner/market/backend.ts';
import { createProcessMarkets } from '../../src/sim/runner/market/processAccess.ts';
import { runCity } from '../../src/sim/runner/run.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { smallScenarioInput } from '../../src/sim/runner/smallCity.fixture.ts';

const INTERVALS = 5;
const scenario = (): ReturnType<typeof parseScenario> => parseScenario({ ...smallScenarioInput(), start: '2025-06-10T10:00:00+02:00' }, 'the small city from 10:00');
const root = mkdtempSync(path.join(tmpdir(), 'gl-sim-processes-'));
const dir = path.join(root, 'nodes');

const stopAfter = (): (() => boolean) => {
  let polls = 0;
  // Polled once before each interval: true before the sixth.
  return () => polls++ >= INTERVALS;
};

const opened: MarketBackend[] = [];
const processes = await runCity(scenario(), {
  baseDir: '.',
  mode: 'processes',
  generatedBy: 'test',
  shouldStop: stopAfter(),
  markets: async (city) => {
    const markets = await createProcessMarkets(city, { dir });
    opened.push(...markets);
    // Keep the nodes running after the run, to read their state here.
    return markets.map((m) => ({ ...m, close: () => Promise.resolve() }));
  },
});
const inProcess = await runCity(scenario(), { baseDir: '.', mode: 'chain', generatedBy: 'test', threads: false, shouldStop: stopAfter() });

afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
  rmSync(root, { recursive: true, force: true });
});

const homes = readdirSync(path.join(dir, 'mini'))
  .sort()
  .map((name) => path.join(dir, 'mini', name));

describe('the small city with its validators as node processes', () => {
  it('ran four validator processes with their own homes and logs', () => {
    expect(homes.map((h) => path.basename(h))).toEqual(['node0', 'node1', 'node2', 'node3']);
    for (const h of homes) {
      expect(existsSync(path.join(h, 'node.log'))).toBe(true);
      expect(existsSync(path.join(h, 'node.pid'))).toBe(true);
    }
  });

  it('is a partial report of the intervals run, with the same figures as in this process', () => {
    const a = processes.report;
    const b = inProcess.report;
    expect(processes.partial).toBe(true);
    expect(a.meta).toMatchObject({ intervals: INTERVALS, partial: true, mode: 'processes' });
    expect(b.meta).toMatchObject({ intervals: INTERVALS, partial: true });
    expect(a.city.local_traded_wh).toBeGreaterThan(0);
    expect(a.city).toEqual(b.city);
    expect(a.baseline).toEqual(b.baseline);
    const [ma, mb] = [a.microgrids[0], b.microgrids[0]];
    expect(ma?.members).toEqual(mb?.members);
    expect(ma?.members.map((m) => m.bill_uc)).toEqual(mb?.members.map((m) => m.bill_uc));
    expect(ma?.transactions).toBe(mb?.transactions);
    expect(ma?.transactions).toBeGreaterThan(0);
    // Settlement, treasury and minting figures of the microgrid: every field but the chain's own.
    const figures = (m: typeof ma): unknown => (m === undefined ? undefined : { ...m, height: 0, blocks: 0, finality_mean_ms: 0, finality_p50_ms: 0 });
    expect(figures(ma)).toEqual(figures(mb));
    // Finality is measured on the wall clock between processes: positive.
    expect(ma?.finality_mean_ms ?? 0).toBeGreaterThan(0);
  });

  it('left every validator on the same state at the height the report gives', async () => {
    const clients = homes.map((h) => createRpcClient(loadHome(h).config.rpc));
    const statuses = await Promise.all(clients.map((c) => c.status()));
    const height = processes.report.microgrids[0]?.height ?? 0;
    expect(height).toBeGreaterThan(0);
    expect(statuses.every((s) => s.height === height)).toBe(true);
    expect(new Set(statuses.map((s) => s.app_hash)).size).toBe(1);
    expect(new Set(statuses.map((s) => s.block_id)).size).toBe(1);
  });

  it('stops the nodes cleanly when the market closes', async () => {
    await Promise.all(opened.map((m) => m.close()));
    for (const h of homes) expect(existsSync(path.join(h, 'node.pid'))).toBe(false);
  });
});
