/**
 * approve_join (operator): admits a pending member at a bus, registering the meter key the
 * operator provisioned (members cannot register their own) and the connection limits.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { uint } from '../amounts.ts';
import { toHex } from '../bytes.ts';
import { reject } from '../codes.ts';
import { feederHasBus } from '../feeder.ts';
import { isRegistrableKey } from '../keys.ts';
import { getFeeder, getMember, meterOwner, requireOperator, setMember } from '../members.ts';
import { codecs, stateKeys } from '../records.ts';
import { addressBytes, publicKeyBytes } from '../schemas.ts';
import { defineTxType } from './types.ts';

export const approveJoinBody = z.strictObject({
  member: addressBytes,
  bus: z.int(),
  meterPubKey: publicKeyBytes,
  exportLimitW: uint,
  importLimitW: uint,
});
export type ApproveJoinBody = z.infer<typeof approveJoinBody>;

export const approveJoin = defineTxType<ApproveJoinBody>({
  type: 'approve_join',
  body: approveJoinBody,
  checkStateless(body) {
    if (!isRegistrableKey(body.meterPubKey)) reject('BAD_KEY', 'meter key is not a valid Ed25519 public key of large order');
  },
  checkState(view, body, ctx) {
    requireOperator(view, ctx.sender);
    const m = getMember(view, body.member);
    if (m === undefined) reject('MEMBER_NOT_FOUND', `no join request from ${formatAddress(body.member)}`);
    if (m.status !== 'pending') reject('MEMBER_NOT_PENDING', `${formatAddress(body.member)} is already an active member`);
    const feeder = getFeeder(view);
    if (feeder === undefined || !feederHasBus(feeder.model, body.bus)) reject('BUS_NOT_IN_FEEDER', `bus ${body.bus} is not an in-service bus of the feeder`);
    if (meterOwner(view, body.meterPubKey) !== undefined) reject('METER_KEY_IN_USE', 'this meter key is already registered to a member');
  },
  apply(view, body, ctx) {
    const m = getMember(view, body.member);
    if (m === undefined) return;
    setMember(view, body.member, {
      ...m,
      status: 'active',
      bus: body.bus,
      meterPubKey: body.meterPubKey,
      exportLimitW: body.exportLimitW,
      importLimitW: body.importLimitW,
      joinedHeight: ctx.block.height,
    });
    view.set(stateKeys.meterOwner(body.meterPubKey), codecs.meterOwner, { member: body.member });
    ctx.emit('approve_join', { member: formatAddress(body.member), bus: String(body.bus), meter_pub_key: toHex(body.meterPubKey) });
  },
});
