import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solvePowerFlow } from '../../grid/powerflow/solve.ts';
import { loadMicrogridFeeder } from './feeder.ts';
import { type MemberFlow, netWithdrawalWh, simulateGridInterval } from './physics.ts';

const feeder = loadMicrogridFeeder('kerber-landnetz-pv', '.');
const buses = feeder.loadBusIds;

const flowArb: fc.Arbitrary<MemberFlow> = fc
  .record({
    bus: fc.constantFrom(...buses),
    pvWh: fc.integer({ min: 0, max: 3000 }),
    windWh: fc.integer({ min: 0, max: 1000 }),
    consumptionWh: fc.integer({ min: 0, max: 3000 }),
    batteryDeltaWh: fc.integer({ min: -1500, max: 1500 }),
    batteryLossWh: fc.integer({ min: 0, max: 150 }),
  })
  .map((f) => ({ ...f, batteryAcWh: f.batteryDeltaWh + f.batteryLossWh }));

describe('simulateGridInterval', () => {
  it('closes every interval exactly in integer Wh, and the PCC either imports or exports', () => {
    fc.assert(
      fc.property(fc.array(flowArb, { minLength: 1, maxLength: 12 }), (flows) => {
        const g = simulateGridInterval(feeder.model, flows, 15);
        expect(g.pvWh + g.windWh + g.pccImportWh).toBe(g.consumptionWh + g.pccExportWh + g.lossesWh + g.storageLossesWh + g.storageDeltaWh);
        expect(g.pccImportWh === 0 || g.pccExportWh === 0).toBe(true);
        expect(g.lossesWh).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('takes the losses from an AC power flow of the members at their buses, and the PCC agrees with it', () => {
    const flows: MemberFlow[] = [
      { bus: 29, pvWh: 0, windWh: 0, consumptionWh: 2500, batteryAcWh: 0, batteryLossWh: 0, batteryDeltaWh: 0 },
      { bus: 3, pvWh: 1800, windWh: 0, consumptionWh: 300, batteryAcWh: 500, batteryLossWh: 26, batteryDeltaWh: 474 },
    ];
    const g = simulateGridInterval(feeder.model, flows, 15);
    // the same schedule as mean power: bus 29 draws 10 kW, bus 3 injects 4 kW
    const pf = solvePowerFlow(feeder.model, { injections: [{ bus: 3, pKw: 4 }, { bus: 29, pKw: -10 }] });
    expect(g.lossesWh).toBe(Math.round((pf.lossKw * 1000) / 4));
    expect(g.lossesWh).toBeGreaterThan(0);
    // PCC: the members' net (2500 − 1000 = 1500 Wh) plus the losses; the flow's PCC power agrees within a Wh
    expect(g.pccImportWh).toBe(1500 + g.lossesWh);
    expect(Math.abs(g.pccImportWh - (pf.pcc.pKw * 1000) / 4)).toBeLessThan(1);
    expect(g.maxLineLoadingPct).toBeGreaterThan(0);
  });

  it('sees a member only through its meter: consumption + charging − production', () => {
    expect(netWithdrawalWh({ bus: 3, pvWh: 1000, windWh: 200, consumptionWh: 500, batteryAcWh: 300, batteryLossWh: 10, batteryDeltaWh: 290 })).toBe(-400);
  });

  it('refuses a battery step that does not close', () => {
    const bad = { bus: 3, pvWh: 0, windWh: 0, consumptionWh: 0, batteryAcWh: 100, batteryLossWh: 0, batteryDeltaWh: 90 };
    expect(() => simulateGridInterval(feeder.model, [bad], 15)).toThrow(/does not close/);
  });
});
