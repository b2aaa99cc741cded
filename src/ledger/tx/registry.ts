/** Every transaction type, in one table: adding a type is one file and one line here. */
import { approveJoin } from './approveJoin.ts';
import { cancelOrder } from './cancelOrder.ts';
import { contractAccept } from './contractAccept.ts';
import { contractCreate } from './contractCreate.ts';
import { contractTerminate } from './contractTerminate.ts';
import { joinRequest } from './joinRequest.ts';
import { leave } from './leave.ts';
import { meterReading } from './meterReading.ts';
import { order } from './order.ts';
import { pccReading } from './pccReading.ts';
import { publishFeeder } from './publishFeeder.ts';
import { repayDebt } from './repayDebt.ts';
import { replaceMeterKey } from './replaceMeterKey.ts';
import { stake } from './stake.ts';
import { transfer } from './transfer.ts';
import type { TxRegistry, TxType } from './types.ts';
import { createRegistry } from './types.ts';
import { unjail } from './unjail.ts';
import { unstake } from './unstake.ts';
import { validatorCreate } from './validatorCreate.ts';

export const TX_TYPES: readonly TxType[] = [
  transfer,
  validatorCreate,
  stake,
  unstake,
  unjail,
  publishFeeder,
  joinRequest,
  approveJoin,
  replaceMeterKey,
  leave,
  order,
  cancelOrder,
  contractCreate,
  contractAccept,
  contractTerminate,
  meterReading,
  pccReading,
  repayDebt,
];

export const defaultRegistry: TxRegistry = createRegistry(TX_TYPES);
