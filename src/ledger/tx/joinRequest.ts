/**
 * join_request (member): asks to join at a bus of the feeder, locking the membership deposit.
 * The meter key it names is a hint only: the operator registers the key it provisioned.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { debitUc, getAccount } from '../accounts.ts';
import { uint } from '../amounts.ts';
import { bytesEqual } from '../bytes.ts';
import { reject } from '../codes.ts';
import { feederHasBus } from '../feeder.ts';
import { isRegistrableKey } from '../keys.ts';
import { getFeeder, getMember, getOperator, setMember } from '../members.ts';
import { publicKeyBytes } from '../schemas.ts';
import { defineTxType } from './types.ts';

export const joinRequestBody = z.strictObject({
  bus: z.int(),
  meterKeyHint: publicKeyBytes.nullable(),
  depositUc: uint,
  /** Connection limits the member asks for; the operator sets the final ones. */
  exportLimitW: uint,
  importLimitW: uint,
});
export type JoinRequestBody = z.infer<typeof joinRequestBody>;

export const joinRequest = defineTxType<JoinRequestBody>({
  type: 'join_request',
  body: joinRequestBody,
  checkStateless(body) {
    if (body.meterKeyHint !== null && !isRegistrableKey(body.meterKeyHint)) reject('BAD_KEY', 'meter key hint is not a valid Ed25519 public key of large order');
  },
  checkState(view, body, ctx) {
    if (bytesEqual(getOperator(view).pubKey, ctx.sender)) reject('OPERATOR_CANNOT_JOIN', 'the operator cannot be a member');
    if (getMember(view, ctx.senderAddress) !== undefined) reject('ALREADY_MEMBER', `${formatAddress(ctx.senderAddress)} is already a member or has a pending request`);
    const feeder = getFeeder(view);
    if (feeder === undefined) reject('FEEDER_MISSING', 'the operator has not published the feeder model yet');
    if (!feederHasBus(feeder.model, body.bus)) reject('BUS_NOT_IN_FEEDER', `bus ${body.bus} is not an in-service bus of the feeder`);
    const min = ctx.block.params.membership.depositUc;
    if (body.depositUc < min) reject('DEPOSIT_TOO_LOW', `deposit ${body.depositUc} µc is below the required ${min} µc`);
    const { balanceUc } = getAccount(view, ctx.senderAddress);
    if (balanceUc < body.depositUc) reject('TX_INSUFFICIENT_FUNDS', `balance after the fee is ${balanceUc} µc, the deposit needs ${body.depositUc} µc`);
  },
  apply(view, body, ctx) {
    debitUc(view, ctx.senderAddress, body.depositUc);
    setMember(view, ctx.senderAddress, {
      bus: body.bus,
      status: 'pending',
      meterPubKey: null,
      meterKeyHint: body.meterKeyHint,
      depositUc: body.depositUc,
      exportLimitW: body.exportLimitW,
      importLimitW: body.importLimitW,
      requestedHeight: ctx.block.height,
      joinedHeight: null,
    });
    ctx.emit('join_request', { member: formatAddress(ctx.senderAddress), bus: String(body.bus), deposit_uc: String(body.depositUc) });
  },
});
