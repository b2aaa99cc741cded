/**
 * The Tendermint consensus engine as a pure machine: Algorithm 1 of "The latest gossip on BFT
 * consensus" (Buchman, Kwon, Milosevic 2018), weighted by voting power. `handle(event, nowMs)`
 * returns the outputs; the engine reads no clock, touches no socket and draws no random number.
 * Line numbers below are the paper's.
 *
 * Asynchrony the paper leaves implicit: getValue() is a `request-value` answered by
 * `value-ready`; valid(v) is a `request-validation` answered by `proposal-validated` (rules that
 * need valid(v) wait for the answer). "Commit applied" is the host's `start-height` of the next
 * height. One addition: the proposer also schedules timeoutPropose, so a host that never answers
 * `request-value` costs a round, not liveness (as CometBFT does).
 */
import { GridLedgerError } from '../errors.ts';
import { voteTimeMs } from './bftTime.ts';
import { makeDuplicateVoteEvidence } from './evidence.ts';
import { proposalSignBytes, voteSignBytes } from './signBytes.ts';
import type {
  ConsensusEvent,
  ConsensusOutput,
  Hex,
  PrivValidator,
  SignatureVerifier,
  SignedProposal,
  SignedVote,
  Step,
  TimeoutConfig,
  TimeoutKind,
  VoteType,
} from './types.ts';
import type { ValidatorSet } from './validatorSet.ts';
import { isOneThird, isQuorum, VoteTally } from './voteTally.ts';

export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  proposeMs: 3000,
  proposeDeltaMs: 500,
  prevoteMs: 1000,
  prevoteDeltaMs: 500,
  precommitMs: 1000,
  precommitDeltaMs: 500,
};

export interface EngineConfig {
  chainId: string;
  /** The validator's key behind the double-sign guard; absent for a node that only follows. */
  signer?: PrivValidator;
  verifier: SignatureVerifier;
  /** id(v): the block id of a value (pure, e.g. a hash of the block header). */
  blockIdOf(value: Uint8Array): Hex;
  timeouts?: Partial<TimeoutConfig>;
  /** Messages of the next height kept until it starts (default 10,000). */
  maxBufferedMessages?: number;
}

export interface EngineStatus {
  height: number;
  round: number;
  step: Step;
  decided: boolean;
  lockedRound: number;
  lockedBlockId: Hex | null;
  validRound: number;
  validBlockId: Hex | null;
}

type Validity = 'pending' | 'valid' | 'invalid';
interface ValueEntry {
  value: Uint8Array;
  validity: Validity;
  blockTimeMs: number;
}

interface RoundState {
  /**
   * Proposals of the round's proposer, in arrival order, one per block id. A correct proposer
   * sends one; a Byzantine one may send several, and the rules match any of them, so a node
   * that first heard another version can still decide the one the others decided.
   */
  proposals: SignedProposal[];
  prevotes: VoteTally;
  precommits: VoteTally;
  /** Validators with any message in this round, and their power (line 55). */
  senders: Set<Hex>;
  sendersPower: number;
  prevoteTimeoutScheduled: boolean; // line 34 "for the first time"
  precommitTimeoutScheduled: boolean; // line 47 "for the first time"
  polkaSeen: boolean; // line 36 "for the first time"
}

interface HeightState {
  height: number;
  validators: ValidatorSet;
  prevBlockTimeMs: number;
  rounds: Map<number, RoundState>;
  values: Map<Hex, ValueEntry>;
  /** Time of the decided block, once decided; evidence of this height carries it. */
  decidedBlockTimeMs: number | undefined;
  pendingConflicts: [SignedVote, SignedVote][];
  evidenceSeen: Set<string>;
}

type Message = { kind: 'proposal'; proposal: SignedProposal } | { kind: 'vote'; vote: SignedVote };

/** Proposals kept per round unless votes of more than 1/3 of the power back a further one. */
const MAX_UNBACKED_PROPOSALS = 2;

/**
 * Messages more rounds ahead than this are ignored: they would cost memory and, for proposals,
 * O(rounds) proposer computations, and correct processes never run that far ahead of a peer.
 */
export const MAX_ROUNDS_AHEAD = 10_000;
const isHex = (s: unknown): s is string => typeof s === 'string' && /^(?:[0-9a-f]{2})+$/.test(s);
const isNat = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function newRound(): RoundState {
  return {
    proposals: [],
    prevotes: new VoteTally(),
    precommits: new VoteTally(),
    senders: new Set(),
    sendersPower: 0,
    prevoteTimeoutScheduled: false,
    precommitTimeoutScheduled: false,
    polkaSeen: false,
  };
}

