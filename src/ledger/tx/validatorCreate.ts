/**
 * validator_create: registers a consensus key as a validator, bonding the sender's self-stake.
 * The sender's account becomes the validator's reward account (fees, self-stake, unjail).
 */
import { z } from 'zod';
import { addressFromPublicKey, formatAddress } from '../address.ts';
import { debitUc, getAccount } from '../accounts.ts';
import { posInt } from '../amounts.ts';
import { toHex } from '../bytes.ts';
import { reject } from '../codes.ts';
import { isRegistrableKey } from '../keys.ts';
import { publicKeyBytes } from '../schemas.ts';
import { addValidatorToIndex, getValidator, setValidator, withDelegation } from '../staking.ts';
import { defineTxType } from './types.ts';

export const validatorCreateBody = z.strictObject({ pubKey: publicKeyBytes, selfStakeUc: posInt });
export type ValidatorCreateBody = z.infer<typeof validatorCreateBody>;

export const validatorCreate = defineTxType<ValidatorCreateBody>({
  type: 'validator_create',
  body: validatorCreateBody,
  checkStateless(body) {
    if (!isRegistrableKey(body.pubKey)) reject('BAD_KEY', 'validator key is not a valid Ed25519 public key of large order');
  },
  checkState(view, body, ctx) {
    const address = addressFromPublicKey(body.pubKey);
    if (getValidator(view, address) !== undefined) reject('VALIDATOR_EXISTS', `validator ${formatAddress(address)} already exists`);
    const min = ctx.block.params.staking.minSelfStakeUc;
    if (body.selfStakeUc < min) reject('SELF_STAKE_TOO_LOW', `self-stake ${body.selfStakeUc} µc is below the minimum ${min} µc`);
    const { balanceUc } = getAccount(view, ctx.senderAddress);
    if (balanceUc < body.selfStakeUc) reject('TX_INSUFFICIENT_FUNDS', `balance after the fee is ${balanceUc} µc, self-stake needs ${body.selfStakeUc} µc`);
  },
  apply(view, body, ctx) {
    const address = addressFromPublicKey(body.pubKey);
    debitUc(view, ctx.senderAddress, body.selfStakeUc);
    const empty = {
      pubKey: body.pubKey,
      rewardAddress: ctx.senderAddress,
      delegations: [],
      unbonding: [],
      jailed: false,
      jailedUntilMs: 0,
      tombstoned: false,
      createdHeight: ctx.block.height,
    };
    setValidator(view, address, withDelegation(empty, ctx.senderAddress, body.selfStakeUc));
    addValidatorToIndex(view, address);
    ctx.emit('validator_create', { validator: formatAddress(address), pub_key: toHex(body.pubKey), self_stake_uc: String(body.selfStakeUc) });
  },
});
