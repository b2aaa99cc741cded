/**
 * A congested interval on chain, on the Kerber rural LV feeder (data/feeders/kerber-landnetz-pv.json),
 * the case of src/market/gridCheck.test.ts with every party a member, settled to the µc.
 *
 * Members: batteries bat-a and bat-b at bus 3 (behind line 1: bus 2 → 3, NAYY 4x50, 141 A),
 * households h27 and h29 on the other feeder (buses 27, 29). Prices in µc/kWh; params as in the
 * worked example (retail 300,000, grid fee 20,000, tax 10 %, every fee 1,000 µc).
 *   asks bat-a 12,000 Wh @150,000 flexible, bat-b 16,000 Wh @160,000 flexible
 *   bids h27 14,000 Wh @300,000 firm, h29 14,000 Wh @280,000 firm
 *   Auction: bat-a/h27 12,000, bat-b/h27 2,000, bat-b/h29 14,000; price floor((160,000 +
 *   280,000) / 2) = 220,000. 28 kWh in 15 min is 112 kW through line 1, about 157 A > 141 A.
 *   Hand-worked cut (docs/market.md): line 1 carries √3 × 0.405 kV × 141 A ≈ 99.0 kVA, plus bus 3's
 *   1.26 kW load the batteries may inject ≈ 100.2 kW = 25.06 kWh: X ≈ 28.00 − 25.06 ≈ 2.94 kWh,
 *   all from bat-b/h29 (same sensitivity as bat-a, larger volume). The AC check decides the exact
 *   Wh; every figure below is in terms of the X it recorded on chain.
 * Delivery: a flexible order flows only as traded: bat-a produces 12,000, bat-b 16,000 − X;
 * h27 and h29 consume 14,000 each (firm). h29's X Wh come from the main grid.
 * Settlement (220,000 µc/kWh is 220 µc/Wh, so every value is exact):
 *   h27: pays 12,000 × 220 + 2,000 × 220 = 3,080,000, fee 14,000 × 20 = 280,000, tax 308,000
 *        → −3,668,000, fee 1,000: −3,669,000
 *   h29: pays (14,000 − X) × 220, fee (14,000 − X) × 20, tax (14,000 − X) × 22, grid X × 300
 *        → −(262 × (14,000 − X) + 300 × X) − 1,000
 *   bat-a: +2,640,000 − 1,000; bat-b: +(2,000 + 14,000 − X) × 220 − 1,000 (no mint: not renewable)
 *   main grid +300 × X; treasury 280,000 + 308,000 + 42 × (14,000 − X).
 * PCC: members import X net; the feeder's own loads and PV (the background) add L − G; with 300 Wh
 * of losses the PCC meter reads net X + L − G + 300 (an export here: the background PV is larger).
 */
import { describe, expect, it } from 'vitest';
import { loadFeeder } from '../../grid/import/feederFile.ts';
import { toHex } from '../bytes.ts';
import type { Signer } from '../keys.ts';
import { marketCodecs, marketKeys } from './records.ts';
import { marketNet, WORKED_RATES } from './testkit.ts';

const kerber = loadFeeder('data/feeders/kerber-landnetz-pv.json');
const MARKET = WORKED_RATES;
const FEES = { baseUc: 1_000, perByteUc: 0 };

// The background, worked independently of the code under test: Σ kW × 0.25 h.
const loadWh = Math.round(kerber.loads.reduce((s, l) => s + (l.inService ? l.pKw : 0), 0) * 250);
const genWh = Math.round(kerber.sgens.reduce((s, g) => s + (g.inService ? g.pKw : 0), 0) * 250);

