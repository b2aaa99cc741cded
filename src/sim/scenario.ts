/**
 * The scenario file: what city to simulate. Plain JSON (no new dependency for YAML), validated
 * with zod; errors name the path of the offending field ("microgrids[1].households.mix.pvShare:
 * ..."). Comments: any key starting with "_" (such as "_comment") is dropped before validation,
 * anywhere in the file, so a scenario stays valid JSON that every tool reads, while unknown keys
 * without the underscore are refused (a typo is an error, not a silent default).
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { DAYS_PER_YEAR } from './assets/shiftable.ts';
import type { LoadCalendar } from './profiles/load.ts';
import { CENTRAL_EUROPE_CLOUDS } from './profiles/clouds.ts';
import type { Site } from './profiles/pv.ts';
import { CENTRAL_EUROPE_TEMPERATURE } from './profiles/temperature.ts';
import type { TimeGrid } from './profiles/time.ts';
import type { WeatherSpec } from './profiles/weather.ts';
import { weibullScaleFromMean } from './profiles/wind.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use 1-64 letters, digits, "-" or "_", starting with a letter or digit');
const share = z.number().min(0).max(1);
const ucAmount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** [min, max] with min <= max. */
function range(lo: number, hi: number) {
  return z
    .tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)])
    .refine(([a, b]) => a <= b, 'the first value (min) must not exceed the second (max)');
}

/** A battery serves its own household only ('self-consumption') or also sells its spare energy at the evening peak ('peak-shaving'): assets/batteryPolicy.ts. */
const batteryPolicy = z.enum(['self-consumption', 'peak-shaving']);

/**
 * Pricing strategies the agents use for their orders, between the feed-in price (what the grid
 * pays) and the retail price (what the grid charges):
 * - truthful: asks at the feed-in price, bids at the retail price (each side's grid alternative);
 * - midpoint: asks and bids at the midpoint of feed-in and retail;
 * - markup: asks at feed-in + f x spread, bids at retail - f x spread (f = markupFraction);
 * - zero-intelligence: a uniform random price within [feed-in, retail] per order (Gode and Sunder's ZI-C).
 */
const strategySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('truthful') }),
  z.strictObject({ kind: z.literal('midpoint') }),
  z.strictObject({ kind: z.literal('markup'), markupFraction: share }),
  z.strictObject({ kind: z.literal('zero-intelligence') }),
]);
export type StrategySpec = z.output<typeof strategySchema>;

/** Local hours [from, to) of a day, from < to. */
const hoursWindow = range(0, 24).refine(([a, b]) => a < b, 'the window must not be empty');

/**
 * A shiftable appliance (heat-pump water heater, EV top-up): kwhPerDay at up to kw within the
 * local window, habitually started at startHour. Its energy is part of annualKwh.
 */
const explicitShiftable = z
  .strictObject({
    kwhPerDay: z.number().positive().max(1000),
    kw: z.number().positive().max(1000),
    windowHours: hoursWindow.default([8, 22]),
    startHour: z.number().min(0).max(24).default(19),
  })
  .superRefine((a, ctx) => {
    const [from, to] = a.windowHours;
    if (a.startHour < from || a.startHour >= to) ctx.addIssue({ code: 'custom', message: `startHour must lie in the window [${from}, ${to})`, path: ['startHour'] });
    if (a.kwhPerDay > a.kw * (to - from)) ctx.addIssue({ code: 'custom', message: `kwhPerDay cannot be done at ${a.kw} kW within the window (${to - from} h)`, path: ['kwhPerDay'] });
  });
export type ExplicitShiftable = z.output<typeof explicitShiftable>;

