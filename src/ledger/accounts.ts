/** Accounts and the supply counters: every coin movement goes through these functions. */
import { formatAddress } from './address.ts';
import { addUc, subUc } from './amounts.ts';
import { reject } from './codes.ts';
import type { Account, Supply } from './records.ts';
import { codecs, stateKeys } from './records.ts';
import type { StateReader, StateView } from './state.ts';

const EMPTY: Account = { balanceUc: 0, nonce: 0 };

export function getAccount(view: StateReader, address: Uint8Array): Account {
  return view.get(stateKeys.account(address), codecs.account) ?? EMPTY;
}

/** An account back at its default (no coin, nonce 0) is removed from state. */
export function setAccount(view: StateView, address: Uint8Array, account: Account): void {
  const empty = account.balanceUc === 0 && account.nonce === 0;
  view.set(stateKeys.account(address), codecs.account, empty ? undefined : account);
}

export function creditUc(view: StateView, address: Uint8Array, amountUc: number): void {
  const a = getAccount(view, address);
  setAccount(view, address, { ...a, balanceUc: addUc(a.balanceUc, amountUc) });
}

/** Debits a regular account; it may not go below zero. */
export function debitUc(view: StateView, address: Uint8Array, amountUc: number): void {
  const a = getAccount(view, address);
  if (a.balanceUc < amountUc) {
    reject('TX_INSUFFICIENT_FUNDS', `account ${formatAddress(address)} holds ${a.balanceUc} µc, needs ${amountUc} µc`, {
      balanceUc: a.balanceUc,
      neededUc: amountUc,
    });
  }
  setAccount(view, address, { ...a, balanceUc: subUc(a.balanceUc, amountUc) });
}

export function getSupply(view: StateReader): Supply {
  const s = view.get(stateKeys.supply, codecs.supply);
  if (s === undefined) reject('APP_NOT_INITIALISED', 'state has no supply record: initChain has not run');
  return s;
}

/** New coin (e.g. the market's renewable reward): counted as minted. */
export function mintUc(view: StateView, address: Uint8Array, amountUc: number): void {
  const s = getSupply(view);
  view.set(stateKeys.supply, codecs.supply, { ...s, mintedUc: addUc(s.mintedUc, amountUc) });
  creditUc(view, address, amountUc);
}

/** Records coin destroyed elsewhere (slashed stake, fees without a recipient). */
export function recordBurnUc(view: StateView, amountUc: number): void {
  if (amountUc === 0) return;
  const s = getSupply(view);
  view.set(stateKeys.supply, codecs.supply, { ...s, burnedUc: addUc(s.burnedUc, amountUc) });
}