export class ConsensusEngine {
  private readonly cfg: EngineConfig;
  private readonly timeouts: TimeoutConfig;
  private readonly maxBuffered: number;

  private cur: HeightState | undefined;
  private prev: HeightState | undefined;
  private decided = false;
  private round = -1;
  private step: Step = 'propose';
  private lockedValue: Hex | null = null;
  private lockedRound = -1;
  private validValue: Hex | null = null;
  private validRound = -1;
  private buffered: Message[] = [];

  private out: ConsensusOutput[] = [];
  private now = 0;

  constructor(config: EngineConfig) {
    if (config.chainId.length === 0) throw new GridLedgerError('CONSENSUS_CONFIG', 'chain id must not be empty');
    this.cfg = config;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.maxBuffered = config.maxBufferedMessages ?? 10_000;
  }

  status(): EngineStatus {
    return {
      height: this.cur?.height ?? 0,
      round: this.round,
      step: this.step,
      decided: this.decided,
      lockedRound: this.lockedRound,
      lockedBlockId: this.lockedValue,
      validRound: this.validRound,
      validBlockId: this.validValue,
    };
  }

  /** Feeds one event; `nowMs` is the host's clock reading, used only for the times in signed messages. */
  handle(event: ConsensusEvent, nowMs: number): ConsensusOutput[] {
    this.out = [];
    this.now = nowMs;
    switch (event.type) {
      case 'start-height':
        this.onStartHeight(event.height, event.validators, event.prevBlockTimeMs);
        break;
      case 'proposal':
        this.onMessage({ kind: 'proposal', proposal: event.proposal });
        break;
      case 'vote':
        this.onMessage({ kind: 'vote', vote: event.vote });
        break;
      case 'timeout':
        this.onTimeout(event.kind, event.height, event.round);
        break;
      case 'proposal-validated':
        this.onValidated(event.height, event.blockId, event.valid, event.blockTimeMs);
        break;
      case 'value-ready':
        this.onValueReady(event.height, event.round, event.value, event.blockTimeMs);
        break;
    }
    this.evaluate();
    return this.out;
  }

  // ---- events ----

