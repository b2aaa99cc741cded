/** Members, their meters, the operator and the published feeder: reads and index upkeep. */
import { bytesEqual, compareBytes } from './bytes.ts';
import { reject } from './codes.ts';
import type { FeederRecord, Member, Operator } from './records.ts';
import { codecs, stateKeys } from './records.ts';
import type { StateReader, StateView } from './state.ts';

export function getMember(view: StateReader, address: Uint8Array): Member | undefined {
  return view.get(stateKeys.member(address), codecs.member);
}

export function memberAddresses(view: StateReader): Uint8Array[] {
  return view.get(stateKeys.memberIndex, codecs.addressList)?.addresses ?? [];
}

export function setMember(view: StateView, address: Uint8Array, member: Member): void {
  const key = stateKeys.member(address);
  if (view.get(key, codecs.member) === undefined) {
    const addresses = [...memberAddresses(view), address].sort(compareBytes);
    view.set(stateKeys.memberIndex, codecs.addressList, { addresses });
  }
  view.set(key, codecs.member, member);
}

export function removeMember(view: StateView, address: Uint8Array): void {
  const m = getMember(view, address);
  if (m === undefined) return;
  if (m.meterPubKey !== null) view.set(stateKeys.meterOwner(m.meterPubKey), codecs.meterOwner, undefined);
  const addresses = memberAddresses(view).filter((a) => !bytesEqual(a, address));
  view.set(stateKeys.memberIndex, codecs.addressList, addresses.length > 0 ? { addresses } : undefined);
  view.set(stateKeys.member(address), codecs.member, undefined);
}

/** The member a meter key is registered to, if any. */
export function meterOwner(view: StateReader, meterPubKey: Uint8Array): Uint8Array | undefined {
  return view.get(stateKeys.meterOwner(meterPubKey), codecs.meterOwner)?.member;
}

export function getOperator(view: StateReader): Operator {
  const op = view.get(stateKeys.operator, codecs.operator);
  if (op === undefined) reject('APP_NOT_INITIALISED', 'state has no operator: initChain has not run');
  return op;
}

export function requireOperator(view: StateReader, sender: Uint8Array): void {
  if (!bytesEqual(getOperator(view).pubKey, sender)) reject('NOT_OPERATOR', 'only the operator may send this transaction');
}

export function getFeeder(view: StateReader): FeederRecord | undefined {
  return view.get(stateKeys.feeder, codecs.feeder);
}
