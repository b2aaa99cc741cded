import { describe, expect, it } from 'vitest';
import { batterySpec, DEFAULT_BATTERY_SIZING } from '../assets/battery.ts';
import { createRng } from '../random.ts';
import { EVENING_MINUTE, FIRM_SHARE, type HouseholdAgent, MORNING_MINUTE, PEAK_FOCUS, planOrders, RESERVE_SAFETY, spareDischargeWh, spareOfferWh } from './household.ts';

const band = { askFloorUcPerKwh: 81_000, bidCapUcPerKwh: 217_487 };
const spec = batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 5 });

function agent(withBattery: boolean): HouseholdAgent {
  return {
    id: 'h',
    bus: 3,
    strategy: { kind: 'truthful' },
    battery: withBattery ? { spec, policy: 'peak-shaving', intervalMinutes: 15 } : undefined,
    // 100 Wh every 15 minutes, over two days
    habitualWh: new Float64Array(192).fill(100),
    rng: createRng(1),
  };
}

describe('a household agent\'s orders', () => {
  it('offers a firm share of its forecast surplus at its strategy\'s ask price, and bids for its need', () => {
    const surplus = planOrders(agent(false), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 1500, consumptionWh: 500 }, battery: undefined, localMinuteOfDay: 720 }, band).orders;
    expect(surplus).toEqual([{ side: 'ask', energyWh: Math.floor(FIRM_SHARE * 1000), priceUcPerKwh: 81_000, flexible: false }]);
    const need = planOrders(agent(false), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 400 }, battery: undefined, localMinuteOfDay: 120 }, band).orders;
    expect(need).toEqual([{ side: 'bid', energyWh: Math.floor(FIRM_SHARE * 400), priceUcPerKwh: 217_487, flexible: false }]);
    expect(planOrders(agent(false), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 110, consumptionWh: 100 }, battery: undefined, localMinuteOfDay: 120 }, band).orders).toEqual([]);
  });

  it('puts its surplus into its own battery first and sells only what the battery cannot take', () => {
    // 5 kW for 15 min: the battery takes at most 1,250 Wh
    const orders = planOrders(agent(true), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 2000, consumptionWh: 250 }, battery: { storedWh: 3000 }, localMinuteOfDay: 720 }, band).orders;
    expect(orders).toEqual([{ side: 'ask', energyWh: Math.floor(FIRM_SHARE * 500), priceUcPerKwh: 81_000, flexible: false }]);
  });

  it('sells spare battery energy (beyond its own night\'s need) as a flexible ask', () => {
    const full = { storedWh: spec.maxSocWh };
    const lateEvening = planOrders(agent(true), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 100 }, battery: full, localMinuteOfDay: 23 * 60 }, band).orders;
    const flexible = lateEvening.filter((o) => o.flexible);
    expect(flexible).toHaveLength(1);
    // a self-consumption battery serves only its household: the same moment, no ask
    const own = agent(true);
    if (own.battery !== undefined) own.battery = { ...own.battery, policy: 'self-consumption' };
    const ownOrders = planOrders(own, { interval: 0, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 100 }, battery: full, localMinuteOfDay: 23 * 60 }, band).orders;
    expect(ownOrders.some((o) => o.flexible)).toBe(false);
    expect(flexible[0]?.side).toBe('ask');
    // never more than the battery's power leaves beside its own use ...
    expect(flexible[0]?.energyWh).toBeLessThanOrEqual(1250 - 100);
    // ... and never from the reserve: 9 h to 08:00 = 36 intervals × 100 Wh × safety, as stored energy
    const reserveStored = (RESERVE_SAFETY * 100 * 36 * 1_000_000) / spec.dischargeEfficiencyPpm;
    const drawn = Math.ceil(((flexible[0]?.energyWh ?? 0) * 1_000_000) / spec.dischargeEfficiencyPpm);
    expect(full.storedWh - drawn - spec.minSocWh).toBeGreaterThanOrEqual(reserveStored);
    const noon = planOrders(agent(true), { interval: 0, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 100 }, battery: full, localMinuteOfDay: 12 * 60 }, band).orders;
    expect(noon.some((o) => o.flexible)).toBe(false);
  });

  it('offers spare energy at the top of its evening demand, none in the day', () => {
    const at = (minute: number, interval = 0) => ({ interval, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 0 }, battery: undefined, localMinuteOfDay: minute });
    // From 20:00 (interval 0) to 08:00: 48 intervals; the habit peaks at 300 Wh in 21:00-21:15
    // (interval 4), 200 Wh in 20:45 and 21:15 (intervals 3 and 5), 100 Wh elsewhere.
    const peaked = agent(true);
    peaked.habitualWh = new Float64Array(192).fill(100);
    peaked.habitualWh.set([200, 300, 200], 3);
    expect(PEAK_FOCUS).toBe(0.05);
    // Spare 1,000 Wh: the excess above the level must sum to 0.05 × 1,000 = 50 Wh. From 20:00
    // the window holds 300, 200, 200 and 100s: level 250 (only the 300 is above it, by 50).
    expect(spareOfferWh(peaked, 1000, at(20 * 60, 0))).toBe(0); // 100 Wh habit: below the level
    expect(spareOfferWh(peaked, 1000, at(21 * 60, 4))).toBe(1000); // (300 − 250) / 0.05
    // Spare 3,000 Wh, excess 150 Wh. From 20:45 (300, 200, 200, 100s): 100 above 200, then
    // 50 more shared by three values: level 200 − 50 / 3, the 20:45 share (50 / 3) / 0.05.
    expect(spareOfferWh(peaked, 3000, at(20 * 60 + 45, 3))).toBe(333);
    // From 21:00 (300, 200, 100s): level 175, (300 − 175) / 0.05 = 2,500.
    expect(spareOfferWh(peaked, 3000, at(21 * 60, 4))).toBe(2500);
    // A flat night from 03:00, 20 intervals to 08:00: the level is 100 − 200 / 20, so each
    // interval gets 4,000 / 20.
    expect(spareOfferWh(agent(true), 4000, at(3 * 60))).toBe(200);
    // in the day, nothing; nothing spare, nothing
    expect(spareOfferWh(peaked, 4000, at(MORNING_MINUTE))).toBe(0);
    expect(spareOfferWh(peaked, 4000, at(EVENING_MINUTE - 15))).toBe(0);
    expect(spareOfferWh(peaked, 0, at(21 * 60, 4))).toBe(0);
  });

  it('keeps what the household habitually uses until the morning', () => {
    const a = agent(true);
    const justBefore = { interval: 0, intervalMinutes: 15, forecast: { productionWh: 0, consumptionWh: 100 }, battery: { storedWh: 2000 }, localMinuteOfDay: MORNING_MINUTE - 60 };
    // 4 intervals to the morning: reserve 4 × 100 × 1.25 = 500 Wh at AC
    const stored = 2000 - spec.minSocWh - (500 * 1_000_000) / spec.dischargeEfficiencyPpm;
    expect(spareDischargeWh(a, { storedWh: 2000 }, justBefore)).toBe(Math.floor((stored * spec.dischargeEfficiencyPpm) / 1_000_000));
    // at 20:00, 48 intervals: 6,000 Wh, more than the battery holds
    expect(spareDischargeWh(a, { storedWh: 2000 }, { ...justBefore, localMinuteOfDay: 20 * 60 })).toBe(0);
    // the habit counts, not the mean: a household that uses nothing at night keeps nothing
    const sleeper = { ...a, habitualWh: new Float64Array(192) };
    expect(spareDischargeWh(sleeper, { storedWh: 2000 }, { ...justBefore, localMinuteOfDay: 20 * 60 })).toBe(Math.floor(((2000 - spec.minSocWh) * spec.dischargeEfficiencyPpm) / 1_000_000));
  });
});
