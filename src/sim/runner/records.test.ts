import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { computeKpis } from '../report/kpis.ts';
import { buildCity } from './city.ts';
import type { IntervalSettlementView, MarketOutcome } from './market/backend.ts';
import { type SimulatedInterval, tradingRecords } from './records.ts';
import { smallScenario } from './smallCity.fixture.ts';

const city = buildCity(smallScenario(), { baseDir: '.' });
const ids = city.microgrids[0]?.members.map((m) => m.id) ?? [];

// One interval by hand: 'pv' produced 1,200 Wh (PV), 'pv-bat' charged its battery 300 Wh (290
// stored, 10 lost) from its 500 Wh of PV, everyone used 100 Wh; losses 20 Wh.
// Meters: pv +1,200 produced; pv-bat produced 500, consumed 100 + 300; others consumed 100.
// Members' net: consumed 900 − produced 1,700 = −800; PCC export 800 − 20 = 780.
const sim: SimulatedInterval = {
  interval: 0,
  startMs: city.grid.startMs,
  pvWh: 1700,
  windWh: 0,
  consumptionWh: 600,
  batteryAcWh: 300,
  storageLossesWh: 10,
  storageDeltaWh: 290,
  lossesWh: 20,
  maxLineLoadingPct: 12.5,
};

function settlement(): IntervalSettlementView {
  return {
    interval: 0,
    pcc: { importWh: 0, exportWh: 780 },
    lossesWh: 20,
    tradedWh: 400,
    mintedUc: 4000,
    treasuryUc: 20_000,
    members: ids.map((id) => ({
      memberId: id,
      producedWh: id === 'pv' ? 1200 : id === 'pv-bat' ? 500 : 0,
      consumedWh: id === 'pv-bat' ? 400 : 100,
      renewableWh: id === 'pv' ? 1200 : id === 'pv-bat' ? 500 : 0,
      soldWh: id === 'pv' ? 400 : 0,
      boughtWh: id === 'plain-a' ? 400 : 0,
      billUc: id === 'pv' ? -60_000 : id === 'plain-a' ? 70_000 : 0,
      mintUc: id === 'pv' ? 4000 : 0,
    })),
  };
}

function outcome(s: IntervalSettlementView): MarketOutcome {
  return {
    settlements: [s],
    clearings: [{ interval: 0, priceUcPerKwh: 150_000, curtailedWh: 0 }],
    chain: { height: 9, blocks: 9, transactions: 40, meanFinalityMs: 0, p50FinalityMs: 0 },
    mintedUc: 4000,
    treasuryUc: 20_000,
  };
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GridLedgerError) return e.code;
    throw e;
  }
  return 'none';
}

describe('tradingRecords', () => {
  it('takes energy at the meters and the PCC, trades, bills and mints from the market, the rest from behind the meter', () => {
    const r = tradingRecords(city, [{ simulated: [sim], outcome: outcome(settlement()) }]);
    const mg = r.microgrids[0];
    expect(mg?.intervals[0]).toEqual({
      interval: 0,
      startMs: city.grid.startMs,
      consumptionWh: 600,
      productionWh: { pv: 1700, wind: 0 },
      localTradedWh: 400,
      pccImportWh: 0,
      pccExportWh: 780,
      lossesWh: 20,
      storageLossesWh: 10,
      storageDeltaWh: 290,
      curtailedWh: 0,
      maxLineLoadingPct: 12.5,
      priceUcPerKwh: 150_000,
    });
    expect(mg?.members.find((m) => m.memberId === 'pv')).toEqual({ memberId: 'pv', bus: 5, billUc: -60_000, mintedUc: 4000, soldWh: 400, boughtWh: 0 });
    expect(mg?.chain?.height).toBe(9);
    expect(() => computeKpis(r)).not.toThrow();
  });

  it('stops when the market\'s meters and the simulation disagree', () => {
    const renewable = settlement();
    const first = renewable.members[0];
    if (first === undefined) throw new Error('no member');
    first.renewableWh -= 1;
    first.producedWh -= 1;
    expect(code(() => tradingRecords(city, [{ simulated: [sim], outcome: outcome(renewable) }]))).toBe('SIM_CHAIN_MISMATCH');
    const use = settlement();
    const last = use.members[use.members.length - 1];
    if (last === undefined) throw new Error('no member');
    last.consumedWh += 5;
    expect(code(() => tradingRecords(city, [{ simulated: [sim], outcome: outcome(use) }]))).toBe('SIM_CHAIN_MISMATCH');
    expect(code(() => tradingRecords(city, [{ simulated: [sim], outcome: outcome({ ...settlement(), lossesWh: 21 }) }]))).toBe('SIM_CHAIN_MISMATCH');
  });

  it('stops when an interval was never settled', () => {
    expect(code(() => tradingRecords(city, [{ simulated: [sim], outcome: { ...outcome(settlement()), settlements: [] } }]))).toBe('SIM_NOT_SETTLED');
  });
});
