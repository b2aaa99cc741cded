/**
 * contract_accept (the counterparty of a proposed contract): its signature makes the contract
 * binding. Deliveries start at the contract's first interval, or at the first interval whose gate
 * was still open at acceptance if that is later.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { contractId } from '../market/records.ts';
import { getContract, setContract } from '../market/store.ts';
import { firstOpenInterval } from '../market/time.ts';
import { requireActiveMember, requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';

export const contractAcceptBody = z.strictObject({ contractId });
export type ContractAcceptBody = z.infer<typeof contractAcceptBody>;

export const contractAccept = defineTxType<ContractAcceptBody>({
  type: 'contract_accept',
  body: contractAcceptBody,
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    requireActiveMember(view, ctx.senderAddress);
    const c = getContract(view, body.contractId);
    if (c === undefined) reject('CONTRACT_NOT_FOUND', `no contract ${body.contractId}`);
    if (c.status !== 'proposed') reject('CONTRACT_NOT_PROPOSED', `contract ${c.id} is ${c.status}`);
    const counterparty = bytesEqual(c.proposer, c.seller) ? c.buyer : c.seller;
    if (!bytesEqual(counterparty, ctx.senderAddress)) reject('CONTRACT_NOT_COUNTERPARTY', `only ${formatAddress(counterparty)} may accept contract ${c.id}`);
    if (firstOpenInterval(mp, ctx.block.timeMs) > c.endInterval) reject('CONTRACT_WINDOW_CLOSED', `every interval of contract ${c.id} is past its gate closure`);
  },
  apply(view, body, ctx) {
    const mp = requireMarket(ctx);
    const c = getContract(view, body.contractId);
    if (c === undefined) return;
    const activeFrom = Math.max(c.fromInterval, firstOpenInterval(mp, ctx.block.timeMs));
    setContract(view, c.id, { ...c, status: 'active', activeFrom });
    ctx.emit('contract_accept', { id: c.id, active_from: String(activeFrom), end_interval: String(c.endInterval) });
  },
});
