import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatterySpec, batteryLimits, batterySpec, DEFAULT_BATTERY_SIZING, stepBattery } from './battery.ts';

const home = batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 10, powerKw: 5 });

const specArb: fc.Arbitrary<BatterySpec> = fc
  .record({
    capacityWh: fc.integer({ min: 100, max: 200_000 }),
    powerW: fc.integer({ min: 100, max: 100_000 }),
    etaC: fc.integer({ min: 500_000, max: 1_000_000 }),
    etaD: fc.integer({ min: 500_000, max: 1_000_000 }),
    lo: fc.double({ min: 0, max: 0.4, noNaN: true }),
    hi: fc.double({ min: 0.6, max: 1, noNaN: true }),
  })
  .map((r) => ({
    capacityWh: r.capacityWh,
    maxChargeW: r.powerW,
    maxDischargeW: r.powerW,
    chargeEfficiencyPpm: r.etaC,
    dischargeEfficiencyPpm: r.etaD,
    minSocWh: Math.round(r.capacityWh * r.lo),
    maxSocWh: Math.round(r.capacityWh * r.hi),
  }));

describe('battery step', () => {
  it('closes energy exactly and respects power and SoC limits, for any sequence of requests', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.integer({ min: -200_000, max: 200_000 }), { minLength: 1, maxLength: 40 }), fc.constantFrom(5, 15, 60), (spec, requests, minutes) => {
        let state = { storedWh: spec.minSocWh };
        for (const request of requests) {
          const r = stepBattery(spec, state, request, minutes);
          // AC energy in = stored change + loss, in integers.
          expect(r.actualWh).toBe(r.state.storedWh - state.storedWh + r.lossWh);
          expect(Number.isSafeInteger(r.actualWh) && Number.isSafeInteger(r.lossWh)).toBe(true);
          expect(r.lossWh).toBeGreaterThanOrEqual(0);
          expect(r.state.storedWh).toBeGreaterThanOrEqual(spec.minSocWh);
          expect(r.state.storedWh).toBeLessThanOrEqual(spec.maxSocWh);
          // Never more than asked, never the other way.
          expect(Math.abs(r.actualWh)).toBeLessThanOrEqual(Math.abs(request));
          expect(r.actualWh * request).toBeGreaterThanOrEqual(0);
          expect(Math.abs(r.actualWh)).toBeLessThanOrEqual((spec.maxChargeW * minutes) / 60);
          state = r.state;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('delivers what the limits promise', () => {
    fc.assert(
      fc.property(specArb, fc.double({ min: 0, max: 1, noNaN: true }), (spec, f) => {
        const state = { storedWh: spec.minSocWh + Math.floor(f * (spec.maxSocWh - spec.minSocWh)) };
        const lim = batteryLimits(spec, state, 15);
        expect(stepBattery(spec, state, lim.maxChargeWh, 15).actualWh).toBe(lim.maxChargeWh);
        expect(stepBattery(spec, state, -lim.maxDischargeWh, 15).actualWh + lim.maxDischargeWh).toBe(0);
        // Asking for more is cut to the same.
        expect(stepBattery(spec, state, lim.maxChargeWh + 1, 15).actualWh).toBe(lim.maxChargeWh);
        // A full battery takes nothing, an empty one gives nothing.
        expect(batteryLimits(spec, { storedWh: spec.maxSocWh }, 15).maxChargeWh).toBe(0);
        expect(batteryLimits(spec, { storedWh: spec.minSocWh }, 15).maxDischargeWh).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('returns about the round-trip efficiency of what it was charged with', () => {
    let state = { storedWh: home.minSocWh };
    let charged = 0;
    for (let i = 0; i < 4; i++) {
      const r = stepBattery(home, state, 1000, 15);
      charged += r.actualWh;
      state = r.state;
    }
    let delivered = 0;
    let steps = 4;
    for (;;) {
      const r = stepBattery(home, state, -1_000_000, 15);
      if (r.actualWh === 0) break;
      delivered -= r.actualWh;
      state = r.state;
      steps++;
    }
    expect(charged).toBe(4000);
    // Integer rounding loses at most about 1 Wh per step, always to the loss side.
    expect(delivered).toBeLessThanOrEqual(0.9 * charged);
    expect(delivered).toBeGreaterThanOrEqual(0.9 * charged - steps - 2);
  });

  it('sizes a battery from kWh, kW and round-trip efficiency', () => {
    expect(home).toEqual({
      capacityWh: 10_000,
      maxChargeW: 5000,
      maxDischargeW: 5000,
      chargeEfficiencyPpm: Math.round(Math.sqrt(0.9) * 1e6),
      dischargeEfficiencyPpm: Math.round(Math.sqrt(0.9) * 1e6),
      minSocWh: 500,
      maxSocWh: 9500,
    });
    // 5 kW for 15 minutes is 1250 Wh.
    expect(batteryLimits(home, { storedWh: 5000 }, 15).maxChargeWh).toBe(1250);
    expect(() => batterySpec({ ...DEFAULT_BATTERY_SIZING, capacityKwh: 1, powerKw: 1, roundTripEfficiency: 1.2 })).toThrow(RangeError);
    expect(() => stepBattery(home, { storedWh: 5000 }, 1.5, 15)).toThrow(RangeError);
  });
});
