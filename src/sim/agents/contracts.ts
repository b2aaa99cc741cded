/**
 * Standing bilateral contracts some households hold: a PV household without a battery sells a
 * neighbour without PV a fixed amount per interval (a share of the buyer's mean use) from its
 * surplus (condition "surplus": nothing is delivered when the seller's forecast has no surplus),
 * firm, at the middle of the price band, for the whole run. Pairs are drawn with the microgrid's
 * seeded stream; about one household in five holds a contract (one in ten sells, one in ten
 * buys, rounded: a microgrid of 6 has one pair).
 */
import type { Rng } from '../random.ts';
import type { PriceBand } from './pricing.ts';

export interface ContractPlan {
  seller: string;
  buyer: string;
  energyWhPerInterval: number;
  priceUcPerKwh: number;
  flexible: boolean;
  condition: 'surplus';
}

export interface ContractCandidate {
  id: string;
  hasPv: boolean;
  hasBattery: boolean;
  /** Mean consumption per interval, Wh. */
  meanConsumptionWh: number;
}

export const CONTRACT_PAIR_SHARE = 0.1;
/** Share of the buyer's mean consumption per interval a contract delivers: low enough that the buyer uses it all nearly always (a kWh delivered and not used is sold back at feed-in). */
export const CONTRACT_SHARE_OF_BUYER_MEAN = 0.4;

export function planContracts(households: readonly ContractCandidate[], band: PriceBand, rng: Rng): ContractPlan[] {
  const sellers = shuffle(households.filter((h) => h.hasPv && !h.hasBattery).map((h) => h.id), rng);
  const buyers = shuffle(households.filter((h) => !h.hasPv).map((h) => h.id), rng);
  const pairs = Math.min(sellers.length, buyers.length, Math.round(CONTRACT_PAIR_SHARE * households.length));
  const meanOf = new Map(households.map((h) => [h.id, h.meanConsumptionWh]));
  const priceUcPerKwh = band.askFloorUcPerKwh + Math.floor((band.bidCapUcPerKwh - band.askFloorUcPerKwh) / 2);
  return Array.from({ length: pairs }, (_, i) => ({
    seller: sellers[i] as string,
    buyer: buyers[i] as string,
    energyWhPerInterval: Math.max(1, Math.floor(CONTRACT_SHARE_OF_BUYER_MEAN * (meanOf.get(buyers[i] as string) ?? 0))),
    priceUcPerKwh,
    flexible: false,
    condition: 'surplus' as const,
  }));
}

/** Fisher-Yates on a sorted copy, so the result depends only on the ids and the stream. */
function shuffle(ids: readonly string[], rng: Rng): string[] {
  const a = [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.intBelow(i + 1);
    [a[i], a[j]] = [a[j] as string, a[i] as string];
  }
  return a;
}
