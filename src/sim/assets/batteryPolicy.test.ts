import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batteryLimits, batterySpec, DEFAULT_BATTERY_SIZING } from './battery.ts';
import { type BatteryController, selfConsumptionWh } from './batteryPolicy.ts';

const spec = batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 4 });
const controller: BatteryController = { spec, policy: 'self-consumption', intervalMinutes: 15 };
const half = { storedWh: 5000 };

describe('selfConsumptionWh', () => {
  it('charges from the surplus and covers the need, within limits', () => {
    expect(selfConsumptionWh(controller, half, 600)).toBe(600);
    expect(selfConsumptionWh(controller, half, -450)).toBe(-450);
    // 4 kW for 15 minutes: 1000 Wh at most.
    expect(selfConsumptionWh(controller, half, 5000)).toBe(1000);
    expect(selfConsumptionWh(controller, half, -5000)).toBe(-1000);
    expect(selfConsumptionWh(controller, { storedWh: spec.maxSocWh }, 800)).toBe(0);
    expect(selfConsumptionWh(controller, { storedWh: spec.minSocWh }, -800)).toBe(0);
  });

  it('always asks for whole Wh the battery can do', () => {
    fc.assert(
      fc.property(fc.integer({ min: spec.minSocWh, max: spec.maxSocWh }), fc.integer({ min: -20_000, max: 20_000 }), (storedWh, net) => {
        const wh = selfConsumptionWh(controller, { storedWh }, net);
        const lim = batteryLimits(spec, { storedWh }, 15);
        expect(Number.isInteger(wh)).toBe(true);
        expect(wh).toBeLessThanOrEqual(lim.maxChargeWh);
        expect(-wh).toBeLessThanOrEqual(lim.maxDischargeWh);
        // never against the household: no charging from the grid, no discharging into it
        expect(Math.sign(wh) * Math.sign(net)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
