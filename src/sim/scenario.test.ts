import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../errors.ts';
import { defaultScenario, defaultScenarioInput, exampleScenarioText, parseScenario, parseScenarioText, scenarioGrid, writeExampleScenario } from './scenario.ts';

function issuesOf(input: unknown): string {
  try {
    parseScenario(input);
  } catch (e) {
    if (e instanceof GridLedgerError) {
      expect(e.code).toBe('SCENARIO_INVALID');
      return e.message;
    }
    throw e;
  }
  throw new Error('scenario was accepted');
}

type Path = (string | number)[];

/** The default input (deep copy) with values set at paths. */
function edited(...changes: [Path, unknown][]): unknown {
  const root: unknown = structuredClone(defaultScenarioInput());
  for (const [path, value] of changes) {
    let node = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1] ?? ''] = value;
  }
  return root;
}

describe('default scenario', () => {
  it('is the demo: three microgrids of 30-50 households, one day of 15-minute intervals', () => {
    const s = defaultScenario();
    expect(s.microgrids).toHaveLength(3);
    for (const mg of s.microgrids) {
      expect(Array.isArray(mg.households)).toBe(false);
      const count = Array.isArray(mg.households) ? mg.households.length : mg.households.count;
      expect(count).toBeGreaterThanOrEqual(30);
      expect(count).toBeLessThanOrEqual(50);
      expect(mg.validators.count).toBe(4);
    }
    expect(scenarioGrid(s)).toEqual({ startMs: Date.UTC(2025, 4, 19, 22), intervalMinutes: 15, count: 96 });
  });

  it('round-trips through the commented example file, whose comments are ignored', () => {
    const text = exampleScenarioText();
    expect(text).toContain('"_comment"');
    expect(text).toContain('"_households_explicit"');
    expect(parseScenarioText(text)).toEqual(defaultScenario());
    // The explicit household list shown in the comment is itself valid.
    const example = JSON.parse(text) as { microgrids: Record<string, unknown>[] };
    const withList = { ...example, microgrids: [{ ...example.microgrids[0], households: example.microgrids[0]?._households_explicit }] };
    const parsed = parseScenario(withList);
    const list = parsed.microgrids[0]?.households;
    expect(Array.isArray(list) && list.length === 3 && list[0]?.pv?.azimuthDeg === 180).toBe(true);
  });

  it('applies defaults for what a minimal file leaves out', () => {
    const s = parseScenario({
      name: 'mini',
      seed: 'x',
      start: '2025-01-01T00:00:00Z',
      days: 2,
      location: { latitudeDeg: 50, longitudeDeg: 8 },
      prices: { retailUcPerKwh: 300000, feedInUcPerKwh: 80000, gridFeeUcPerKwh: 0, taxPercent: 0, mintRateUcPerKwh: 0 },
      microgrids: [{ name: 'a', feeder: 'kerber-landnetz-pv', households: {} }],
    });
    expect(s.intervalMinutes).toBe(15);
    expect(s.gateClosureLeadMinutes).toBe(5);
    expect(s.location.daylightSaving).toBe('eu');
    expect(s.strategies).toEqual({ truthful: { kind: 'truthful' } });
    expect(s.microgrids[0]?.validators).toEqual({ count: 4, stakeUc: 1_000_000_000_000 });
    const hh = s.microgrids[0]?.households;
    expect(!Array.isArray(hh) && hh?.count === undefined && hh?.mix.pvShare === 0.5).toBe(true);
    // no shiftable appliances unless asked for: files written before them mean the same city
    expect(!Array.isArray(hh) && hh?.mix.shiftableShare === 0 && hh.mix.shiftableWindowHours[0] === 8).toBe(true);
    expect(scenarioGrid(s).count).toBe(192);
  });
});