describe('a congested interval on the Kerber feeder, on chain', () => {
  const m = marketNet({
    feeder: kerber,
    members: [
      { label: 'bat-a', bus: 3, exportLimitW: 50_000, importLimitW: 50_000 },
      { label: 'bat-b', bus: 3, exportLimitW: 70_000, importLimitW: 70_000 },
      { label: 'h27', bus: 27, exportLimitW: 0, importLimitW: 60_000 },
      { label: 'h29', bus: 29, exportLimitW: 0, importLimitW: 60_000 },
    ],
    market: MARKET,
    fees: FEES,
  });
  const { net, mp } = m;
  const [batA, batB, h27, h29] = ['bat-a', 'bat-b', 'h27', 'h29'].map((l) => m.member(l));
  if (batA === undefined || batB === undefined || h27 === undefined || h29 === undefined) throw new Error('fixture');
  const who: Signer[] = [batA.signer, batB.signer, h27.signer, h29.signer];
  const before = who.map((s) => m.balance(s.address));
  const grid0 = m.balance(mp.mainGridAddress);
  const treasury0 = m.balance(mp.treasuryAddress);
  const k = 1;
  const order = (side: 'ask' | 'bid', bus: number, energyWh: number, priceUcPerKwh: number, flexible: boolean) => ({ side, bus, energyWh, priceUcPerKwh, flexible, fromInterval: k, intervals: 1 });
  const placed = m.blockAt(m.start(0) + 10_000, [
    net.tx(batA.signer, 'order', order('ask', 3, 12_000, 150_000, true)),
    net.tx(batB.signer, 'order', order('ask', 3, 16_000, 160_000, true)),
    net.tx(h27.signer, 'order', order('bid', 27, 14_000, 300_000, false)),
    net.tx(h29.signer, 'order', order('bid', 29, 14_000, 280_000, false)),
  ]);
  m.blockAt(m.gateClosure(k));
  const clearing = m.clearing(k);
  const X = clearing?.curtailed[0]?.energyWh ?? 0;
  const pccNet = X + loadWh - genWh + 300;
  const read = m.blockAt(m.end(k), [
    net.tx(batA.meter, 'meter_reading', { interval: k, producedWh: 12_000, consumedWh: 0, renewableWh: 0 }),
    net.tx(batB.meter, 'meter_reading', { interval: k, producedWh: 16_000 - X, consumedWh: 0, renewableWh: 0 }),
    net.tx(h27.meter, 'meter_reading', { interval: k, producedWh: 0, consumedWh: 14_000, renewableWh: 0 }),
    net.tx(h29.meter, 'meter_reading', { interval: k, producedWh: 0, consumedWh: 14_000, renewableWh: 0 }),
    net.tx(net.chain.operator, 'pcc_reading', { interval: k, importWh: Math.max(0, pccNet), exportWh: Math.max(0, -pccNet) }),
  ]);
  m.blockAt(m.deadline(k));
  const settlement = m.settlement(k);

  it('accepts the orders and readings', () => {
    expect([...placed.txResults, ...read.txResults].map((r) => r.error ?? 'ok')).toEqual(Array(9).fill('ok'));
  });

  it('cuts the hand-worked ≈ 2.94 kWh from bat-b/h29, with its reason, and keeps the price', () => {
    expect(clearing?.status).toBe('cleared');
    expect(clearing?.curtailed).toHaveLength(1);
    const cut = clearing?.curtailed[0];
    expect(cut?.reason).toMatch(/^line 1 current 15\d\.\d A > 141\.0 A$/);
    expect(X).toBeGreaterThan(2_850);
    expect(X).toBeLessThan(3_050);
    expect(clearing?.clearingPriceUcPerKwh).toBe(220_000);
    expect(clearing?.trades.map((t) => [toHex(t.seller), toHex(t.buyer), t.energyWh, t.priceUcPerKwh])).toEqual([
      [toHex(batA.signer.address), toHex(h27.signer.address), 12_000, 220_000],
      [toHex(batB.signer.address), toHex(h27.signer.address), 2_000, 220_000],
      [toHex(batB.signer.address), toHex(h29.signer.address), 14_000 - X, 220_000],
    ]);
    expect(clearing?.alerts).toEqual([]);
  });

  it('schedules the batteries by what still trades and the households in full', () => {
    const net = new Map(clearing?.schedule.map((s) => [toHex(s.member), s.netWh]));
    expect(net.get(toHex(batA.signer.address))).toBe(12_000);
    expect(net.get(toHex(batB.signer.address))).toBe(16_000 - X);
    expect(net.get(toHex(h27.signer.address))).toBe(-14_000);
    expect(net.get(toHex(h29.signer.address))).toBe(-14_000);
  });

  it('supplies h29\'s cut energy from the main grid, and matches the PCC within the loss model', () => {
    expect(settlement?.status).toBe('settled');
    expect(settlement?.grid).toEqual({ importWh: X, exportWh: 0 });
    expect(settlement?.background).toEqual({ loadWh, generationWh: genWh });
    expect(settlement?.lossesWh).toBe(300);
    const h29s = settlement?.members.find((s) => toHex(s.member) === toHex(h29.signer.address));
    expect(h29s).toMatchObject({ boughtWh: 14_000 - X, gridImportWh: X, deviationWh: 0 });
  });

  it('ends every balance as hand-worked', () => {
    const after = who.map((s) => m.balance(s.address));
    const d = after.map((a, i) => a - (before[i] as number));
    expect(d).toEqual([2_640_000 - 1_000, (16_000 - X) * 220 - 1_000, -3_669_000, -(262 * (14_000 - X) + 300 * X) - 1_000]);
    expect(m.balance(mp.mainGridAddress) - grid0).toBe(300 * X);
    expect(m.balance(mp.treasuryAddress) - treasury0).toBe(588_000 + 42 * (14_000 - X));
  });
});