const explicitHousehold = z
  .strictObject({
    id: name.optional(),
    bus: z.number().int().nonnegative(),
    annualKwh: z.number().positive().max(1_000_000),
    pv: z
      .strictObject({
        kWp: z.number().positive().max(1000),
        tiltDeg: z.number().min(0).max(90).default(35),
        azimuthDeg: z.number().min(0).max(360).default(180),
        performanceRatio: z.number().gt(0).max(1).default(0.86),
      })
      .optional(),
    wind: z.strictObject({ ratedKw: z.number().positive().max(1000), hubHeightM: z.number().min(2).max(200).default(20) }).optional(),
    battery: z
      .strictObject({
        capacityKwh: z.number().positive().max(10_000),
        /** Default: half the capacity per hour. */
        powerKw: z.number().positive().max(10_000).optional(),
        roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
      })
      .optional(),
    batteryPolicy: batteryPolicy.default('peak-shaving'),
    strategy: name.optional(),
    loadShiftMinutes: z.number().int().min(-240).max(240).default(0),
    csv: z.strictObject({ file: z.string().min(1), productionColumn: z.string().min(1).optional(), consumptionColumn: z.string().min(1).optional() }).optional(),
    shiftable: explicitShiftable.optional(),
  })
  .superRefine((h, ctx) => {
    if (h.shiftable === undefined) return;
    if (h.shiftable.kwhPerDay * DAYS_PER_YEAR >= h.annualKwh) ctx.addIssue({ code: 'custom', message: `the appliance's ${h.shiftable.kwhPerDay * DAYS_PER_YEAR} kWh a year must be less than annualKwh`, path: ['shiftable', 'kwhPerDay'] });
    if (h.csv?.consumptionColumn !== undefined) ctx.addIssue({ code: 'custom', message: 'a measured consumption series already holds the appliance: drop shiftable or the consumptionColumn', path: ['shiftable'] });
  });
export type ExplicitHousehold = z.output<typeof explicitHousehold>;

const householdMix = z
  .strictObject({
    pvShare: share.default(0.5),
    pvKwp: range(0.1, 1000).default([4, 10]),
    pvTiltDeg: range(0, 90).default([20, 45]),
    pvAzimuthDeg: range(0, 360).default([135, 225]),
    /** Batteries go to PV households first. */
    batteryShare: share.default(0.3),
    batteryKwh: range(0.1, 10_000).default([5, 12]),
    /** Inverter power per kWh of capacity. */
    batteryKwPerKwh: z.number().positive().max(4).default(0.5),
    windShare: share.default(0),
    windKw: range(0.1, 1000).default([1, 5]),
    annualKwh: range(100, 1_000_000).default([2000, 5500]),
    /** Each household's habits shift by a uniform draw in +-this (multiples of 5 min). */
    loadShiftMinutes: z.number().int().min(0).max(240).default(45),
    /** Strategy name -> weight; default: all strategies, equal weights. */
    strategies: z.record(name, z.number().positive()).optional(),
    batteryPolicies: z.partialRecord(batteryPolicy, z.number().positive()).default({ 'peak-shaving': 1 }),
    /** Households with a shiftable appliance (explicitShiftable), picked by a seeded shuffle. */
    shiftableShare: share.default(0),
    shiftableKwhPerDay: range(0.1, 1000).default([1.5, 3]),
    shiftableKw: range(0.1, 1000).default([0.5, 2]),
    shiftableWindowHours: hoursWindow.default([8, 22]),
    /** Habitual start, drawn uniformly (multiples of 5 min). */
    shiftableStartHours: range(0, 24).default([17, 21]),
  })
  .superRefine((m, ctx) => {
    const [from, to] = m.shiftableWindowHours;
    if (m.shiftableStartHours[0] < from || m.shiftableStartHours[1] >= to) ctx.addIssue({ code: 'custom', message: `the habitual starts must lie in the window [${from}, ${to})`, path: ['shiftableStartHours'] });
    if (m.shiftableKwhPerDay[1] > m.shiftableKw[0] * (to - from)) ctx.addIssue({ code: 'custom', message: `${m.shiftableKwhPerDay[1]} kWh cannot be done at ${m.shiftableKw[0]} kW within the window (${to - from} h)`, path: ['shiftableKwhPerDay'] });
    if (m.shiftableShare > 0 && m.shiftableKwhPerDay[1] * DAYS_PER_YEAR >= m.annualKwh[0]) ctx.addIssue({ code: 'custom', message: `the appliance's up to ${m.shiftableKwhPerDay[1] * DAYS_PER_YEAR} kWh a year must be less than the smallest annualKwh`, path: ['shiftableKwhPerDay'] });
  });
export type HouseholdMix = z.output<typeof householdMix>;

const mixedHouseholds = z.strictObject({
  /** Default: one household per load bus of the feeder. */
  count: z.number().int().min(1).max(100_000).optional(),
  mix: householdMix.default(householdMix.parse({})),
});

