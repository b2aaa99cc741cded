/**
 * Messages, events and outputs of the consensus engine. A block is opaque here: `value` is its
 * bytes and `blockId` the lowercase hex id the host's `blockIdOf` computes from them.
 */
import type { ValidatorSet } from './validatorSet.ts';

/** Lowercase hex; equal-length hex strings compare like the bytes they encode. */
export type Hex = string;

export type VoteType = 'prevote' | 'precommit';
export type Step = 'propose' | 'prevote' | 'precommit';
export type TimeoutKind = Step;

/** A vote before signing. `blockId` null is a vote for nil. */
export interface UnsignedVote {
  type: VoteType;
  height: number;
  round: number;
  blockId: Hex | null;
  timestampMs: number;
  validator: Hex;
}

export interface SignedVote extends UnsignedVote {
  signature: Uint8Array;
}

/** A proposal before signing. `polRound` is -1 or the round of the POL the value carries. */
export interface UnsignedProposal {
  height: number;
  round: number;
  polRound: number;
  blockId: Hex;
  timestampMs: number;
  proposer: Hex;
}

export interface SignedProposal extends UnsignedProposal {
  signature: Uint8Array;
  /** The block itself; `blockIdOf(value)` must equal `blockId`. */
  value: Uint8Array;
}

/** > 2/3 of the voting power precommitted `blockId` in `round`: the block is final. */
export interface Commit {
  height: number;
  round: number;
  blockId: Hex;
  /** Precommits for `blockId`, sorted by validator address. */
  precommits: SignedVote[];
}

/** Two votes of one validator at one height, round and type for different block ids. */
export interface DuplicateVoteEvidence {
  /** The vote whose block id sorts first (nil first), as CometBFT orders them. */
  voteA: SignedVote;
  voteB: SignedVote;
  validatorPower: number;
  totalVotingPower: number;
  /** Time of the block at the evidence height. */
  timestampMs: number;
}

export interface TimeoutConfig {
  proposeMs: number;
  proposeDeltaMs: number;
  prevoteMs: number;
  prevoteDeltaMs: number;
  precommitMs: number;
  precommitDeltaMs: number;
}

/** Result of asking the signer; `ok: false` means the double-sign guard refused. */
export type SignResult = { ok: true; signature: Uint8Array; timestampMs: number } | { ok: false; reason: string };

/**
 * The validator's key behind the double-sign guard. Implementations persist the last signed
 * height/round/step durably BEFORE returning a signature (see signGuard.ts). The returned
 * timestamp may differ from the requested one when a signature is reused after a restart.
 */
export interface PrivValidator {
  readonly address: Hex;
  signVote(chainId: string, vote: UnsignedVote): SignResult;
  signProposal(chainId: string, proposal: UnsignedProposal): SignResult;
}

export interface SignatureVerifier {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

// ---- events (host -> engine) ----

/**
 * Starts a height: the first one, and every next one once the host has applied the decided
 * block ("commit applied"). `validators` is the set for this height with its proposer
 * priorities as of round 0; `prevBlockTimeMs` the time of block `height - 1` (genesis time
 * for the first height).
 */
export interface StartHeightEvent {
  type: 'start-height';
  height: number;
  validators: ValidatorSet;
  prevBlockTimeMs: number;
}
export interface ProposalEvent {
  type: 'proposal';
  proposal: SignedProposal;
}
export interface VoteEvent {
  type: 'vote';
  vote: SignedVote;
}
export interface TimeoutEvent {
  type: 'timeout';
  kind: TimeoutKind;
  height: number;
  round: number;
}
/** Answer to `request-validation`: validity of the block, and its time (from its header). */
export interface ProposalValidatedEvent {
  type: 'proposal-validated';
  height: number;
  blockId: Hex;
  valid: boolean;
  blockTimeMs: number;
}
/** Answer to `request-value`: the block this node proposes, and its time. */
export interface ValueReadyEvent {
  type: 'value-ready';
  height: number;
  round: number;
  value: Uint8Array;
  blockTimeMs: number;
}

export type ConsensusEvent =
  | StartHeightEvent
  | ProposalEvent
  | VoteEvent
  | TimeoutEvent
  | ProposalValidatedEvent
  | ValueReadyEvent;

// ---- outputs (engine -> host) ----

export interface BroadcastProposalOutput {
  type: 'broadcast-proposal';
  proposal: SignedProposal;
}
export interface BroadcastVoteOutput {
  type: 'broadcast-vote';
  vote: SignedVote;
}
export interface ScheduleTimeoutOutput {
  type: 'schedule-timeout';
  kind: TimeoutKind;
  height: number;
  round: number;
  durationMs: number;
}
export interface RequestValueOutput {
  type: 'request-value';
  height: number;
  round: number;
}
export interface RequestValidationOutput {
  type: 'request-validation';
  height: number;
  round: number;
  blockId: Hex;
  value: Uint8Array;
}
export interface DecideOutput {
  type: 'decide';
  height: number;
  round: number;
  blockId: Hex;
  value: Uint8Array;
  blockTimeMs: number;
  commit: Commit;
  /** The proposal of `round`: with `commit`, what a lagging peer needs to decide (line 49). */
  proposal: SignedProposal;
}
export interface EvidenceOutput {
  type: 'evidence';
  evidence: DuplicateVoteEvidence;
}
/** A message that failed a check (bad signature, wrong proposer, ...): for peer scoring. */
export interface InvalidMessageOutput {
  type: 'invalid-message';
  reason: string;
  height: number;
  round: number;
  from: Hex;
}
/** The double-sign guard refused to sign: nothing was sent. */
export interface SignRefusedOutput {
  type: 'sign-refused';
  reason: string;
  height: number;
  round: number;
  step: Step;
}

export type ConsensusOutput =
  | BroadcastProposalOutput
  | BroadcastVoteOutput
  | ScheduleTimeoutOutput
  | RequestValueOutput
  | RequestValidationOutput
  | DecideOutput
  | EvidenceOutput
  | InvalidMessageOutput
  | SignRefusedOutput;
