/**
 * The market's state records, all under `mkt/`: one zod schema and codec per kind, and the key
 * each lives under. No market record holds coin (settlement moves coin between accounts), so no
 * codec has `heldUc`. This file imports nothing of the ledger's records: the ledger's
 * `codecForKey` dispatches `mkt/` keys here.
 */
import { z } from 'zod';
import { toHex } from '../bytes.ts';
import { addressBytes } from '../schemas.ts';

interface MarketCodec<T> {
  readonly kind: string;
  readonly schema: z.ZodType<T>;
}

const uint = z.int().min(0);
const int = z.int();
export const ORDER_ID_RE = /^o\d{12}$/;
export const CONTRACT_ID_RE = /^c\d{12}$/;
export const orderId = z.string().regex(ORDER_ID_RE, 'order id: o and 12 digits');
export const contractId = z.string().regex(CONTRACT_ID_RE, 'contract id: c and 12 digits');
export const deliveryCondition = z.enum(['none', 'surplus', 'spare_capacity']);

/** Which intervals have been cleared and settled (the end blocker's cursor). */
export const clockSchema = z.strictObject({ nextClear: uint, nextSettle: uint });
export type MarketClock = z.infer<typeof clockSchema>;

/** Counters for ids: ids sort in the order they were given (ties in merit order go to the earlier). */
export const sequenceSchema = z.strictObject({ nextOrder: uint, nextContract: uint });
export type MarketSequence = z.infer<typeof sequenceSchema>;

export const orderSchema = z.strictObject({
  id: orderId,
  owner: addressBytes,
  side: z.enum(['ask', 'bid']),
  bus: int,
  /** Per interval. */
  energyWh: z.int().min(1),
  priceUcPerKwh: uint,
  flexible: z.boolean(),
  fromInterval: uint,
  /** Last interval the order is in (lowered by a cancellation). */
  lastInterval: uint,
  placedHeight: uint,
});
export type MarketOrder = z.infer<typeof orderSchema>;

/** Who takes part in interval k: every member with an order or a reading for it, sorted. */
export const intervalIndexSchema = z.strictObject({ members: z.array(addressBytes) });
export type IntervalIndex = z.infer<typeof intervalIndexSchema>;

export const meterValuesSchema = z.strictObject({ producedWh: uint, consumedWh: uint, renewableWh: uint });

/** One member's part of interval k: its open orders (and their sums) and its meter reading. */
export const positionSchema = z.strictObject({
  askWh: uint,
  bidWh: uint,
  orders: z.array(orderId),
  reading: meterValuesSchema.nullable(),
});
export type Position = z.infer<typeof positionSchema>;

export const pccReadingSchema = z.strictObject({ importWh: uint, exportWh: uint, height: uint });
export type PccReading = z.infer<typeof pccReadingSchema>;

export const contractSchema = z.strictObject({
  id: contractId,
  seller: addressBytes,
  buyer: addressBytes,
  sellerBus: int,
  buyerBus: int,
  energyWh: z.int().min(1),
  priceUcPerKwh: uint,
  fromInterval: uint,
  toInterval: uint,
  flexible: z.boolean(),
  condition: deliveryCondition,
  noticeIntervals: uint,
  status: z.enum(['proposed', 'active', 'terminated']),
  proposer: addressBytes,
  createdHeight: uint,
  /** First interval whose gate was open when the contract was accepted. */
  activeFrom: uint.nullable(),
  /** Last interval it delivers in (toInterval, or earlier after a termination). */
  endInterval: uint,
});
export type Contract = z.infer<typeof contractSchema>;

/** Proposed and delivering contracts, sorted by id. */
export const contractIndexSchema = z.strictObject({ ids: z.array(contractId) });
export type ContractIndex = z.infer<typeof contractIndexSchema>;

export const alertSchema = z.strictObject({
  kind: z.enum(['current', 'apparent', 'voltage_high', 'voltage_low', 'pcc', 'not_converged', 'clearing_failed', 'settlement_failed']),
  element: z.string(),
  value: int,
  limit: int,
  unit: z.string(),
  message: z.string(),
});
export type MarketAlert = z.infer<typeof alertSchema>;

export const settledTradeSchema = z.strictObject({
  kind: z.enum(['contract', 'auction']),
  contractId: contractId.nullable(),
  ask: orderId.nullable(),
  bid: orderId.nullable(),
  seller: addressBytes,
  buyer: addressBytes,
  sellerBus: int,
  buyerBus: int,
  energyWh: z.int().min(1),
  priceUcPerKwh: uint,
  /** Lines between the two buses (the per-line grid fee); −1 if the feeder does not connect them. */
  linesCrossed: z.int().min(-1),
});
export type ClearedTrade = z.infer<typeof settledTradeSchema>;

export const clearingSchema = z.strictObject({
  interval: uint,
  /** missed: no block between gate closure and start; failed: the clearing threw (alerted). */
  status: z.enum(['cleared', 'missed', 'failed']),
  clearingPriceUcPerKwh: uint.nullable(),
  trades: z.array(settledTradeSchema),
  curtailed: z.array(
    z.strictObject({ ask: z.string(), bid: z.string(), contractId: contractId.nullable(), energyWh: z.int().min(1), reason: z.string() }),
  ),
  /** Net injection scheduled per member (+ exports), sorted by member. */
  schedule: z.array(z.strictObject({ member: addressBytes, netWh: int })),
  alerts: z.array(alertSchema),
  feederVersion: uint.nullable(),
  height: uint,
});
export type ClearingRecord = z.infer<typeof clearingSchema>;

