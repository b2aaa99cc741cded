/** stake: bond coin to a validator (the sender delegates; to its own validator, it self-bonds). */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { debitUc, getAccount } from '../accounts.ts';
import { addUc, posInt } from '../amounts.ts';
import { reject } from '../codes.ts';
import { addressBytes } from '../schemas.ts';
import { delegationUc, getValidator, setValidator, withDelegation } from '../staking.ts';
import { defineTxType } from './types.ts';

export const stakeBody = z.strictObject({ validator: addressBytes, amountUc: posInt });
export type StakeBody = z.infer<typeof stakeBody>;

export const stake = defineTxType<StakeBody>({
  type: 'stake',
  body: stakeBody,
  checkState(view, body, ctx) {
    const v = getValidator(view, body.validator);
    if (v === undefined) reject('VALIDATOR_NOT_FOUND', `no validator ${formatAddress(body.validator)}`);
    if (v.tombstoned) reject('VALIDATOR_TOMBSTONED', `validator ${formatAddress(body.validator)} double-signed and is closed for good`);
    const { balanceUc } = getAccount(view, ctx.senderAddress);
    if (balanceUc < body.amountUc) reject('TX_INSUFFICIENT_FUNDS', `balance after the fee is ${balanceUc} µc, the stake needs ${body.amountUc} µc`);
  },
  apply(view, body, ctx) {
    const v = getValidator(view, body.validator);
    if (v === undefined) return;
    debitUc(view, ctx.senderAddress, body.amountUc);
    setValidator(view, body.validator, withDelegation(v, ctx.senderAddress, addUc(delegationUc(v, ctx.senderAddress), body.amountUc)));
    ctx.emit('stake', { validator: formatAddress(body.validator), delegator: formatAddress(ctx.senderAddress), amount_uc: String(body.amountUc) });
  },
});
