import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batteryLimits, batterySpec, DEFAULT_BATTERY_SIZING } from './battery.ts';
import { type BatteryController, decideBattery, DEFAULT_PEAK_SHAVING, type PriceSignal } from './battery-policy.ts';

const spec = batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 4 });
const selfConsumption: BatteryController = { spec, policy: 'self-consumption', intervalMinutes: 15, ...DEFAULT_PEAK_SHAVING };
const peakShaving: BatteryController = { ...selfConsumption, policy: 'peak-shaving' };
const price = (expected: number): PriceSignal => ({ expectedPriceUcPerKwh: expected, lowPriceUcPerKwh: 150_000, highPriceUcPerKwh: 280_000 });
const mid = price(200_000);
const half = { storedWh: 5000 };

describe('self-consumption', () => {
  it('charges from the forecast surplus and covers the forecast need, within limits', () => {
    expect(decideBattery(selfConsumption, half, 600, mid)).toEqual({ chargeWh: 600, dischargeWh: 0 });
    expect(decideBattery(selfConsumption, half, -450, mid)).toEqual({ chargeWh: 0, dischargeWh: 450 });
    // 4 kW for 15 minutes: 1000 Wh at most.
    expect(decideBattery(selfConsumption, half, 5000, mid)).toEqual({ chargeWh: 1000, dischargeWh: 0 });
    expect(decideBattery(selfConsumption, { storedWh: spec.maxSocWh }, 800, mid)).toEqual({ chargeWh: 0, dischargeWh: 0 });
    expect(decideBattery(selfConsumption, { storedWh: spec.minSocWh }, -800, mid)).toEqual({ chargeWh: 0, dischargeWh: 0 });
    // Price plays no part.
    expect(decideBattery(selfConsumption, half, -450, price(1_000_000))).toEqual({ chargeWh: 0, dischargeWh: 450 });
  });
});

describe('peak shaving', () => {
  it('discharges at full power when the price or the PCC import is high, beyond the own need', () => {
    expect(decideBattery(peakShaving, half, -100, price(300_000))).toEqual({ chargeWh: 0, dischargeWh: 1000 });
    expect(decideBattery(peakShaving, half, -100, { ...mid, pccImportForecastW: 90_000, pccPeakThresholdW: 80_000 })).toEqual({ chargeWh: 0, dischargeWh: 1000 });
  });

  it('charges from the grid when the price is low, up to its target', () => {
    expect(decideBattery(peakShaving, { storedWh: 1000 }, -300, price(100_000))).toEqual({ chargeWh: 1000, dischargeWh: 0 });
    const nearTarget = { storedWh: spec.minSocWh + Math.floor(0.9 * (spec.maxSocWh - spec.minSocWh)) - 100 };
    const d = decideBattery(peakShaving, nearTarget, -300, price(100_000));
    expect(d.chargeWh).toBeGreaterThan(100);
    expect(d.chargeWh).toBeLessThan(120);
    expect(decideBattery(peakShaving, { storedWh: spec.maxSocWh }, -300, price(100_000))).toEqual({ chargeWh: 0, dischargeWh: 0 });
  });

  it('keeps a reserve for the peak at middle prices, and still stores its own surplus', () => {
    expect(decideBattery(peakShaving, { storedWh: 2000 }, -300, mid)).toEqual({ chargeWh: 0, dischargeWh: 0 });
    expect(decideBattery(peakShaving, { storedWh: 9000 }, -300, mid)).toEqual({ chargeWh: 0, dischargeWh: 300 });
    expect(decideBattery(peakShaving, { storedWh: 2000 }, 700, mid)).toEqual({ chargeWh: 700, dischargeWh: 0 });
  });

  it('always offers something the battery can do, one direction at a time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: spec.minSocWh, max: spec.maxSocWh }),
        fc.integer({ min: -20_000, max: 20_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.constantFrom(selfConsumption, peakShaving),
        (storedWh, net, p, controller) => {
          const d = decideBattery(controller, { storedWh }, net, price(p));
          const lim = batteryLimits(spec, { storedWh }, 15);
          expect(d.chargeWh).toBeGreaterThanOrEqual(0);
          expect(d.dischargeWh).toBeGreaterThanOrEqual(0);
          expect(d.chargeWh === 0 || d.dischargeWh === 0).toBe(true);
          expect(d.chargeWh).toBeLessThanOrEqual(lim.maxChargeWh);
          expect(d.dischargeWh).toBeLessThanOrEqual(lim.maxDischargeWh);
          expect(Number.isInteger(d.chargeWh) && Number.isInteger(d.dischargeWh)).toBe(true);
        },
      ),
    );
  });
});