  private onStartHeight(height: number, validators: ValidatorSet, prevBlockTimeMs: number): void {
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new GridLedgerError('CONSENSUS_BAD_HEIGHT', `cannot start height ${height}`);
    }
    if (this.cur !== undefined && height <= this.cur.height) return; // stale
    this.prev = this.cur !== undefined && this.decided && height === this.cur.height + 1 ? this.cur : undefined;
    this.cur = {
      height,
      validators,
      prevBlockTimeMs,
      rounds: new Map(),
      values: new Map(),
      decidedBlockTimeMs: undefined,
      pendingConflicts: [],
      evidenceSeen: new Set(),
    };
    this.decided = false;
    this.lockedValue = null;
    this.lockedRound = -1;
    this.validValue = null;
    this.validRound = -1;
    this.startRound(0);
    const waiting = this.buffered;
    this.buffered = [];
    for (const m of waiting) this.onMessage(m);
  }

  private onMessage(m: Message): void {
    const height = m.kind === 'vote' ? m.vote.height : m.proposal.height;
    const cur = this.cur;
    if (cur === undefined || height > cur.height) {
      // Keep the next height's messages (or any before the first start) until it starts.
      const next = cur === undefined || height === cur.height + 1;
      if (next && this.buffered.length < this.maxBuffered) this.buffered.push(m);
      return;
    }
    const round = m.kind === 'vote' ? m.vote.round : m.proposal.round;
    if (typeof round === 'number' && round > Math.max(this.round, 0) + MAX_ROUNDS_AHEAD) return;
    if (height === cur.height) {
      if (m.kind === 'vote') this.addVote(cur, m.vote);
      else if (!this.decided) this.addProposal(cur, m.proposal);
    } else if (this.prev !== undefined && height === this.prev.height && m.kind === 'vote') {
      this.addVote(this.prev, m.vote); // late votes of the last height still reveal equivocation
    }
  }

  private onTimeout(kind: TimeoutKind, height: number, round: number): void {
    const cur = this.cur;
    if (cur === undefined || this.decided || height !== cur.height || round !== this.round) return;
    if (kind === 'propose' && this.step === 'propose') {
      // line 57: OnTimeoutPropose
      this.castVote('prevote', null);
      this.step = 'prevote';
    } else if (kind === 'prevote' && this.step === 'prevote') {
      // line 61: OnTimeoutPrevote
      this.castVote('precommit', null);
      this.step = 'precommit';
    } else if (kind === 'precommit') {
      // line 65: OnTimeoutPrecommit
      this.startRound(this.round + 1);
    }
  }

  private onValidated(height: number, blockId: Hex, valid: boolean, blockTimeMs: number): void {
    const entry = this.cur?.height === height ? this.cur.values.get(blockId) : undefined;
    if (entry === undefined || entry.validity !== 'pending') return;
    entry.validity = valid ? 'valid' : 'invalid';
    entry.blockTimeMs = blockTimeMs;
  }

  private onValueReady(height: number, round: number, value: Uint8Array, blockTimeMs: number): void {
    const cur = this.cur;
    if (cur === undefined || this.decided || height !== cur.height || round !== this.round) return;
    if (this.step !== 'propose' || !this.isProposer(cur, round)) return;
    if (this.roundState(cur, round).proposals.length > 0) return;
    // line 18: proposal <- getValue(); our own value is valid by construction.
    const blockId = this.cfg.blockIdOf(value);
    cur.values.set(blockId, { value, validity: 'valid', blockTimeMs });
    this.propose(cur, blockId, -1);
  }

  // ---- messages ----

  private addProposal(cur: HeightState, p: SignedProposal): void {
    const bad = (reason: string): void => {
      this.out.push({ type: 'invalid-message', reason, height: p.height, round: p.round, from: p.proposer });
    };
    if (!isNat(p.round) || !Number.isSafeInteger(p.polRound) || p.polRound < -1 || p.polRound >= p.round) {
      return bad('bad round or POL round');
    }
    if (!isHex(p.blockId) || !Number.isSafeInteger(p.timestampMs) || !(p.value instanceof Uint8Array)) {
      return bad('malformed proposal');
    }
    if (p.proposer !== cur.validators.proposerForRound(p.round).address) return bad('not the proposer of the round');
    const rs = this.roundState(cur, p.round);
    if (rs.proposals.some((q) => q.blockId === p.blockId)) return;
    const backed = (t: VoteTally): boolean => isOneThird(t.power(p.blockId), cur.validators.totalVotingPower);
    if (rs.proposals.length >= MAX_UNBACKED_PROPOSALS && !backed(rs.prevotes) && !backed(rs.precommits)) return;
    const proposer = cur.validators.getByAddress(p.proposer);
    if (proposer === undefined) return bad('unknown proposer');
    const signBytes = proposalSignBytes(this.cfg.chainId, p);
    if (!this.cfg.verifier.verify(proposer.publicKey, signBytes, p.signature)) return bad('bad signature');
    if (this.cfg.blockIdOf(p.value) !== p.blockId) return bad('block id does not match the value');
    rs.proposals.push(p);
    this.markSender(cur, rs, p.proposer);
    if (!cur.values.has(p.blockId)) {
      cur.values.set(p.blockId, { value: p.value, validity: 'pending', blockTimeMs: 0 });
      const { blockId, value } = p;
      this.out.push({ type: 'request-validation', height: cur.height, round: p.round, blockId, value });
    }
  }

  private addVote(hs: HeightState, v: SignedVote): void {
    const bad = (reason: string): void => {
      this.out.push({ type: 'invalid-message', reason, height: v.height, round: v.round, from: v.validator });
    };
    if ((v.type !== 'prevote' && v.type !== 'precommit') || !isNat(v.round)) return bad('bad vote type or round');
    if ((v.blockId !== null && !isHex(v.blockId)) || !Number.isSafeInteger(v.timestampMs)) return bad('malformed vote');
    const val = hs.validators.getByAddress(v.validator);
    if (val === undefined) return bad('not a validator');
    const rs = this.roundState(hs, v.round);
    const tally = v.type === 'prevote' ? rs.prevotes : rs.precommits;
    const result = tally.classify(v);
    if (result.kind === 'duplicate') return;
    const signBytes = voteSignBytes(this.cfg.chainId, v);
    if (!this.cfg.verifier.verify(val.publicKey, signBytes, v.signature)) return bad('bad signature');
    if (result.kind === 'conflict') this.conflict(hs, result.first, v);
    tally.add(v, val.votingPower);
    this.markSender(hs, rs, v.validator);
  }

  private conflict(hs: HeightState, a: SignedVote, b: SignedVote): void {
    const id = `${a.validator}/${a.round}/${a.type}`;
    if (hs.evidenceSeen.has(id)) return;
    hs.evidenceSeen.add(id);
    if (hs.decidedBlockTimeMs === undefined) hs.pendingConflicts.push([a, b]);
    else {
      const evidence = makeDuplicateVoteEvidence(a, b, hs.validators, hs.decidedBlockTimeMs);
      this.out.push({ type: 'evidence', evidence });
    }
  }

  private markSender(hs: HeightState, rs: RoundState, address: Hex): void {
    if (rs.senders.has(address)) return;
    rs.senders.add(address);
    rs.sendersPower += hs.validators.getByAddress(address)?.votingPower ?? 0;
  }

  // ---- the rules ----

  /** Applies the rules of Algorithm 1 until none fires. */
  private evaluate(): void {
    const cur = this.cur;
    if (cur === undefined) return;
    const total = cur.validators.totalVotingPower;
    for (;;) {
      if (this.decided) return;
      if (this.tryDecide(cur, total)) return;

      // line 55: f+1 messages of a higher round -> StartRound(that round)
      let skipTo = -1;
      for (const [r, rs] of cur.rounds) {
        if (r > this.round && r > skipTo && isOneThird(rs.sendersPower, total)) skipTo = r;
      }
      if (skipTo >= 0) {
        this.startRound(skipTo);
        continue;
      }

      const rs = this.roundState(cur, this.round);
      if (this.step === 'propose' && rs.proposals.some((p) => this.prevoteOnProposal(cur, p, total))) continue;

      // line 34: 2f+1 prevotes of any kind while in prevote, for the first time
      if (this.step === 'prevote' && !rs.prevoteTimeoutScheduled && isQuorum(rs.prevotes.totalPower, total)) {
        rs.prevoteTimeoutScheduled = true;
        this.schedule('prevote', this.round);
      }

      // line 36: proposal + 2f+1 prevotes for it in this round, valid, step >= prevote, first time
      const polka =
        rs.polkaSeen || this.step === 'propose'
          ? undefined
          : rs.proposals.find((q) => isQuorum(rs.prevotes.power(q.blockId), total));
      if (polka !== undefined && cur.values.get(polka.blockId)?.validity === 'valid') {
        rs.polkaSeen = true;
        if (this.step === 'prevote') {
          this.lockedValue = polka.blockId;
          this.lockedRound = this.round;
          this.castVote('precommit', polka.blockId);
          this.step = 'precommit';
        }
        this.validValue = polka.blockId;
        this.validRound = this.round;
        continue;
      }

      // line 44: 2f+1 prevotes for nil while in prevote
      if (this.step === 'prevote' && isQuorum(rs.prevotes.power(null), total)) {
        this.castVote('precommit', null);
        this.step = 'precommit';
        continue;
      }

      // line 47: 2f+1 precommits of any kind, for the first time
      if (!rs.precommitTimeoutScheduled && isQuorum(rs.precommits.totalPower, total)) {
        rs.precommitTimeoutScheduled = true;
        this.schedule('precommit', this.round);
      }
      return;
    }
  }

  /** Lines 22 and 28: the prevote on the round's proposal. Returns true if it voted. */
  private prevoteOnProposal(cur: HeightState, p: SignedProposal, total: number): boolean {
    const v = p.blockId;
    let lockAllows: boolean;
    if (p.polRound === -1) {
      // line 22: valid(v) and (lockedRound = -1 or lockedValue = v)
      lockAllows = this.lockedRound === -1 || this.lockedValue === v;
    } else {
      // line 28: needs 2f+1 prevotes for v in round vr; then valid(v) and (lockedRound <= vr or lockedValue = v)
      const pol = cur.rounds.get(p.polRound);
      if (pol === undefined || !isQuorum(pol.prevotes.power(v), total)) return false;
      lockAllows = this.lockedRound <= p.polRound || this.lockedValue === v;
    }
    // Locked elsewhere: nil whatever valid(v) says, so no need to wait for validation.
    if (!lockAllows) {
      this.castVote('prevote', null);
      this.step = 'prevote';
      return true;
    }
    const validity = cur.values.get(v)?.validity ?? 'pending';
    if (validity === 'pending') return false;
    this.castVote('prevote', validity === 'valid' ? v : null);
    this.step = 'prevote';
    return true;
  }

  /** Line 49: a proposal of some round r with 2f+1 precommits for it in r, and valid -> decide. */
  private tryDecide(cur: HeightState, total: number): boolean {
    const rounds = [...cur.rounds.keys()].sort((a, b) => a - b);
    for (const r of rounds) {
      const rs = cur.rounds.get(r) as RoundState;
      const p = rs.proposals.find((q) => isQuorum(rs.precommits.power(q.blockId), total));
      if (p === undefined) continue;
      const entry = cur.values.get(p.blockId);
      if (entry?.validity !== 'valid') continue;
      this.decided = true;
      cur.decidedBlockTimeMs = entry.blockTimeMs;
      this.out.push({
        type: 'decide',
        height: cur.height,
        round: r,
        blockId: p.blockId,
        value: entry.value,
        blockTimeMs: entry.blockTimeMs,
        commit: { height: cur.height, round: r, blockId: p.blockId, precommits: rs.precommits.votesFor(p.blockId) },
        proposal: p,
      });
      for (const [a, b] of cur.pendingConflicts) {
        const evidence = makeDuplicateVoteEvidence(a, b, cur.validators, entry.blockTimeMs);
        this.out.push({ type: 'evidence', evidence });
      }
      cur.pendingConflicts = [];
      return true;
    }
    return false;
  }

  /** Line 11: StartRound(round). */
  private startRound(round: number): void {
    const cur = this.cur as HeightState;
    this.round = round;
    this.step = 'propose';
    this.roundState(cur, round);
    if (this.isProposer(cur, round)) {
      if (this.validValue !== null) this.propose(cur, this.validValue, this.validRound); // line 16
      else this.out.push({ type: 'request-value', height: cur.height, round }); // line 18
    }
    this.schedule('propose', round); // line 21 (see the header for the proposer)
  }

  // ---- acting ----

  private isProposer(cur: HeightState, round: number): boolean {
    const me = this.cfg.signer?.address;
    return me !== undefined && cur.validators.proposerForRound(round).address === me;
  }

  /** Line 19: broadcast <PROPOSAL, h, round, v, vr>, and receive it ourselves. */
  private propose(cur: HeightState, blockId: Hex, polRound: number): void {
    const signer = this.cfg.signer as PrivValidator;
    const entry = cur.values.get(blockId) as ValueEntry;
    const round = this.round;
    const unsigned = { height: cur.height, round, polRound, blockId, timestampMs: this.now, proposer: signer.address };
    const res = signer.signProposal(this.cfg.chainId, unsigned);
    if (!res.ok) {
      this.out.push({ type: 'sign-refused', reason: res.reason, height: cur.height, round, step: 'propose' });
      return;
    }
    const proposal: SignedProposal = {
      ...unsigned,
      timestampMs: res.timestampMs,
      signature: res.signature,
      value: entry.value,
    };
    const rs = this.roundState(cur, round);
    rs.proposals.push(proposal);
    this.markSender(cur, rs, signer.address);
    this.out.push({ type: 'broadcast-proposal', proposal });
  }

  /** Broadcast a vote and count it ourselves. A non-validator, or a refusal of the guard, sends nothing. */
  private castVote(type: VoteType, blockId: Hex | null): void {
    const cur = this.cur as HeightState;
    const signer = this.cfg.signer;
    const me = signer === undefined ? undefined : cur.validators.getByAddress(signer.address);
    if (signer === undefined || me === undefined) return;
    const minTime = blockId === null ? cur.prevBlockTimeMs : (cur.values.get(blockId) as ValueEntry).blockTimeMs;
    const timestampMs = voteTimeMs(this.now, minTime);
    const unsigned = { type, height: cur.height, round: this.round, blockId, timestampMs, validator: me.address };
    const res = signer.signVote(this.cfg.chainId, unsigned);
    if (!res.ok) {
      this.out.push({ type: 'sign-refused', reason: res.reason, height: cur.height, round: this.round, step: type });
      return;
    }
    const vote: SignedVote = { ...unsigned, timestampMs: res.timestampMs, signature: res.signature };
    const rs = this.roundState(cur, this.round);
    const tally = type === 'prevote' ? rs.prevotes : rs.precommits;
    if (tally.classify(vote).kind === 'added') {
      tally.add(vote, me.votingPower);
      this.markSender(cur, rs, me.address);
    }
    this.out.push({ type: 'broadcast-vote', vote });
  }

  private schedule(kind: TimeoutKind, round: number): void {
    const t = this.timeouts;
    const durationMs =
      kind === 'propose'
        ? t.proposeMs + t.proposeDeltaMs * round
        : kind === 'prevote'
          ? t.prevoteMs + t.prevoteDeltaMs * round
          : t.precommitMs + t.precommitDeltaMs * round;
    this.out.push({ type: 'schedule-timeout', kind, height: (this.cur as HeightState).height, round, durationMs });
  }

  private roundState(hs: HeightState, round: number): RoundState {
    let rs = hs.rounds.get(round);
    if (rs === undefined) {
      rs = newRound();
      hs.rounds.set(round, rs);
    }
    return rs;
  }
}
