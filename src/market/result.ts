/** What a clearing returns (the `market clear --json` fields, in camelCase with units). */

export interface Trade {
  ask: string;
  bid: string;
  energyWh: number;
  /** Greedy: the clearing price. Optimal: the seller's locational price. */
  priceUcPerKwh: number;
  /** Optimal mode only: the buyer's locational price. */
  buyerPriceUcPerKwh?: number;
}

export interface Delivery {
  contractId: string;
  seller: string;
  buyer: string;
  energyWh: number;
  priceUcPerKwh: number;
}

export interface Curtailment {
  ask: string;
  bid: string;
  /** Set when the cut volume was a contract delivery. */
  contractId?: string;
  energyWh: number;
  reason: string;
}

/** A limit the firm schedule breaks by itself: the market cannot cure it; the operator must. */
export interface GridAlert {
  kind: 'current' | 'apparent' | 'voltage_high' | 'voltage_low' | 'pcc' | 'not_converged';
  element: string;
  value: number;
  limit: number;
  unit: string;
  message: string;
}

export interface ClearingResult {
  /** null when the auction matched nothing. Unchanged by curtailment (no repricing). */
  clearingPriceUcPerKwh: number | null;
  /** Auction volume after the grid check. */
  matchedWh: number;
  /** Σ floor((bid limit − ask limit) × Wh / 1000) over auction trades after the grid check. */
  welfareUc: number;
  trades: Trade[];
  deliveries: Delivery[];
  curtailed: Curtailment[];
  alerts: GridAlert[];
}
