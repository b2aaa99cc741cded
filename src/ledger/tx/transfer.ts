/** transfer: move coin from the sender to any address (creating its account). */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { creditUc, debitUc, getAccount } from '../accounts.ts';
import { posInt } from '../amounts.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { addressBytes } from '../schemas.ts';
import { defineTxType } from './types.ts';

export const transferBody = z.strictObject({ to: addressBytes, amountUc: posInt });
export type TransferBody = z.infer<typeof transferBody>;

export const transfer = defineTxType<TransferBody>({
  type: 'transfer',
  body: transferBody,
  checkStateless(body, sender) {
    if (bytesEqual(body.to, sender)) reject('TRANSFER_TO_SELF', 'a transfer to oneself moves nothing');
  },
  checkState(view, body, ctx) {
    const { balanceUc } = getAccount(view, ctx.senderAddress);
    if (balanceUc < body.amountUc) {
      reject('TX_INSUFFICIENT_FUNDS', `balance after the fee is ${balanceUc} µc, the transfer needs ${body.amountUc} µc`);
    }
  },
  apply(view, body, ctx) {
    debitUc(view, ctx.senderAddress, body.amountUc);
    creditUc(view, body.to, body.amountUc);
    ctx.emit('transfer', { from: formatAddress(ctx.senderAddress), to: formatAddress(body.to), amount_uc: String(body.amountUc) });
  },
});
