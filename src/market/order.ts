/**
 * The market's inputs: orders and standing-contract deliveries for one interval (DESIGN.md
 * section 2). Every number is an integer: energy in Wh, prices in µc per kWh, bus ids as in the
 * feeder model.
 */
export type Side = 'ask' | 'bid';

export interface Order {
  /** Unique within the book; ties in merit order break by it (plain code-unit order). */
  id: string;
  side: Side;
  /** The member that placed it; contracts consume their parties' orders by it. */
  owner: string;
  /** Feeder bus the energy is injected at (ask) or withdrawn from (bid). */
  bus: number;
  energyWh: number;
  /** Limit price: an ask sells at or above it, a bid buys at or below it. */
  priceUcPerKwh: number;
  /** Firm energy flows whether or not it trades; flexible energy flows only if traded. */
  flexible: boolean;
  interval: number;
}

/**
 * `surplus`: deliver only what the seller's firm asks (its forecast surplus) cover.
 * `spare_capacity`: a flexible delivery that uses only spare line capacity, so the grid check
 * cuts it before any auction trade.
 */
export type DeliveryCondition = 'surplus' | 'spare_capacity';

/** One interval's delivery under a standing bilateral contract, scheduled before the auction. */
export interface ContractDelivery {
  contractId: string;
  seller: string;
  buyer: string;
  sellerBus: number;
  buyerBus: number;
  energyWh: number;
  priceUcPerKwh: number;
  flexible: boolean;
  condition?: DeliveryCondition;
}

export interface OrderBook {
  orders: Order[];
  deliveries: ContractDelivery[];
}

/** Code-unit order of ids: locale-independent, so every validator sorts alike. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
