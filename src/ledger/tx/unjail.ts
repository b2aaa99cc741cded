/** unjail: a validator's reward account brings it back after its jail time (not if tombstoned). */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { addressBytes } from '../schemas.ts';
import { getValidator, selfStakeUc, unjailValidator } from '../staking.ts';
import { defineTxType } from './types.ts';

export const unjailBody = z.strictObject({ validator: addressBytes });
export type UnjailBody = z.infer<typeof unjailBody>;

export const unjail = defineTxType<UnjailBody>({
  type: 'unjail',
  body: unjailBody,
  checkState(view, body, ctx) {
    const v = getValidator(view, body.validator);
    if (v === undefined) reject('VALIDATOR_NOT_FOUND', `no validator ${formatAddress(body.validator)}`);
    if (!bytesEqual(v.rewardAddress, ctx.senderAddress)) reject('NOT_VALIDATOR_OWNER', 'only the validator\'s reward account may unjail it');
    if (v.tombstoned) reject('VALIDATOR_TOMBSTONED', 'a validator that double-signed stays jailed');
    if (!v.jailed) reject('VALIDATOR_NOT_JAILED', 'validator is not jailed');
    if (ctx.block.timeMs < v.jailedUntilMs) reject('JAIL_PERIOD_ACTIVE', `jailed until ${v.jailedUntilMs} ms`, { jailedUntilMs: v.jailedUntilMs });
    const min = ctx.block.params.staking.minSelfStakeUc;
    if (selfStakeUc(v) < min) reject('SELF_STAKE_TOO_LOW', `self-stake ${selfStakeUc(v)} µc is below the minimum ${min} µc: stake first`);
  },
  apply(view, body, ctx) {
    unjailValidator(view, body.validator, ctx.block.height);
    ctx.emit('unjail', { validator: formatAddress(body.validator) });
  },
});
