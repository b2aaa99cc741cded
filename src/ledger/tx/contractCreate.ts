/**
 * contract_create (a member): proposes a bilateral contract with another member: energy per
 * interval at a fixed price over a window of intervals, firm or flexible delivery, an optional
 * condition (`surplus`: only from the seller's declared surplus, its firm asks; `spare_capacity`,
 * flexible only: only what the lines can carry after everything else), and the notice (in
 * intervals) a termination must give. The counterparty accepts with contract_accept. Deliveries
 * are scheduled before each interval's auction (src/market/contracts.ts).
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { capacityWh } from '../market/params.ts';
import { deliveryCondition } from '../market/records.ts';
import { setContract, takeId } from '../market/store.ts';
import { firstOpenInterval, isGateOpen } from '../market/time.ts';
import { requireActiveMember, requireMarket } from '../market/txChecks.ts';
import { addressBytes } from '../schemas.ts';
import { MAX_ORDER_ENERGY_WH, MAX_PRICE_UC_PER_KWH } from './order.ts';
import { defineTxType } from './types.ts';

/** About a year of 15-minute intervals. */
export const MAX_CONTRACT_INTERVALS = 35_040;

export const contractCreateBody = z.strictObject({
  counterparty: addressBytes,
  /** The sender's side. */
  role: z.enum(['seller', 'buyer']),
  energyWh: z.int().min(1).max(MAX_ORDER_ENERGY_WH),
  priceUcPerKwh: z.int().min(0).max(MAX_PRICE_UC_PER_KWH),
  fromInterval: z.int().min(0),
  toInterval: z.int().min(0),
  flexible: z.boolean(),
  condition: deliveryCondition,
  noticeIntervals: z.int().min(0).max(MAX_CONTRACT_INTERVALS),
});
export type ContractCreateBody = z.infer<typeof contractCreateBody>;

export const contractCreate = defineTxType<ContractCreateBody>({
  type: 'contract_create',
  body: contractCreateBody,
  checkStateless(body, sender) {
    if (bytesEqual(body.counterparty, sender)) reject('CONTRACT_SELF', 'a contract needs two different members');
    if (body.toInterval < body.fromInterval || body.toInterval - body.fromInterval >= MAX_CONTRACT_INTERVALS) {
      reject('CONTRACT_BAD_WINDOW', `window ${body.fromInterval}..${body.toInterval}: from ≤ to, at most ${MAX_CONTRACT_INTERVALS} intervals`);
    }
    if (body.condition === 'spare_capacity' && !body.flexible) reject('CONTRACT_BAD_CONDITION', 'spare_capacity applies to flexible deliveries only');
  },
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    const me = requireActiveMember(view, ctx.senderAddress);
    const other = requireActiveMember(view, body.counterparty);
    if (body.fromInterval > firstOpenInterval(mp, ctx.block.timeMs) + mp.maxAheadIntervals) reject('CONTRACT_BAD_WINDOW', `interval ${body.fromInterval} is more than ${mp.maxAheadIntervals} intervals ahead`);
    if (!isGateOpen(mp, body.toInterval, ctx.block.timeMs)) reject('CONTRACT_WINDOW_CLOSED', `every interval up to ${body.toInterval} is past its gate closure`);
    const [seller, buyer] = body.role === 'seller' ? [me, other] : [other, me];
    const sellerCap = capacityWh(seller.exportLimitW, mp);
    const buyerCap = capacityWh(buyer.importLimitW, mp);
    if (body.energyWh > sellerCap || body.energyWh > buyerCap) {
      reject('CONTRACT_EXCEEDS_CAPACITY', `${body.energyWh} Wh per interval exceeds the seller's ${sellerCap} Wh or the buyer's ${buyerCap} Wh`);
    }
  },
  apply(view, body, ctx) {
    const me = requireActiveMember(view, ctx.senderAddress);
    const other = requireActiveMember(view, body.counterparty);
    const id = takeId(view, 'contract');
    const [seller, buyer, sellerBus, buyerBus] =
      body.role === 'seller' ? [ctx.senderAddress, body.counterparty, me.bus, other.bus] : [body.counterparty, ctx.senderAddress, other.bus, me.bus];
    setContract(view, id, {
      id,
      seller,
      buyer,
      sellerBus,
      buyerBus,
      energyWh: body.energyWh,
      priceUcPerKwh: body.priceUcPerKwh,
      fromInterval: body.fromInterval,
      toInterval: body.toInterval,
      flexible: body.flexible,
      condition: body.condition,
      noticeIntervals: body.noticeIntervals,
      status: 'proposed',
      proposer: ctx.senderAddress,
      createdHeight: ctx.block.height,
      activeFrom: null,
      endInterval: body.toInterval,
    });
    ctx.emit('contract_create', { id, seller: formatAddress(seller), buyer: formatAddress(buyer), energy_wh: String(body.energyWh), price_uc_per_kwh: String(body.priceUcPerKwh) });
  },
});