/** Either an explicit list or a count with a mix; the array/object shape decides which. */
const households = z.unknown().transform((value, ctx): ExplicitHousehold[] | z.output<typeof mixedHouseholds> => {
  const r = Array.isArray(value) ? z.array(explicitHousehold).min(1).safeParse(value) : mixedHouseholds.safeParse(value);
  if (!r.success) {
    for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return r.data;
});

const microgridSchema = z.strictObject({
  name,
  /** A bundled feeder's name (e.g. "kerber-landnetz-pv") or a path to a MATPOWER .m / pandapower .json file. */
  feeder: z.string().min(1),
  households,
  validators: z.strictObject({ count: z.number().int().min(1).max(100).default(4), stakeUc: ucAmount.min(1).default(1_000_000_000_000) }).default({ count: 4, stakeUc: 1_000_000_000_000 }),
});
export type MicrogridSpec = z.output<typeof microgridSchema>;

const weatherSchema = z.strictObject({
  /** Mean wind speed at the reference height, m/s (inland Germany at 10 m: about 3.5-5). */
  windMeanSpeedMps: z.number().positive().max(30).default(4.5),
  windWeibullK: z.number().min(1).max(5).default(2),
  windReferenceHeightM: z.number().min(1).max(200).default(10),
  windHourlyAutocorrelation: z.number().min(0).lt(1).default(0.9),
  /** Cloud climate of the PV model (day classes and their seasons); only central Europe so far. */
  clouds: z.enum(['central-europe']).default('central-europe'),
  temperature: z
    .strictObject({
      annualMeanC: z.number().min(-40).max(40).default(CENTRAL_EUROPE_TEMPERATURE.annualMeanC),
      annualAmplitudeC: z.number().min(0).max(40).default(CENTRAL_EUROPE_TEMPERATURE.annualAmplitudeC),
      dailyAmplitudeC: z.number().min(0).max(20).default(CENTRAL_EUROPE_TEMPERATURE.dailyAmplitudeC),
    })
    .default(CENTRAL_EUROPE_TEMPERATURE),
});

const pricesSchema = z
  .strictObject({
    retailUcPerKwh: ucAmount,
    feedInUcPerKwh: ucAmount,
    gridFeeUcPerKwh: ucAmount,
    /** Percent, up to two decimals. */
    taxPercent: z
      .number()
      .min(0)
      .max(100)
      .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, 'at most two decimals'),
    mintRateUcPerKwh: ucAmount,
  })
  .refine((p) => p.feedInUcPerKwh <= p.retailUcPerKwh, { message: 'feedInUcPerKwh must not exceed retailUcPerKwh', path: ['feedInUcPerKwh'] });

