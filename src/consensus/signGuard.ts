/**
 * The double-sign guard (CometBFT spec/consensus/signing.md and privval's FilePV): remember the
 * last signed height/round/step and its sign bytes, persisted before the signature leaves. Sign
 * only at a strictly later (height, round, step). At the same HRS (a restart that replays into
 * the same step) hand back the stored signature when the new sign bytes equal the stored ones,
 * or differ only in the timestamp (then with the stored timestamp); refuse anything else.
 */
import { proposalSignBytes, voteSignBytes } from './signBytes.ts';
import type { Hex, PrivValidator, SignResult, UnsignedProposal, UnsignedVote } from './types.ts';

/** Step numbers of the guard, as privval's stepPropose / stepPrevote / stepPrecommit. */
export type SignStep = 1 | 2 | 3;

export interface LastSignState {
  height: number;
  round: number;
  step: SignStep;
  signBytes: Uint8Array;
  signature: Uint8Array;
  timestampMs: number;
}

/** Durable storage of the guard: `save` must have reached disk (fsync) when it returns. */
export interface SignStateStore {
  load(): LastSignState | undefined;
  save(state: LastSignState): void;
}

export interface RawSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export type GuardDecision =
  | { kind: 'sign' }
  | { kind: 'reuse'; signature: Uint8Array; timestampMs: number }
  | { kind: 'refuse'; reason: string };

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/**
 * Decides whether a message at (height, round, step) with `signBytes` may be signed, given the
 * last signed state. `signBytesAt(ts)` rebuilds the new message's sign bytes with timestamp ts.
 */
export function checkSign(
  last: LastSignState | undefined,
  height: number,
  round: number,
  step: SignStep,
  signBytes: Uint8Array,
  signBytesAt: (timestampMs: number) => Uint8Array,
): GuardDecision {
  if (last === undefined || height > last.height) return { kind: 'sign' };
  if (height < last.height) return { kind: 'refuse', reason: `height regression: ${height} < ${last.height}` };
  if (round > last.round) return { kind: 'sign' };
  if (round < last.round) {
    return { kind: 'refuse', reason: `round regression at height ${height}: ${round} < ${last.round}` };
  }
  if (step > last.step) return { kind: 'sign' };
  if (step < last.step) {
    return { kind: 'refuse', reason: `step regression at ${height}/${round}: ${step} < ${last.step}` };
  }
  if (sameBytes(signBytes, last.signBytes) || sameBytes(signBytesAt(last.timestampMs), last.signBytes)) {
    return { kind: 'reuse', signature: last.signature, timestampMs: last.timestampMs };
  }
  return { kind: 'refuse', reason: `conflicting data at ${height}/${round}/${step}` };
}

/** A PrivValidator: the guard in front of a raw key, persisting through `store`. */
export class GuardedSigner implements PrivValidator {
  readonly address: Hex;
  private readonly key: RawSigner;
  private readonly store: SignStateStore;
  private last: LastSignState | undefined;

  constructor(address: Hex, key: RawSigner, store: SignStateStore) {
    this.address = address;
    this.key = key;
    this.store = store;
    this.last = store.load();
  }

  signVote(chainId: string, vote: UnsignedVote): SignResult {
    const step: SignStep = vote.type === 'prevote' ? 2 : 3;
    return this.sign(vote.height, vote.round, step, vote.timestampMs, (ts) =>
      voteSignBytes(chainId, { ...vote, timestampMs: ts }),
    );
  }

  signProposal(chainId: string, proposal: UnsignedProposal): SignResult {
    return this.sign(proposal.height, proposal.round, 1, proposal.timestampMs, (ts) =>
      proposalSignBytes(chainId, { ...proposal, timestampMs: ts }),
    );
  }

  private sign(
    height: number,
    round: number,
    step: SignStep,
    timestampMs: number,
    bytesAt: (ts: number) => Uint8Array,
  ): SignResult {
    const signBytes = bytesAt(timestampMs);
    const decision = checkSign(this.last, height, round, step, signBytes, bytesAt);
    if (decision.kind === 'refuse') return { ok: false, reason: decision.reason };
    if (decision.kind === 'reuse') {
      return { ok: true, signature: decision.signature, timestampMs: decision.timestampMs };
    }
    const signature = this.key.sign(signBytes);
    const state: LastSignState = { height, round, step, signBytes, signature, timestampMs };
    this.store.save(state); // durable before the signature is handed out
    this.last = state;
    return { ok: true, signature, timestampMs };
  }
}

/** A store kept in memory: for tests and the simulation (where "disk" survives a simulated crash). */
export function memorySignStateStore(
  initial?: LastSignState,
): SignStateStore & { current(): LastSignState | undefined } {
  let state = initial;
  return {
    load: () => state,
    save: (s) => {
      state = s;
    },
    current: () => state,
  };
}
