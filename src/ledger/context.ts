/**
 * What execution code is told about the block and transaction it runs in, and the hooks other
 * modules (the market, issue 6) plug into the state machine at construction.
 */
import type { GridLedgerError } from '../errors.ts';
import type { Params } from './params.ts';
import type { StateView } from './state.ts';

/** An ABCI-style event: results and logs for indexers and clients (not part of the state root). */
export interface AppEvent {
  readonly type: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface BlockContext {
  readonly chainId: string;
  readonly height: number;
  /** Block time, ms since epoch (the only clock consensus code sees). */
  readonly timeMs: number;
  /** Address of the proposer's consensus key (zero bytes when checking a transaction). */
  readonly proposer: Uint8Array;
  readonly params: Params;
  readonly hooks: LedgerHooks;
  /** Block-level events (begin and end block). */
  readonly events: AppEvent[];
  /** Fees collected in this block so far, paid out at end block. */
  feesUc: number;
}

export interface TxContext {
  readonly block: BlockContext;
  readonly sender: Uint8Array;
  readonly senderAddress: Uint8Array;
  readonly txHash: Uint8Array;
  readonly feeUc: number;
  /** Records an event; kept only if the transaction succeeds. */
  emit(type: string, attributes: Record<string, string>): void;
}

/** Runs at begin or end of every block, on the block's state (e.g. market clearing, settlement). */
export type BlockHook = (view: StateView, ctx: BlockContext) => void;

/**
 * Asked before a member leaves: return an error (with its own stable code and a message) to
 * refuse, e.g. while the member has open market intervals or is in debt; undefined to allow.
 */
export type LeaveGuard = (view: StateView, member: Uint8Array, ctx: TxContext) => GridLedgerError | undefined;

export interface LedgerHooks {
  /** Run in order after the ledger's own begin-block work (evidence, liveness). */
  readonly beginBlockers: readonly BlockHook[];
  /** Run in order before the ledger's own end-block work (fees, unbonding, validator set). */
  readonly endBlockers: readonly BlockHook[];
  readonly leaveGuards: readonly LeaveGuard[];
}

export const NO_HOOKS: LedgerHooks = { beginBlockers: [], endBlockers: [], leaveGuards: [] };
