/**
 * unstake: start unbonding part of a delegation. The coin stays slashable and is paid back at
 * the first block at or after now + unbondingMs.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { addUc, posInt } from '../amounts.ts';
import { reject } from '../codes.ts';
import { addressBytes } from '../schemas.ts';
import { delegationUc, eligibleCountWith, getValidator, isEligible, setValidator, subDelegation, unbondingCount } from '../staking.ts';
import { defineTxType } from './types.ts';

export const unstakeBody = z.strictObject({ validator: addressBytes, amountUc: posInt });
export type UnstakeBody = z.infer<typeof unstakeBody>;

export const unstake = defineTxType<UnstakeBody>({
  type: 'unstake',
  body: unstakeBody,
  checkState(view, body, ctx) {
    const params = ctx.block.params;
    const v = getValidator(view, body.validator);
    if (v === undefined) reject('VALIDATOR_NOT_FOUND', `no validator ${formatAddress(body.validator)}`);
    const held = delegationUc(v, ctx.senderAddress);
    if (held === 0) reject('DELEGATION_NOT_FOUND', `no stake of ${formatAddress(ctx.senderAddress)} at ${formatAddress(body.validator)}`);
    if (body.amountUc > held) reject('UNSTAKE_EXCEEDS_DELEGATION', `unstaking ${body.amountUc} µc of a ${held} µc delegation`);
    if (unbondingCount(v, ctx.senderAddress) >= params.staking.maxUnbondingEntries) {
      reject('UNBONDING_QUEUE_FULL', `already ${params.staking.maxUnbondingEntries} unbonding entries at this validator: wait for one to complete`);
    }
    const after = subDelegation(v, ctx.senderAddress, body.amountUc);
    if (isEligible(v, params) && !isEligible(after, params) && eligibleCountWith(view, params, body.validator, after) === 0) {
      reject('LAST_VALIDATOR', 'this would leave the chain without a validator');
    }
  },
  apply(view, body, ctx) {
    const v = getValidator(view, body.validator);
    if (v === undefined) return;
    const completionTimeMs = addUc(ctx.block.timeMs, ctx.block.params.staking.unbondingMs);
    const entry = { delegator: ctx.senderAddress, amountUc: body.amountUc, creationHeight: ctx.block.height, completionTimeMs };
    const after = subDelegation(v, ctx.senderAddress, body.amountUc);
    setValidator(view, body.validator, { ...after, unbonding: [...after.unbonding, entry] });
    ctx.emit('unstake', {
      validator: formatAddress(body.validator),
      delegator: formatAddress(ctx.senderAddress),
      amount_uc: String(body.amountUc),
      completion_time_ms: String(completionTimeMs),
    });
  },
});
