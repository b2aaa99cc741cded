/**
 * Reads and writes of the market's records, and the upkeep of their indexes (sorted lists only:
 * nothing here iterates in an order that was not sorted first).
 */
import { bytesEqual, compareBytes } from '../bytes.ts';
import type { StateReader, StateView } from '../state.ts';
import type { Contract, MarketClock, MarketOrder, MemberMarket, Position } from './records.ts';
import { marketCodecs, marketKeys } from './records.ts';

export function getClock(view: StateReader): MarketClock | undefined {
  return view.get(marketKeys.clock, marketCodecs.clock);
}

export function setClock(view: StateView, clock: MarketClock): void {
  view.set(marketKeys.clock, marketCodecs.clock, clock);
}

/** Next id of its kind: `o` or `c` and 12 digits, so code-unit order is the order given. */
export function takeId(view: StateView, kind: 'order' | 'contract'): string {
  const seq = view.get(marketKeys.sequence, marketCodecs.sequence) ?? { nextOrder: 0, nextContract: 0 };
  const n = kind === 'order' ? seq.nextOrder : seq.nextContract;
  view.set(marketKeys.sequence, marketCodecs.sequence, kind === 'order' ? { ...seq, nextOrder: n + 1 } : { ...seq, nextContract: n + 1 });
  return `${kind === 'order' ? 'o' : 'c'}${String(n).padStart(12, '0')}`;
}

export function getOrder(view: StateReader, id: string): MarketOrder | undefined {
  return view.get(marketKeys.order(id), marketCodecs.order);
}

export function setOrder(view: StateView, id: string, order: MarketOrder | undefined): void {
  view.set(marketKeys.order(id), marketCodecs.order, order);
}

export const EMPTY_POSITION: Position = { askWh: 0, bidWh: 0, orders: [], reading: null };

export function getPosition(view: StateReader, k: number, member: Uint8Array): Position | undefined {
  return view.get(marketKeys.position(k, member), marketCodecs.position);
}

/** Writes a member's position in k, keeping the interval's member index in step. */
export function setPosition(view: StateView, k: number, member: Uint8Array, position: Position | undefined): void {
  const empty = position === undefined || (position.orders.length === 0 && position.reading === null);
  const members = intervalMembers(view, k);
  const at = members.findIndex((m) => bytesEqual(m, member));
  if (empty) {
    view.set(marketKeys.position(k, member), marketCodecs.position, undefined);
    if (at >= 0) {
      const rest = members.filter((_, i) => i !== at);
      view.set(marketKeys.intervalIndex(k), marketCodecs.intervalIndex, rest.length === 0 ? undefined : { members: rest });
    }
    return;
  }
  view.set(marketKeys.position(k, member), marketCodecs.position, position);
  if (at < 0) view.set(marketKeys.intervalIndex(k), marketCodecs.intervalIndex, { members: [...members, member].sort(compareBytes) });
}

export function intervalMembers(view: StateReader, k: number): Uint8Array[] {
  return view.get(marketKeys.intervalIndex(k), marketCodecs.intervalIndex)?.members ?? [];
}

export function getContract(view: StateReader, id: string): Contract | undefined {
  return view.get(marketKeys.contract(id), marketCodecs.contract);
}

export function contractIds(view: StateReader): string[] {
  return view.get(marketKeys.contractIndex, marketCodecs.contractIndex)?.ids ?? [];
}

/** Writes a contract; undefined removes it and its index entry. */
export function setContract(view: StateView, id: string, contract: Contract | undefined): void {
  const ids = contractIds(view);
  const listed = ids.includes(id);
  view.set(marketKeys.contract(id), marketCodecs.contract, contract);
  if (contract === undefined && listed) {
    const rest = ids.filter((x) => x !== id);
    view.set(marketKeys.contractIndex, marketCodecs.contractIndex, rest.length === 0 ? undefined : { ids: rest });
  } else if (contract !== undefined && !listed) {
    view.set(marketKeys.contractIndex, marketCodecs.contractIndex, { ids: [...ids, id].sort() });
  }
}

const NO_MARKET: MemberMarket = { openIntervals: [], debtUc: 0 };

export function getMemberMarket(view: StateReader, member: Uint8Array): MemberMarket {
  return view.get(marketKeys.member(member), marketCodecs.member) ?? NO_MARKET;
}

function setMemberMarket(view: StateView, member: Uint8Array, m: MemberMarket): void {
  const empty = m.openIntervals.length === 0 && m.debtUc === 0;
  view.set(marketKeys.member(member), marketCodecs.member, empty ? undefined : m);
}

/** Marks intervals open for a member (it has orders, deliveries or a reading there). */
export function openIntervals(view: StateView, member: Uint8Array, ks: readonly number[]): void {
  const m = getMemberMarket(view, member);
  const set = new Set(m.openIntervals);
  let added = false;
  for (const k of ks) {
    if (!set.has(k)) {
      set.add(k);
      added = true;
    }
  }
  if (added) setMemberMarket(view, member, { ...m, openIntervals: [...set].sort((a, b) => a - b) });
}

export function closeInterval(view: StateView, member: Uint8Array, k: number): void {
  const m = getMemberMarket(view, member);
  if (m.openIntervals.includes(k)) setMemberMarket(view, member, { ...m, openIntervals: m.openIntervals.filter((x) => x !== k) });
}

export function setDebt(view: StateView, member: Uint8Array, debtUc: number): void {
  setMemberMarket(view, member, { ...getMemberMarket(view, member), debtUc });
}
