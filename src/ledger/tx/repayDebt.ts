/**
 * repay_debt (a member in debt): pays back to the main grid what settlement had it cover for the
 * member (see docs/settlement.md, debt). Settlement also repays from the member's balance on its
 * own; this lets a member clear its debt, e.g. before leaving, without trading again.
 */
import { z } from 'zod';
import { debitUc, creditUc, getAccount } from '../accounts.ts';
import { reject } from '../codes.ts';
import { getMemberMarket, setDebt } from '../market/store.ts';
import { requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';

export const repayDebtBody = z.strictObject({ amountUc: z.int().min(1) });
export type RepayDebtBody = z.infer<typeof repayDebtBody>;

export const repayDebt = defineTxType<RepayDebtBody>({
  type: 'repay_debt',
  body: repayDebtBody,
  checkState(view, body, ctx) {
    requireMarket(ctx);
    const { debtUc } = getMemberMarket(view, ctx.senderAddress);
    if (debtUc === 0) reject('MARKET_NO_DEBT', 'no debt to repay');
    if (body.amountUc > debtUc) reject('MARKET_NO_DEBT', `the debt is ${debtUc} µc, less than ${body.amountUc} µc`);
    const { balanceUc } = getAccount(view, ctx.senderAddress);
    if (balanceUc < body.amountUc) reject('TX_INSUFFICIENT_FUNDS', `balance after the fee is ${balanceUc} µc`);
  },
  apply(view, body, ctx) {
    const mp = requireMarket(ctx);
    const { debtUc } = getMemberMarket(view, ctx.senderAddress);
    debitUc(view, ctx.senderAddress, body.amountUc);
    creditUc(view, mp.mainGridAddress, body.amountUc);
    setDebt(view, ctx.senderAddress, debtUc - body.amountUc);
    ctx.emit('repay_debt', { amount_uc: String(body.amountUc), debt_left_uc: String(debtUc - body.amountUc) });
  },
});
