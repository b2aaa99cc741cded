/** replace_meter_key (operator): registers a new meter key for an active member (meter swap). */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { toHex } from '../bytes.ts';
import { reject } from '../codes.ts';
import { isRegistrableKey } from '../keys.ts';
import { getMember, meterOwner, requireOperator, setMember } from '../members.ts';
import { codecs, stateKeys } from '../records.ts';
import { addressBytes, publicKeyBytes } from '../schemas.ts';
import { defineTxType } from './types.ts';

export const replaceMeterKeyBody = z.strictObject({ member: addressBytes, meterPubKey: publicKeyBytes });
export type ReplaceMeterKeyBody = z.infer<typeof replaceMeterKeyBody>;

export const replaceMeterKey = defineTxType<ReplaceMeterKeyBody>({
  type: 'replace_meter_key',
  body: replaceMeterKeyBody,
  checkStateless(body) {
    if (!isRegistrableKey(body.meterPubKey)) reject('BAD_KEY', 'meter key is not a valid Ed25519 public key of large order');
  },
  checkState(view, body, ctx) {
    requireOperator(view, ctx.sender);
    const m = getMember(view, body.member);
    if (m === undefined) reject('MEMBER_NOT_FOUND', `no member ${formatAddress(body.member)}`);
    if (m.status !== 'active') reject('MEMBER_NOT_ACTIVE', `${formatAddress(body.member)} has not been approved yet`);
    if (meterOwner(view, body.meterPubKey) !== undefined) reject('METER_KEY_IN_USE', 'this meter key is already registered to a member');
  },
  apply(view, body, ctx) {
    const m = getMember(view, body.member);
    if (m === undefined) return;
    if (m.meterPubKey !== null) view.set(stateKeys.meterOwner(m.meterPubKey), codecs.meterOwner, undefined);
    setMember(view, body.member, { ...m, meterPubKey: body.meterPubKey });
    view.set(stateKeys.meterOwner(body.meterPubKey), codecs.meterOwner, { member: body.member });
    ctx.emit('replace_meter_key', { member: formatAddress(body.member), meter_pub_key: toHex(body.meterPubKey) });
  },
});
