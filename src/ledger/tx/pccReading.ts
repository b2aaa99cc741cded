/**
 * pcc_reading (operator): the PCC meter's import and export for one interval, signed with the
 * operator's key (the operator owns that meter). Settlement matches the members' readings against
 * it within the loss model; without it the interval is flagged and its minting held.
 */
import { z } from 'zod';
import { reject } from '../codes.ts';
import { requireOperator } from '../members.ts';
import { marketCodecs, marketKeys } from '../market/records.ts';
import { requireMarket } from '../market/txChecks.ts';
import { defineTxType } from './types.ts';
import { checkReadingWindow } from './meterReading.ts';

const wh = z.int().min(0).max(1_000_000_000_000);

export const pccReadingBody = z.strictObject({ interval: z.int().min(0), importWh: wh, exportWh: wh });
export type PccReadingBody = z.infer<typeof pccReadingBody>;

export const pccReading = defineTxType<PccReadingBody>({
  type: 'pcc_reading',
  body: pccReadingBody,
  checkState(view, body, ctx) {
    const mp = requireMarket(ctx);
    requireOperator(view, ctx.sender);
    checkReadingWindow(view, mp, body.interval, ctx.block.timeMs);
    if (view.get(marketKeys.pcc(body.interval), marketCodecs.pcc) !== undefined) reject('READING_DUPLICATE', `interval ${body.interval} already has a PCC reading`);
  },
  apply(view, body, ctx) {
    view.set(marketKeys.pcc(body.interval), marketCodecs.pcc, { importWh: body.importWh, exportWh: body.exportWh, height: ctx.block.height });
    ctx.emit('pcc_reading', { interval: String(body.interval), import_wh: String(body.importWh), export_wh: String(body.exportWh) });
  },
});
