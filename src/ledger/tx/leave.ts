/**
 * leave (member): closes the membership and returns the deposit. Leave guards registered at
 * construction (the market: open intervals, debt) may refuse. A pending request may be withdrawn
 * the same way. The coin account itself stays: its nonce keeps old transactions from replaying.
 */
import { z } from 'zod';
import { formatAddress } from '../address.ts';
import { creditUc } from '../accounts.ts';
import { reject } from '../codes.ts';
import { getMember, removeMember } from '../members.ts';
import { defineTxType } from './types.ts';

export const leaveBody = z.strictObject({});
export type LeaveBody = z.infer<typeof leaveBody>;

export const leave = defineTxType<LeaveBody>({
  type: 'leave',
  body: leaveBody,
  checkState(view, _body, ctx) {
    if (getMember(view, ctx.senderAddress) === undefined) reject('MEMBER_NOT_FOUND', `${formatAddress(ctx.senderAddress)} is not a member`);
    for (const guard of ctx.block.hooks.leaveGuards) {
      const refusal = guard(view, ctx.senderAddress, ctx);
      if (refusal !== undefined) reject('LEAVE_VETOED', `cannot leave yet: ${refusal.message}`, { reason: refusal.code });
    }
  },
  apply(view, _body, ctx) {
    const m = getMember(view, ctx.senderAddress);
    if (m === undefined) return;
    removeMember(view, ctx.senderAddress);
    creditUc(view, ctx.senderAddress, m.depositUc);
    ctx.emit('leave', { member: formatAddress(ctx.senderAddress), deposit_returned_uc: String(m.depositUc) });
  },
});