describe('a violation the firm schedule causes alone, on chain', () => {
  // pv at bus 3 offers 30 kWh firm: 120 kW through line 1 (141 A) whatever trades, about 168 A.
  // The market cannot cure it: the clearing records an alert for the operator (state and event),
  // trades stay, and the interval settles as usual.
  const m = marketNet({
    feeder: kerber,
    members: [
      { label: 'pv', bus: 3, exportLimitW: 130_000, importLimitW: 10_000 },
      { label: 'h27', bus: 27, exportLimitW: 0, importLimitW: 60_000 },
      { label: 'h29', bus: 29, exportLimitW: 0, importLimitW: 60_000 },
    ],
    market: MARKET,
    fees: FEES,
  });
  const { net } = m;
  const k = 1;
  const o = (side: 'ask' | 'bid', bus: number, energyWh: number, priceUcPerKwh: number) => ({ side, bus, energyWh, priceUcPerKwh, flexible: false, fromInterval: k, intervals: 1 });
  m.blockAt(m.start(0) + 10_000, [
    net.tx(m.member('pv').signer, 'order', o('ask', 3, 30_000, 50_000)),
    net.tx(m.member('h27').signer, 'order', o('bid', 27, 14_000, 300_000)),
    net.tx(m.member('h29').signer, 'order', o('bid', 29, 14_000, 280_000)),
  ]);
  const cleared = m.blockAt(m.gateClosure(k));

  it('records the alert on chain, with the firm-only value', () => {
    const alerts = m.record(marketKeys.alerts(k), marketCodecs.alerts);
    expect(alerts?.alerts).toHaveLength(1);
    const a = alerts?.alerts[0];
    expect(a?.kind).toBe('current');
    expect(a?.element).toBe('line 1');
    expect(a?.limit).toBe(141_000);
    expect(a?.value).toBeGreaterThan(167_000);
    expect(a?.value).toBeLessThan(170_000);
    expect(m.clearing(k)?.alerts).toEqual(alerts?.alerts);
    expect(cleared.events.filter((e) => e.type === 'grid_alert').map((e) => e.attributes['element'])).toEqual(['line 1']);
  });

  it('keeps the firm trades (nothing flexible to cut)', () => {
    expect(m.clearing(k)?.curtailed).toEqual([]);
    expect(m.clearing(k)?.trades.map((t) => t.energyWh)).toEqual([14_000, 14_000]);
  });
});
