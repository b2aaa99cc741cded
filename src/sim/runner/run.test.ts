/**
 * The runner end to end on the small city, with the off-chain interim market (fast; the chain
 * run is tested in test/e2e/simChain.test.ts): report shape and labels, the baseline beside the
 * trading run, partial runs, determinism.
 */
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../report/schema.ts';
import { runCity } from './run.ts';
import { smallScenario } from './smallCity.fixture.ts';

const run = (shouldStop?: () => boolean) =>
  runCity(smallScenario(), { baseDir: '.', mode: 'offchain', generatedBy: 'test', ...(shouldStop === undefined ? {} : { shouldStop }) });

describe('runCity off chain (interim)', async () => {
  const full = await run();

  it('labels the report off-chain and complete', () => {
    expect(reportSchema.parse(full.report)).toEqual(full.report);
    expect(full.report.meta).toMatchObject({ scenario: 'small', mode: 'offchain', intervals: 24 });
    expect(full.report.meta.partial).toBeUndefined();
    expect(full.partial).toBe(false);
  });

  it('compares the same households and energy with and without trading', () => {
    const { city, baseline } = full.report;
    expect(city.consumption_wh).toBe(baseline.consumption_wh);
    expect(city.local_production_wh).toBe(baseline.local_production_wh);
    expect(baseline.local_traded_wh).toBe(0);
    expect(city.local_traded_wh).toBeGreaterThan(0);
    // trades move money, not energy, except through the battery: the trading run's fees and tax go to the treasury
    expect(city.treasury_uc).toBeGreaterThan(0);
    const members = full.report.microgrids[0]?.members ?? [];
    expect(members.map((m) => m.id)).toEqual(['pv-bat', 'pv', 'wind', 'plain-a', 'plain-b', 'plain-c']);
    expect(members.reduce((s, m) => s + m.sold_wh, 0)).toBe(members.reduce((s, m) => s + m.bought_wh, 0));
  });

  it('is the same report for the same scenario and seed', async () => {
    const again = await run();
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(full.report));
  });

  it('stops when asked and reports the intervals done, marked partial', async () => {
    let polls = 0;
    const partial = await run(() => polls++ >= 5);
    expect(partial.partial).toBe(true);
    expect(partial.intervals).toBe(5);
    expect(partial.report.meta).toMatchObject({ intervals: 5, partial: true });
    const first = full.report.microgrids[0];
    const cut = partial.report.microgrids[0];
    // the same first five intervals as the full run: its baseline is cut at the same place
    expect(cut?.baseline.consumption_wh).toBe(cut?.consumption_wh);
    expect(cut?.consumption_wh).toBeLessThan(first?.consumption_wh ?? 0);
  });
});