export const scenarioSchema = z
  .strictObject({
    name,
    /** A safe integer or a string: the same seed gives the same city, interval for interval. */
    seed: z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(256)]),
    /** First interval's start, ISO 8601 with Z or an offset, e.g. "2025-05-20T00:00:00+02:00". */
    start: z.iso.datetime({ offset: true }),
    days: z.number().int().min(1).max(366),
    intervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(60)
      .refine((m) => 1440 % m === 0, 'must divide a day (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)')
      .default(15),
    gateClosureLeadMinutes: z.number().int().min(0).max(1440).default(5),
    location: z.strictObject({
      latitudeDeg: z.number().min(-90).max(90),
      longitudeDeg: z.number().min(-180).max(180),
      /** Standard time's offset from UTC (CET: 60). */
      utcOffsetMinutes: z.number().int().min(-720).max(840).default(60),
      daylightSaving: z.enum(['eu', 'none']).default('eu'),
      /** Public holidays that use the Sunday load profile. */
      holidays: z.enum(['de', 'none']).default('de'),
    }),
    weather: weatherSchema.default(weatherSchema.parse({})),
    prices: pricesSchema,
    strategies: z.record(name, strategySchema).default({ truthful: { kind: 'truthful' } }),
    microgrids: z.array(microgridSchema).min(1).max(64),
  })
  .superRefine((s, ctx) => {
    if (Object.keys(s.strategies).length === 0) ctx.addIssue({ code: 'custom', message: 'define at least one strategy', path: ['strategies'] });
    const seen = new Set<string>();
    s.microgrids.forEach((mg, i) => {
      if (seen.has(mg.name)) ctx.addIssue({ code: 'custom', message: `microgrid name "${mg.name}" is used twice`, path: ['microgrids', i, 'name'] });
      seen.add(mg.name);
      const unknown = (strategy: string): boolean => !Object.hasOwn(s.strategies, strategy);
      if (Array.isArray(mg.households)) {
        mg.households.forEach((h, j) => {
          if (h.strategy !== undefined && unknown(h.strategy)) ctx.addIssue({ code: 'custom', message: `unknown strategy "${h.strategy}"`, path: ['microgrids', i, 'households', j, 'strategy'] });
        });
      } else {
        for (const strategy of Object.keys(mg.households.mix.strategies ?? {})) {
          if (unknown(strategy)) ctx.addIssue({ code: 'custom', message: `unknown strategy "${strategy}"`, path: ['microgrids', i, 'households', 'mix', 'strategies', strategy] });
        }
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** "microgrids[0].households.mix.pvShare" */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

/** Removes every key that starts with "_" (comments), at any depth. */
function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('_')) out[k] = stripComments(v);
    return out;
  }
  return value;
}

/** Validates a parsed scenario object; throws GridLedgerError SCENARIO_INVALID listing every problem by path. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(stripComments(input));
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
  throw new GridLedgerError('SCENARIO_INVALID', `${source} is not a valid scenario:\n${lines.join('\n')}`, {
    details: { issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
  });
}

/** Parses JSON text (syntax errors reported with line and column), then validates it. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at?.[1] !== undefined) {
      const before = text.slice(0, Number(at[1])).split('\n');
      where = ` at line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
    }
    throw new GridLedgerError('SCENARIO_JSON', `${source} is not valid JSON${where}: ${message}`, { cause: e });
  }
  return parseScenario(value, source);
}

export function scenarioGrid(s: Scenario): TimeGrid {
  return { startMs: Date.parse(s.start), intervalMinutes: s.intervalMinutes, count: (s.days * 1440) / s.intervalMinutes };
}

export function scenarioCalendar(s: Scenario): LoadCalendar {
  return { localTime: { utcOffsetMinutes: s.location.utcOffsetMinutes, daylightSaving: s.location.daylightSaving }, holidays: s.location.holidays };
}

export function scenarioSite(s: Scenario): Site {
  return { latitudeDeg: s.location.latitudeDeg, longitudeDeg: s.location.longitudeDeg };
}

export function scenarioWeather(s: Scenario): WeatherSpec {
  const w = s.weather;
  return {
    clouds: CENTRAL_EUROPE_CLOUDS,
    wind: {
      weibullK: w.windWeibullK,
      weibullScaleMps: weibullScaleFromMean(w.windMeanSpeedMps, w.windWeibullK),
      referenceHeightM: w.windReferenceHeightM,
      hourlyAutocorrelation: w.windHourlyAutocorrelation,
    },
    temperature: w.temperature,
  };
}

const DEMO_MIX = {
  pvKwp: [4, 9],
  pvTiltDeg: [20, 45],
  pvAzimuthDeg: [135, 225],
  batteryKwh: [5, 10],
  batteryKwPerKwh: 0.5,
  annualKwh: [2000, 5500],
  loadShiftMinutes: 45,
  strategies: { truthful: 1, midpoint: 2, markup: 1, zi: 1 },
  batteryPolicies: { 'peak-shaving': 3, 'self-consumption': 1 },
  // Two in five households with a heat-pump water heater or an electric car topped up daily: the
  // federal targets for 2030 (15 million electric cars, 6 million heat pumps) against 41 million
  // households; the demo's neighbourhoods are ahead of the country already in PV (40-50 %).
  shiftableShare: 0.4,
  shiftableKwhPerDay: [1.5, 3],
  shiftableKw: [0.5, 2],
  shiftableWindowHours: [8, 22],
  shiftableStartHours: [17, 21],
} as const;

/** The demo's input: three low-voltage microgrids (rural, village, suburb), 36-48 households each, one day in May. */
export function defaultScenarioInput(): ScenarioInput {
  return {
    name: 'demo',
    seed: 2025,
    start: '2025-05-20T00:00:00+02:00',
    days: 1,
    intervalMinutes: 15,
    gateClosureLeadMinutes: 5,
    location: { latitudeDeg: 52.4, longitudeDeg: 13.1, utcOffsetMinutes: 60, daylightSaving: 'eu', holidays: 'de' },
    weather: { windMeanSpeedMps: 4.5, windWeibullK: 2, windReferenceHeightM: 10, windHourlyAutocorrelation: 0.9 },
    prices: { retailUcPerKwh: 300_000, feedInUcPerKwh: 80_000, gridFeeUcPerKwh: 40_000, taxPercent: 19, mintRateUcPerKwh: 10_000 },
    strategies: {
      truthful: { kind: 'truthful' },
      midpoint: { kind: 'midpoint' },
      markup: { kind: 'markup', markupFraction: 0.25 },
      zi: { kind: 'zero-intelligence' },
    },
    microgrids: [
      // Rural cable feeder, 14 house connections: farmsteads with two or three households each.
      { name: 'north', feeder: 'kerber-landnetz-pv', households: { count: 36, mix: { ...DEMO_MIX, pvShare: 0.5, batteryShare: 0.3, windShare: 0.1 } }, validators: { count: 4, stakeUc: 1_000_000_000_000 } },
      // Village feeder, 57 houses: 48 of them take part.
      { name: 'centre', feeder: 'kerber-dorfnetz', households: { count: 48, mix: { ...DEMO_MIX, pvShare: 0.45, batteryShare: 0.25, windShare: 0.05 } }, validators: { count: 4, stakeUc: 1_000_000_000_000 } },
      // Suburban feeder, 146 houses: 42 of them take part.
      { name: 'south', feeder: 'kerber-vorstadtnetz-kabel1', households: { count: 42, mix: { ...DEMO_MIX, pvShare: 0.4, batteryShare: 0.2, windShare: 0 } }, validators: { count: 4, stakeUc: 1_000_000_000_000 } },
    ],
  };
}

export function defaultScenario(): Scenario {
  return parseScenario(defaultScenarioInput(), 'the default scenario');
}

/**
 * The demo scenario as a commented JSON file: "_comment" keys explain each section, and
 * "_households_explicit" shows the list form of `households` (ignored, like every "_" key).
 */
export function exampleScenarioText(): string {
  const d = defaultScenarioInput();
  const [first, ...rest] = d.microgrids;
  const example = {
    _comment: 'GridLedger scenario. Keys starting with "_" are comments and are ignored. Energy in Wh/kWh, money in micro-coin (uc): 1 coin = 1,000,000 uc, prices in uc per kWh.',
    name: d.name,
    _seed: 'Same seed, same city: every profile, forecast error and household draw follows from it.',
    seed: d.seed,
    _start: 'Start of the first interval, ISO 8601 with Z or an offset. The run covers `days` days of `intervalMinutes` intervals.',
    start: d.start,
    days: d.days,
    intervalMinutes: d.intervalMinutes,
    _gateClosureLeadMinutes: 'Orders for an interval are accepted until this many minutes before it starts.',
    gateClosureLeadMinutes: d.gateClosureLeadMinutes,
    location: {
      _comment: 'Sun position (PV) and local time (load profiles). daylightSaving: "eu" or "none"; holidays: "de" or "none".',
      ...d.location,
    },
    weather: {
      _comment: 'Wind: Weibull speed distribution at the reference height with hourly autocorrelation. Clouds: central European day classes.',
      ...d.weather,
    },
    prices: {
      _comment: 'Retail: what the main grid charges; feed-in: what it pays; grid fee and tax on local trades; mint rate: reward per kWh delivered to neighbours.',
      ...d.prices,
    },
    strategies: {
      _comment: 'Pricing strategies by name. kinds: truthful, midpoint, markup (markupFraction 0..1), zero-intelligence.',
      ...d.strategies,
    },
    microgrids: [
      {
        _comment: 'One chain per microgrid. feeder: a bundled name or a path to a MATPOWER .m / pandapower .json file. households: {count, mix} or an explicit list (see _households_explicit). Without count: one household per load bus.',
        _shiftable:
          'A share of households (shiftableShare) has a shiftable appliance, a heat-pump water heater or an electric car: shiftableKwhPerDay at up to shiftableKw, done within shiftableWindowHours (local time), habitually started within shiftableStartHours. Its energy is part of annualKwh. Without a market it runs from the habitual start; with one it bids for neighbours\' daylight surplus. In a list: shiftable: {kwhPerDay, kw, windowHours [8, 22], startHour 19}.',
        ...first,
        _households_explicit: [
          { id: 'farm', bus: 3, annualKwh: 6000, pv: { kWp: 12, tiltDeg: 30, azimuthDeg: 180 }, battery: { capacityKwh: 10, powerKw: 5 }, batteryPolicy: 'peak-shaving', strategy: 'midpoint' },
          { id: 'flat', bus: 5, annualKwh: 2200, strategy: 'truthful', loadShiftMinutes: 30, shiftable: { kwhPerDay: 2, kw: 1, windowHours: [8, 22], startHour: 18.5 } },
          { id: 'mill', bus: 7, annualKwh: 3000, wind: { ratedKw: 5, hubHeightM: 24 }, csv: { file: 'mill.csv', consumptionColumn: 'load_wh' } },
        ],
      },
      ...rest,
    ],
  };
  return `${JSON.stringify(example, null, 2)}\n`;
}

/** Writes the example scenario; refuses to overwrite an existing file. */
export function writeExampleScenario(file: string): void {
  try {
    writeFileSync(file, exampleScenarioText(), { flag: 'wx' });
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'EEXIST') throw new GridLedgerError('SCENARIO_EXISTS', `${file} already exists; not overwriting it`, { cause: e });
    throw e;
  }
}
