/**
 * A hand-worked city for the report tests: 2 microgrids × 4 intervals of 15 min. Every interval
 * closes by hand (production + import = consumption + export + losses + storage losses + storage
 * change); the expected figures are worked out in the tests' comments.
 */
import type { IntervalRecord, MemberRecord, MicrogridRecord, RunRecords } from './types.ts';

export const INTERVAL_MS = 900_000;
const T0 = Date.UTC(2025, 5, 21, 0, 0);

type Row = [cons: number, pv: number, wind: number, imp: number, exp: number, losses: number, storageLosses: number, storageDelta: number];

function intervals(rows: Row[], traded: number[], curtailed: number[], loading: Array<number | null>, price: Array<number | null>): IntervalRecord[] {
  return rows.map(([cons, pv, wind, imp, exp, losses, sl, delta], k) => ({
    interval: 100 + k,
    startMs: T0 + k * INTERVAL_MS,
    consumptionWh: cons,
    productionWh: { pv, wind },
    localTradedWh: traded[k] ?? 0,
    pccImportWh: imp,
    pccExportWh: exp,
    lossesWh: losses,
    storageLossesWh: sl,
    storageDeltaWh: delta,
    curtailedWh: curtailed[k] ?? 0,
    maxLineLoadingPct: loading[k] ?? null,
    priceUcPerKwh: price[k] ?? null,
  }));
}

//                 cons    pv  wind   imp   exp  loss  sl  delta      in = out
const NORTH: Row[] = [
  [1000, 0, 200, 850, 0, 30, 0, 20], //  1050 = 1000+30+20
  [1200, 1500, 100, 0, 300, 40, 10, 50], //  1600 = 1200+300+40+10+50
  [800, 900, 0, 100, 150, 20, 0, 30], //  1000 = 800+150+20+30
  [1500, 0, 100, 1330, 0, 20, 10, -100], //  1430 = 1500+20+10-100
];
const SOUTH: Row[] = [
  [900, 0, 0, 910, 0, 10, 0, 0], //   910 = 900+10
  [500, 2000, 0, 0, 1200, 50, 30, 220], //  2000 = 500+1200+50+30+220
  [700, 1200, 0, 0, 400, 20, 10, 70], //  1200 = 700+400+20+10+70
  [900, 0, 0, 640, 0, 10, 20, -290], //   640 = 900+10+20-290
];

const member = (memberId: string, bus: number, billUc: number, mintedUc = 0, soldWh = 0, boughtWh = 0): MemberRecord => ({
  memberId,
  bus,
  billUc,
  mintedUc,
  soldWh,
  boughtWh,
});

export function tradingCity(): RunRecords {
  const north: MicrogridRecord = {
    name: 'north',
    intervals: intervals(NORTH, [100, 400, 300, 200], [0, 50, 0, 25], [40.5, 72.25, 55, null], [200_000, 180_000, null, 250_000]),
    members: [member('a', 3, 500_000, 40_000, 700, 0), member('b', 5, -200_000, 0, 300, 200), member('c', 7, 300_000, 0, 0, 800)],
    chain: { height: 57, blocks: 55, transactions: 412, meanFinalityMs: 820.5, p50FinalityMs: 640 },
    mintedUc: 40_000,
    treasuryUc: 12_000,
  };
  const south: MicrogridRecord = {
    name: 'south',
    intervals: intervals(SOUTH, [0, 500, 300, 100], [0, 0, 0, 0], [30, 95.5, 60, 35], [null, 150_000, 160_000, 240_000]),
    members: [member('d', 2, 100_000, 60_000, 900, 0), member('e', 4, -400_000, 0, 0, 900)],
    chain: { height: 40, blocks: 40, transactions: 230, meanFinalityMs: 700, p50FinalityMs: 610 },
    mintedUc: 60_000,
    treasuryUc: 8_000,
  };
  return { intervalMs: INTERVAL_MS, microgrids: [north, south] };
}

/**
 * The same city without trading: same energy flows (a simplification for the tests), nothing
 * traded, no chain. Bills: a 450,000 (trading 500,000: worse off), b -100,000 (better), c 300,000
 * (equal: not worse off), d 150,000 (better), e -450,000 (trading -400,000: earns less, worse off).
 */
export function baselineCity(): RunRecords {
  const none = [0, 0, 0, 0];
  const nulls = [null, null, null, null];
  return {
    intervalMs: INTERVAL_MS,
    microgrids: [
      {
        name: 'north',
        intervals: intervals(NORTH, none, none, [41, 70, 55, 60], nulls),
        members: [member('c', 7, 300_000), member('a', 3, 450_000), member('b', 5, -100_000)],
        chain: null,
        mintedUc: 0,
        treasuryUc: 0,
      },
      {
        name: 'south',
        intervals: intervals(SOUTH, none, none, nulls, nulls),
        members: [member('d', 2, 150_000), member('e', 4, -450_000)],
        chain: null,
        mintedUc: 0,
        treasuryUc: 0,
      },
    ],
  };
}
