/**
 * publish_feeder (operator): publishes or replaces the feeder model the grid check runs on.
 * Every registered member's bus must still exist in the new model.
 */
import { z } from 'zod';
import { toHex } from '../bytes.ts';
import { reject } from '../codes.ts';
import { feederHasBus, feederModelHash, feederModelSchema } from '../feeder.ts';
import { getFeeder, getMember, memberAddresses, requireOperator } from '../members.ts';
import { codecs, stateKeys } from '../records.ts';
import { formatAddress } from '../address.ts';
import { defineTxType } from './types.ts';

export const publishFeederBody = z.strictObject({ model: feederModelSchema });
export type PublishFeederBody = z.infer<typeof publishFeederBody>;

export const publishFeeder = defineTxType<PublishFeederBody>({
  type: 'publish_feeder',
  body: publishFeederBody,
  bodyErrorCode: 'FEEDER_INVALID',
  checkState(view, body, ctx) {
    requireOperator(view, ctx.sender);
    for (const address of memberAddresses(view)) {
      const m = getMember(view, address);
      if (m !== undefined && !feederHasBus(body.model, m.bus)) {
        reject('FEEDER_MEMBER_BUS_REMOVED', `member ${formatAddress(address)} is at bus ${m.bus}, which the new model lacks or has out of service`);
      }
    }
  },
  apply(view, body, ctx) {
    const version = (getFeeder(view)?.version ?? 0) + 1;
    const modelHash = feederModelHash(body.model);
    view.set(stateKeys.feeder, codecs.feeder, { version, modelHash, publishedHeight: ctx.block.height, model: body.model });
    ctx.emit('publish_feeder', { version: String(version), model_hash: toHex(modelHash), buses: String(body.model.buses.length) });
  },
});
