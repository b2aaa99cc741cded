/**
 * Running transactions and blocks on a state view. A transaction first passes its envelope
 * (fee, nonce, funds for the fee); then the fee is charged and the nonce advanced; then its body
 * runs in its own overlay. In a block, a body that fails leaves only the fee and nonce behind
 * (the proposer did work; the sender cannot replay it); when checking for the mempool, any
 * failure leaves nothing.
 */
import { isGridLedgerError } from '../errors.ts';
import { getAccount, setAccount } from './accounts.ts';
import { addUc, subUc } from './amounts.ts';
import { codeNumber, reject } from './codes.ts';
import type { ErrorCode } from './codes.ts';
import type { AppEvent, BlockContext, TxContext } from './context.ts';
import { minFeeUc } from './params.ts';
import type { Params } from './params.ts';
import { codecs, stateKeys } from './records.ts';
import { handleMisbehaviour, payFees, releaseMatureUnbonding, trackLiveness, updateValidatorSet } from './staking.ts';
import type { Misbehaviour, ValidatorUpdate, VoteInfo } from './staking.ts';
import { Overlay } from './state.ts';
import type { StateReader, StateView } from './state.ts';
import type { DecodedTx } from './tx/envelope.ts';

export interface TxResult {
  /** 0: success; otherwise the number of `error` in codes.ts. */
  readonly code: number;
  /** The stable error code name, absent on success. */
  readonly error?: string;
  readonly log: string;
  readonly events: readonly AppEvent[];
  /** Fee charged (0 when the envelope failed). */
  readonly feeUc: number;
}

export const OK_LOG = 'ok';

export function failure(e: unknown, feeUc: number): TxResult {
  if (isGridLedgerError(e)) return { code: codeNumber(e.code), error: e.code, log: e.message, events: [], feeUc };
  const message = e instanceof Error ? e.message : String(e);
  return { code: codeNumber('TX_INTERNAL_ERROR'), error: 'TX_INTERNAL_ERROR', log: `internal error: ${message}`, events: [], feeUc };
}

function feeTooLow(tx: DecodedTx, min: number): string {
  return `fee ${tx.tx.feeUc} µc is below the minimum ${min} µc for ${tx.bytes.length} bytes`;
}

/** The fee floor, checkable without state. */
export function checkFeeFloor(tx: DecodedTx, params: Params): void {
  const min = minFeeUc(params, tx.bytes.length);
  if (tx.tx.feeUc < min) reject('TX_FEE_TOO_LOW', feeTooLow(tx, min), { minFeeUc: min });
}

function refusal(code: ErrorCode, log: string): TxResult {
  return { code: codeNumber(code), error: code, log, events: [], feeUc: 0 };
}

/**
 * Fee, nonce and funds for the fee: the refusal, or undefined when the envelope passes. Returned,
 * not thrown: a nonce ahead of the account is routine in a mempool (parked transactions), and an
 * exception per check costs more than the check.
 */
export function checkEnvelope(view: StateReader, tx: DecodedTx, params: Params): TxResult | undefined {
  const min = minFeeUc(params, tx.bytes.length);
  if (tx.tx.feeUc < min) return refusal('TX_FEE_TOO_LOW', feeTooLow(tx, min));
  const account = getAccount(view, tx.senderAddress);
  if (tx.tx.nonce < account.nonce) return refusal('TX_NONCE_TOO_LOW', `nonce ${tx.tx.nonce} was already used: the account's next nonce is ${account.nonce}`);
  if (tx.tx.nonce > account.nonce) return refusal('TX_NONCE_TOO_HIGH', `nonce ${tx.tx.nonce} is ahead: the account's next nonce is ${account.nonce}`);
  if (account.balanceUc < tx.tx.feeUc) return refusal('TX_INSUFFICIENT_FUNDS', `balance ${account.balanceUc} µc cannot pay the fee of ${tx.tx.feeUc} µc`);
  return undefined;
}

/** Runs one transaction on `parent`. `deliver`: in a block; `check`: against the mempool's view. */
export function executeTx(parent: StateView, tx: DecodedTx, block: BlockContext, mode: 'check' | 'deliver'): TxResult {
  const refused = checkEnvelope(parent, tx, block.params);
  if (refused !== undefined) return refused;
  // Checking: one overlay for everything, dropped on any failure. Delivering: the fee and nonce
  // go straight to the block's state and stay; only the body runs in an overlay.
  const scope = new Overlay(parent);
  const envelopeView: StateView = mode === 'check' ? scope : parent;
  const feeUc = tx.tx.feeUc;
  const account = getAccount(envelopeView, tx.senderAddress);
  setAccount(envelopeView, tx.senderAddress, { balanceUc: subUc(account.balanceUc, feeUc), nonce: account.nonce + 1 });
  if (mode === 'deliver') block.feesUc = addUc(block.feesUc, feeUc);
  const ctx = new TxRun(block, tx, feeUc);
  try {
    tx.op.checkState(scope, ctx);
    tx.op.apply(scope, ctx);
  } catch (e) {
    return failure(e, mode === 'deliver' ? feeUc : 0);
  }
  scope.commitInto(parent);
  return { code: 0, log: OK_LOG, events: ctx.events, feeUc };
}

/** One transaction's context; a class, so running a transaction builds no closure. */
class TxRun implements TxContext {
  readonly sender: Uint8Array;
  readonly senderAddress: Uint8Array;
  readonly txHash: Uint8Array;
  readonly events: AppEvent[] = [];

  constructor(
    readonly block: BlockContext,
    tx: DecodedTx,
    readonly feeUc: number,
  ) {
    this.sender = tx.tx.sender;
    this.senderAddress = tx.senderAddress;
    this.txHash = tx.hash;
  }

  emit(type: string, attributes: Record<string, string>): void {
    this.events.push({ type, attributes });
  }
}

/** Begin block: record height and time, punish proven misbehaviour and downtime, then hooks. */
export function beginBlock(view: StateView, ctx: BlockContext, misbehaviour: readonly Misbehaviour[], votes: readonly VoteInfo[]): void {
  view.set(stateKeys.chainMeta, codecs.chainMeta, { chainId: ctx.chainId, height: ctx.height, timeMs: ctx.timeMs });
  handleMisbehaviour(view, misbehaviour, ctx);
  trackLiveness(view, votes, ctx);
  for (const hook of ctx.hooks.beginBlockers) hook(view, ctx);
}

/** End block: hooks (market clearing and settlement), then fees, unbonding, validator set. */
export function endBlock(view: StateView, ctx: BlockContext): ValidatorUpdate[] {
  for (const hook of ctx.hooks.endBlockers) hook(view, ctx);
  payFees(view, ctx);
  releaseMatureUnbonding(view, ctx);
  return updateValidatorSet(view, ctx.params);
}