describe('validation errors', () => {
  it('name the path of every problem', () => {
    const message = issuesOf(
      edited(
        [['microgrids', 1, 'households', 'mix', 'pvShare'], 3],
        [['microgrids', 2, 'households', 'mix', 'pvKwp'], [9, 4]],
        [['microgrids', 0, 'colour'], 'red'],
        [['intervalMinutes'], 7],
        [['start'], '20 May 2025'],
        [['prices', 'feedInUcPerKwh'], 400_000],
      ),
    );
    expect(message).toMatch(/microgrids\[1\]\.households\.mix\.pvShare: .*<=1/);
    expect(message).toMatch(/microgrids\[2\]\.households\.mix\.pvKwp: the first value \(min\) must not exceed the second/);
    expect(message).toMatch(/microgrids\[0\]: Unrecognized key: "colour"/);
    expect(message).toMatch(/intervalMinutes: must divide a day/);
    expect(message).toMatch(/start: /);
    expect(message).toMatch(/prices\.feedInUcPerKwh: feedInUcPerKwh must not exceed retailUcPerKwh/);
  });

  it('checks names across the file: duplicate microgrids, unknown strategies', () => {
    const message = issuesOf(
      edited([['microgrids', 1, 'name'], 'north'], [['microgrids', 0, 'households', 'mix', 'strategies'], { greedy: 1 }]),
    );
    expect(message).toMatch(/microgrids\[1\]\.name: microgrid name "north" is used twice/);
    expect(message).toMatch(/microgrids\[0\]\.households\.mix\.strategies\.greedy: unknown strategy "greedy"/);
    const list = issuesOf(edited([['microgrids', 0, 'households'], [{ bus: 3, annualKwh: 3000 }, { bus: -1, annualKwh: 3000 }]]));
    expect(list).toMatch(/microgrids\[0\]\.households\[1\]\.bus: /);
    expect(issuesOf(edited([['microgrids', 0, 'households'], [{ bus: 3, annualKwh: 3000, strategy: 'nope' }]]))).toMatch(
      /microgrids\[0\]\.households\[0\]\.strategy: unknown strategy "nope"/,
    );
  });

  it('checks shiftable appliances: window, habitual start, energy against power and annual use', () => {
    const mix = ['microgrids', 0, 'households', 'mix'];
    const message = issuesOf(
      edited(
        [[...mix, 'shiftableWindowHours'], [22, 8]],
        [['microgrids', 1, 'households', 'mix', 'shiftableStartHours'], [7, 21]],
        [['microgrids', 2, 'households', 'mix', 'shiftableKwhPerDay'], [1.5, 8]],
        [['microgrids', 2, 'households', 'mix', 'shiftableKw'], [0.5, 2]],
      ),
    );
    expect(message).toMatch(/microgrids\[0\]\.households\.mix\.shiftableWindowHours: the first value \(min\) must not exceed the second/);
    expect(message).toMatch(/microgrids\[1\]\.households\.mix\.shiftableStartHours: the habitual starts must lie in the window \[8, 22\)/);
    // 8 kWh at 0.5 kW need 16 h, the window has 14; and 8 × 365 kWh exceed the smallest household's 2,000
    expect(message).toMatch(/microgrids\[2\]\.households\.mix\.shiftableKwhPerDay: 8 kWh cannot be done at 0\.5 kW within the window \(14 h\)/);
    expect(message).toMatch(/microgrids\[2\]\.households\.mix\.shiftableKwhPerDay: the appliance's up to 2920 kWh a year must be less than the smallest annualKwh/);
    expect(issuesOf(edited([[...mix, 'shiftableShare'], 1.5]))).toMatch(/shiftableShare: .*<=1/);
    const list = (shiftable: unknown, extra: Record<string, unknown> = {}) => issuesOf(edited([['microgrids', 0, 'households'], [{ bus: 3, annualKwh: 3000, shiftable, ...extra }]]));
    expect(list({ kwhPerDay: 2, kw: 1, windowHours: [8, 8] })).toMatch(/households\[0\]\.shiftable\.windowHours: the window must not be empty/);
    expect(list({ kwhPerDay: 2, kw: 1, startHour: 23 })).toMatch(/households\[0\]\.shiftable\.startHour: startHour must lie in the window \[8, 22\)/);
    expect(list({ kwhPerDay: 20, kw: 1 })).toMatch(/households\[0\]\.shiftable\.kwhPerDay: kwhPerDay cannot be done at 1 kW within the window \(14 h\)/);
    expect(list({ kwhPerDay: 9, kw: 1 })).toMatch(/households\[0\]\.shiftable\.kwhPerDay: the appliance's 3285 kWh a year must be less than annualKwh/);
    expect(list({ kwhPerDay: 0, kw: 1 })).toMatch(/households\[0\]\.shiftable\.kwhPerDay: /);
    expect(list({ kwhPerDay: 2, kw: 1 }, { csv: { file: 'm.csv', consumptionColumn: 'load' } })).toMatch(/households\[0\]\.shiftable: a measured consumption series already holds the appliance/);
    const ok = parseScenario(edited([['microgrids', 0, 'households'], [{ bus: 3, annualKwh: 3000, shiftable: { kwhPerDay: 2, kw: 1 } }]])).microgrids[0]?.households;
    expect(Array.isArray(ok) && ok[0]?.shiftable).toEqual({ kwhPerDay: 2, kw: 1, windowHours: [8, 22], startHour: 19 });
  });

  it('accepts "_" keys anywhere as comments but refuses other unknown keys', () => {
    expect(() => parseScenario(edited([['_note'], 'x'], [['prices', '_why'], 'y'], [['microgrids', 0, '_a'], [1]]))).not.toThrow();
    expect(issuesOf(edited([['prices', 'retail'], 1]))).toMatch(/prices: Unrecognized key: "retail"/);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(() => parseScenarioText('{\n  "name": "x",\n  "seed": 1,,\n}', 'city.json')).toThrow(/city\.json is not valid JSON at line 3, column 13/);
  });
});

describe('writeExampleScenario', () => {
  it('writes the example and will not overwrite a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gl-scenario-'));
    try {
      const file = path.join(dir, 'city.json');
      writeExampleScenario(file);
      expect(parseScenarioText(readFileSync(file, 'utf8'))).toEqual(defaultScenario());
      expect(() => writeExampleScenario(file)).toThrow(/already exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
