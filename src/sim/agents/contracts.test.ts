import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { CONTRACT_SHARE_OF_BUYER_MEAN, planContracts } from './contracts.ts';

const band = { askFloorUcPerKwh: 81_000, bidCapUcPerKwh: 217_487 };
const households = Array.from({ length: 30 }, (_, i) => ({
  id: `h${String(i).padStart(2, '0')}`,
  hasPv: i % 2 === 0,
  hasBattery: i % 6 === 0,
  meanConsumptionWh: 100 + i,
}));

describe('standing contracts', () => {
  it('pairs PV households without a battery (sellers) with households without PV (buyers), one pair per ten', () => {
    const plans = planContracts(households, band, createRng(3));
    expect(plans).toHaveLength(3);
    const byId = new Map(households.map((h) => [h.id, h]));
    for (const p of plans) {
      expect(byId.get(p.seller)?.hasPv).toBe(true);
      expect(byId.get(p.seller)?.hasBattery).toBe(false);
      expect(byId.get(p.buyer)?.hasPv).toBe(false);
      expect(p.energyWhPerInterval).toBe(Math.floor(CONTRACT_SHARE_OF_BUYER_MEAN * (byId.get(p.buyer)?.meanConsumptionWh ?? 0)));
      expect(p).toMatchObject({ priceUcPerKwh: 81_000 + Math.floor((217_487 - 81_000) / 2), flexible: false, condition: 'surplus' });
    }
    expect(new Set(plans.map((p) => p.seller)).size).toBe(3);
    expect(new Set(plans.map((p) => p.buyer)).size).toBe(3);
  });

  it('draws the same pairs for the same stream, whatever order the households come in', () => {
    const a = planContracts(households, band, createRng(3));
    expect(planContracts([...households].reverse(), band, createRng(3))).toEqual(a);
    expect(planContracts(households, band, createRng(4))).not.toEqual(a);
  });

  it('makes none without sellers or buyers', () => {
    expect(planContracts(households.filter((h) => h.hasPv), band, createRng(3))).toEqual([]);
  });
});
