/**
 * contract_terminate (either party): a proposed contract is withdrawn (or declined) at once; an
 * active one keeps delivering for its notice period, counted in intervals from the first interval
 * whose gate is still open: it delivers up to min(toInterval, open + noticeIntervals − 1).
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { contractId } from '../market/records.ts';
import { getContract, setContract } from '../market/store.ts';
import { firstOpenInterval } from '../market/time.ts';
import { requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';

export const contractTerminateBody = z.strictObject({ contractId });
export type ContractTerminateBody = z.infer<typeof contractTerminateBody>;

export const contractTerminate = defineTxType<ContractTerminateBody>({
  type: 'contract_terminate',
  body: contractTerminateBody,
  checkState(view, body, ctx) {
    requireMarket(ctx);
    const c = getContract(view, body.contractId);
    if (c === undefined) reject('CONTRACT_NOT_FOUND', `no contract ${body.contractId}`);
    if (!bytesEqual(c.seller, ctx.senderAddress) && !bytesEqual(c.buyer, ctx.senderAddress)) {
      reject('CONTRACT_NOT_PARTY', `${formatAddress(ctx.senderAddress)} is not a party to contract ${c.id}`);
    }
    if (c.status === 'terminated') reject('CONTRACT_NOT_ACTIVE', `contract ${c.id} is already terminated`);
  },
  apply(view, body, ctx) {
    const mp = requireMarket(ctx);
    const c = getContract(view, body.contractId);
    if (c === undefined) return;
    if (c.status === 'proposed') {
      setContract(view, c.id, undefined);
      ctx.emit('contract_terminate', { id: c.id, by: formatAddress(ctx.senderAddress), effective: 'now' });
      return;
    }
    const open = firstOpenInterval(mp, ctx.block.timeMs);
    const endInterval = Math.min(c.endInterval, open + c.noticeIntervals - 1);
    // The end blocker removes the record once its last interval is cleared.
    setContract(view, c.id, { ...c, status: 'terminated', endInterval });
    ctx.emit('contract_terminate', { id: c.id, by: formatAddress(ctx.senderAddress), last_interval: String(endInterval) });
  },
});