export const alertListSchema = z.strictObject({ alerts: z.array(alertSchema) });
export type AlertList = z.infer<typeof alertListSchema>;

export const memberSettlementSchema = z.strictObject({
  member: addressBytes,
  metered: z.boolean(),
  producedWh: uint,
  consumedWh: uint,
  renewableWh: uint,
  scheduledNetWh: int,
  actualNetWh: int,
  deviationWh: int,
  soldWh: uint,
  boughtWh: uint,
  gridImportWh: uint,
  gridExportWh: uint,
  salesUc: uint,
  purchasesUc: uint,
  gridFeeUc: uint,
  taxUc: uint,
  gridCostUc: uint,
  gridRevenueUc: uint,
  penaltyUc: uint,
  mintUc: uint,
  mintHeldUc: uint,
  netUc: int,
  /** What the member could not pay: the main grid covered it, the member owes it (debt). */
  shortfallUc: uint,
  /** Earlier debt paid back to the main grid in this settlement. */
  debtRepaidUc: uint,
});
export type MemberSettlementRecord = z.infer<typeof memberSettlementSchema>;

export const settlementSchema = z.strictObject({
  interval: uint,
  status: z.enum(['settled', 'flagged', 'failed']),
  flagReason: z.string().nullable(),
  grid: z.strictObject({ importWh: uint, exportWh: uint }),
  pcc: z.strictObject({ importWh: uint, exportWh: uint }).nullable(),
  lossesWh: int.nullable(),
  allowedLossMinWh: int,
  allowedLossMaxWh: int.nullable(),
  background: z.strictObject({ loadWh: int, generationWh: int }),
  members: z.array(memberSettlementSchema),
  totals: z.strictObject({
    tradedWh: uint,
    tradeValueUc: uint,
    gridFeeUc: uint,
    taxUc: uint,
    penaltyUc: uint,
    mintedUc: uint,
    mintHeldUc: uint,
    mainGridNetUc: int,
    treasuryUc: uint,
  }),
  height: uint,
});
export type SettlementRecord = z.infer<typeof settlementSchema>;

/** A member's market bookkeeping: intervals not yet settled it takes part in, and its debt. */
export const memberMarketSchema = z.strictObject({ openIntervals: z.array(uint), debtUc: uint });
export type MemberMarket = z.infer<typeof memberMarketSchema>;

function codec<T>(kind: string, schema: z.ZodType<T>): MarketCodec<T> {
  return { kind, schema };
}

export const marketCodecs = {
  clock: codec<MarketClock>('market.clock', clockSchema),
  sequence: codec<MarketSequence>('market.sequence', sequenceSchema),
  order: codec<MarketOrder>('market.order', orderSchema),
  intervalIndex: codec<IntervalIndex>('market.intervalIndex', intervalIndexSchema),
  position: codec<Position>('market.position', positionSchema),
  pcc: codec<PccReading>('market.pcc', pccReadingSchema),
  contract: codec<Contract>('market.contract', contractSchema),
  contractIndex: codec<ContractIndex>('market.contractIndex', contractIndexSchema),
  clearing: codec<ClearingRecord>('market.clearing', clearingSchema),
  alerts: codec<AlertList>('market.alerts', alertListSchema),
  settlement: codec<SettlementRecord>('market.settlement', settlementSchema),
  member: codec<MemberMarket>('market.member', memberMarketSchema),
} as const;

export const marketKeys = {
  clock: 'mkt/clock',
  sequence: 'mkt/seq',
  contractIndex: 'mkt/contracts',
  order: (id: string): string => `mkt/order/${id}`,
  intervalIndex: (k: number): string => `mkt/iv/${k}`,
  position: (k: number, member: Uint8Array): string => `mkt/pos/${k}/${toHex(member)}`,
  pcc: (k: number): string => `mkt/pcc/${k}`,
  contract: (id: string): string => `mkt/contract/${id}`,
  clearing: (k: number): string => `mkt/clr/${k}`,
  alerts: (k: number): string => `mkt/alert/${k}`,
  settlement: (k: number): string => `mkt/stl/${k}`,
  member: (member: Uint8Array): string => `mkt/mem/${toHex(member)}`,
} as const;

const byKind: Record<string, MarketCodec<unknown>> = {
  clock: marketCodecs.clock as MarketCodec<unknown>,
  seq: marketCodecs.sequence as MarketCodec<unknown>,
  contracts: marketCodecs.contractIndex as MarketCodec<unknown>,
  order: marketCodecs.order as MarketCodec<unknown>,
  iv: marketCodecs.intervalIndex as MarketCodec<unknown>,
  pos: marketCodecs.position as MarketCodec<unknown>,
  pcc: marketCodecs.pcc as MarketCodec<unknown>,
  contract: marketCodecs.contract as MarketCodec<unknown>,
  clr: marketCodecs.clearing as MarketCodec<unknown>,
  alert: marketCodecs.alerts as MarketCodec<unknown>,
  stl: marketCodecs.settlement as MarketCodec<unknown>,
  mem: marketCodecs.member as MarketCodec<unknown>,
};

/** The codec of a stored `mkt/...` key (for restarts, audits and queries). */
export function marketCodecForKey(key: string): MarketCodec<unknown> | undefined {
  const kind = key.split('/')[1];
  return kind === undefined ? undefined : byKind[kind];
}
