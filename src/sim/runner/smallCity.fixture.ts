/**
 * A small city for the runner's tests: one microgrid of six households on the bundled rural
 * feeder, one June day of 60-minute intervals (24 intervals), every asset kind and strategy, and
 * shiftable appliances beside a battery, beside PV and alone.
 */
import { parseScenario, type Scenario, type ScenarioInput } from '../scenario.ts';

export function smallScenarioInput(): ScenarioInput {
  return {
    name: 'small',
    seed: 7,
    start: '2025-06-10T00:00:00+02:00',
    days: 1,
    intervalMinutes: 60,
    gateClosureLeadMinutes: 5,
    location: { latitudeDeg: 52.4, longitudeDeg: 13.1 },
    prices: { retailUcPerKwh: 300_000, feedInUcPerKwh: 80_000, gridFeeUcPerKwh: 40_000, taxPercent: 19, mintRateUcPerKwh: 10_000 },
    strategies: { truthful: { kind: 'truthful' }, midpoint: { kind: 'midpoint' }, markup: { kind: 'markup', markupFraction: 0.25 }, zi: { kind: 'zero-intelligence' } },
    microgrids: [
      {
        name: 'mini',
        feeder: 'kerber-landnetz-pv',
        households: [
          { id: 'pv-bat', bus: 3, annualKwh: 4000, pv: { kWp: 8 }, battery: { capacityKwh: 8 }, strategy: 'midpoint', shiftable: { kwhPerDay: 2, kw: 1, startHour: 18 } },
          { id: 'pv', bus: 5, annualKwh: 3000, pv: { kWp: 6 }, strategy: 'markup', shiftable: { kwhPerDay: 2.5, kw: 1.5, startHour: 19 } },
          { id: 'wind', bus: 7, annualKwh: 3500, wind: { ratedKw: 4 }, strategy: 'zi' },
          { id: 'plain-a', bus: 9, annualKwh: 4500, strategy: 'truthful', shiftable: { kwhPerDay: 3, kw: 2, startHour: 18.5 } },
          { id: 'plain-b', bus: 11, annualKwh: 2500, strategy: 'midpoint' },
          { id: 'plain-c', bus: 13, annualKwh: 5000, strategy: 'zi' },
        ],
      },
    ],
  };
}

export function smallScenario(): Scenario {
  return parseScenario(smallScenarioInput(), 'the small test city');
}
