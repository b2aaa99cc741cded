/** A member may leave only with no interval left to settle, no contract and no debt. */
import { GridLedgerError } from '../../errors.ts';
import { bytesEqual } from '../bytes.ts';
import type { LeaveGuard } from '../context.ts';
import { contractIds, getContract, getMemberMarket } from './store.ts';

export const marketLeaveGuard: LeaveGuard = (view, member) => {
  const m = getMemberMarket(view, member);
  if (m.debtUc > 0) return new GridLedgerError('MARKET_IN_DEBT', `the member owes the main grid ${m.debtUc} µc (repay_debt)`);
  if (m.openIntervals.length > 0) {
    return new GridLedgerError('MARKET_OPEN_INTERVALS', `intervals ${m.openIntervals.slice(0, 5).join(', ')}${m.openIntervals.length > 5 ? ', …' : ''} are not settled yet`);
  }
  for (const id of contractIds(view)) {
    const c = getContract(view, id);
    if (c !== undefined && (bytesEqual(c.seller, member) || bytesEqual(c.buyer, member))) {
      return new GridLedgerError('MARKET_OPEN_CONTRACT', `contract ${id} is ${c.status}: terminate it and wait for its last interval`);
    }
  }
  return undefined;
};
