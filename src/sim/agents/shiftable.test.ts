import { describe, expect, it } from 'vitest';
import type { ShiftableSpec } from '../assets/shiftable.ts';
import { batterySpec, DEFAULT_BATTERY_SIZING } from '../assets/battery.ts';
import { createRng } from '../random.ts';
import { type HouseholdAgent, MIN_ORDER_WH, planOrders } from './household.ts';
import { type ApplianceInput, planAppliance, waitingBand } from './shiftable.ts';

// 2 kWh at 1 kW (250 Wh a quarter hour) within 08:00-22:00, habitually started at 18:00
const spec: ShiftableSpec = { dailyWh: 2000, powerW: 1000, earliestMinute: 480, deadlineMinute: 1320, habitualStartMinute: 1080 };
const appliance = (remainingWh: number, daylight = true): ApplianceInput => ({ spec, remainingWh, daylight });
const band = { askFloorUcPerKwh: 81_000, bidCapUcPerKwh: 217_487 };
const at = (h: number, m = 0): number => h * 60 + m;
const agentOf = (withBattery = false): HouseholdAgent => ({
  id: 'h',
  bus: 3,
  strategy: { kind: 'truthful' },
  battery: withBattery ? { spec: batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 5 }), policy: 'peak-shaving', intervalMinutes: 15 } : undefined,
  habitualWh: new Float64Array(192).fill(100),
  rng: createRng(1),
});
const inputAt = (minute: number, productionWh: number, remainingWh = 2000) => ({
  interval: 0,
  intervalMinutes: 15,
  forecast: { productionWh, consumptionWh: 100 },
  battery: undefined,
  localMinuteOfDay: minute,
  appliance: appliance(remainingWh),
});

describe('a shiftable appliance\'s plan in the market', () => {
  it('bids flexibly in daylight inside its window, for what is left up to its power', () => {
    expect(planAppliance(appliance(2000), at(12), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 250 });
    expect(planAppliance(appliance(120), at(12), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 120 });
    expect(planAppliance(appliance(0), at(12), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 0 });
  });

  it('does nothing outside its window or in the dark', () => {
    expect(planAppliance(appliance(2000), at(7, 45), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 0 });
    expect(planAppliance(appliance(2000), at(22), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 0 });
    expect(planAppliance(appliance(2000, false), at(9), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 0 });
  });

  it('runs on its own household\'s forecast surplus first, firm, and bids for the rest', () => {
    expect(planAppliance(appliance(2000), at(12), 15, 100, true)).toEqual({ firmWh: 100, flexibleWh: 150 });
    expect(planAppliance(appliance(2000), at(12), 15, 900, true)).toEqual({ firmWh: 250, flexibleWh: 0 });
    expect(planAppliance(appliance(2000), at(12), 15, -300, true)).toEqual({ firmWh: 0, flexibleWh: 250 });
  });

  it('runs firm at full power when it cannot wait: from its habitual start, or when the deadline nears', () => {
    // the habitual start has come: what is left runs as without a market, dark or not
    expect(planAppliance(appliance(2000, false), at(18), 15, 0, true)).toEqual({ firmWh: 250, flexibleWh: 0 });
    expect(planAppliance(appliance(100), at(19), 15, 0, true)).toEqual({ firmWh: 100, flexibleWh: 0 });
    // a job started earlier (effective start 16:00 for 6 h at 1 kW) must run from 16:00 ...
    const big = { ...appliance(6000), spec: { ...spec, dailyWh: 6000 } };
    expect(planAppliance(big, at(15, 45), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 250 });
    expect(planAppliance(big, at(16), 15, 0, true)).toEqual({ firmWh: 250, flexibleWh: 0 });
    // ... and within the interval where the latest start falls, when the rest no longer fits after it:
    // 2 kWh at 900 W need 134 min, latest start 19:46; after 19:45-20:00 come 2 h at 900 W = 1,800 Wh
    const slow = { ...appliance(2000), spec: { ...spec, powerW: 900, habitualStartMinute: at(21) } };
    expect(planAppliance(slow, at(19, 30), 15, 0, true)).toEqual({ firmWh: 0, flexibleWh: 225 });
    expect(planAppliance(slow, at(19, 45), 15, 0, true)).toEqual({ firmWh: 225, flexibleWh: 0 });
  });

  it('keeps to its habit in a household with a battery', () => {
    expect(planAppliance(appliance(2000), at(12), 15, 500, false)).toEqual({ firmWh: 0, flexibleWh: 0 });
    expect(planAppliance(appliance(2000), at(18), 15, 0, false)).toEqual({ firmWh: 250, flexibleWh: 0 });
    // and the agent of such a household places no appliance bid
    const withBattery = planOrders(agentOf(true), { ...inputAt(at(12), 0), battery: { storedWh: 5000 } }, band);
    expect(withBattery.orders.some((o) => o.side === 'bid' && o.flexible)).toBe(false);
    expect(withBattery.appliance).toEqual({ firmWh: 0, flexibleWh: 0 });
  });

  it('bids in the lower half of the price band', () => {
    expect(waitingBand(band)).toEqual({ askFloorUcPerKwh: 81_000, bidCapUcPerKwh: 81_000 + Math.floor(136_487 / 2) });
  });
});

describe('the household agent with a shiftable appliance', () => {
  it('places a flexible bid beside its firm bid, at the truthful price of the waiting band', () => {
    const plan = planOrders(agentOf(), inputAt(at(12), 0), band);
    expect(plan.orders).toEqual([
      { side: 'bid', energyWh: 80, priceUcPerKwh: 217_487, flexible: false },
      { side: 'bid', energyWh: 250, priceUcPerKwh: waitingBand(band).bidCapUcPerKwh, flexible: true },
    ]);
    expect(plan.appliance).toEqual({ firmWh: 0, flexibleWh: 250 });
  });

  it('counts a firm run in its forecast consumption, and never bids beside its own ask', () => {
    // 500 Wh produced, 100 used: the appliance takes 250 of the surplus, 80 % of the other 150 is offered
    const plan = planOrders(agentOf(), inputAt(at(12), 500), band);
    expect(plan.orders).toEqual([{ side: 'ask', energyWh: 120, priceUcPerKwh: 81_000, flexible: false }]);
    expect(plan.appliance).toEqual({ firmWh: 250, flexibleWh: 0 });
    // from its habitual start the run is firm: a need of 100 + 250 Wh, 80 % of it bid
    const evening = planOrders(agentOf(), { ...inputAt(at(18), 0), appliance: appliance(2000, false) }, band);
    expect(evening.orders).toEqual([{ side: 'bid', energyWh: 280, priceUcPerKwh: 217_487, flexible: false }]);
  });

  it('bids nothing under the smallest order', () => {
    const plan = planOrders(agentOf(), inputAt(at(12), 0, MIN_ORDER_WH - 1), band);
    expect(plan.orders.some((o) => o.flexible)).toBe(false);
    expect(plan.appliance).toEqual({ firmWh: 0, flexibleWh: 0 });
  });
});
