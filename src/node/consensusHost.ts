/**
 * The consensus host: drives the pure Tendermint engine (src/consensus) for one node, and is
 * the only code that touches the engine. It
 *
 * - starts heights when the block policy says so (a real chain: at least every `intervalMs`,
 *   at once while transactions wait; an on-demand chain: only when transactions wait, the host
 *   asked for a block, a deadline came, or a peer is already working on the next height);
 * - answers the engine: builds proposals with whole blocks (mempool, pending evidence, the last
 *   commit with the BFT time it gives) and validates others' blocks (blockValidation.ts, then the
 *   ledger's processProposal);
 * - applies decided blocks: finalizeBlock, then block + state changes + tx index + commit record
 *   in one store transaction, then app.commit(), the WAL's end of height, and mempool.update;
 * - logs every input the engine acts on in the WAL before acting on it, and every message it
 *   signs (synced) before sending it; the double-sign guard (GuardedSigner) has saved the sign
 *   state before the signature exists. A restart replays the log of the unfinished height.
 * - gossips: status every `gossipIntervalMs`, and the messages of the current height again
 *   when a whole interval passed without progress; turns engine evidence into block evidence;
 *   penalizes peers whose messages break the rules.
 *
 * Everything runs synchronously on the caller's turn; timers come from the injected Clock.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type {
  Commit,
  ConsensusEvent,
  ConsensusOutput,
  DecideOutput,
  DuplicateVoteEvidence,
  Hex,
  PrivValidator,
  SignatureVerifier,
  SignedProposal,
  SignedVote,
  TimeoutConfig,
  TimeoutKind,
  ValidatorUpdate,
  Verdict,
} from '../consensus/index.ts';
import { ConsensusEngine, ValidatorSet, validatorAddress, voteSignBytes } from '../consensus/index.ts';
import { GridLedgerError, isGridLedgerError } from '../errors.ts';
import {
  blockId as headerBlockId,
  codecs,
  decodeBlock,
  decodeCanonical,
  EMPTY_COMMIT,
  encodeBlock,
  fromHex,
  makeBlock,
  misbehaviourOf,
  stateKeys,
  toHex,
  votesOf,
  ZERO_HASH,
} from '../ledger/index.ts';
import type { Block, EvidenceItem, FinalizeBlockResult, Genesis, LedgerApp, Mempool } from '../ledger/index.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import type { ChainStore } from './store/chainStore.ts';
import type { Wal } from './wal/wal.ts';
import type { PendingEvidenceStore } from './wal/evidenceFile.ts';
import { BlockSync } from './blockSync.ts';
import { checkBlockLinks, checkEvidence, evidenceKey, headerSetHash, nextBlockTimeMs, toLastCommit } from './blockValidation.ts';
import type { ChainTip, EvidenceRules } from './blockValidation.ts';
import type { Clock } from './clock.ts';
import {
  decodeCommitRecord,
  decodeEvidence,
  decodeProposal,
  decodeStatus,
  decodeVote,
  decodeWalEntry,
  encodeCommitRecord,
  encodeEvidence,
  encodeProposal,
  encodeStatus,
  encodeVote,
  encodeWalEntry,
  TOPIC,
} from './messages.ts';
import type { StoredValidator, SyncedBlock, WalEntry } from './messages.ts';

/** When a node starts the next height. */
export type BlockPolicy =
  /** A real chain: a block at least every `intervalMs`, empty or not; sooner while transactions wait. */
  | { readonly kind: 'interval'; readonly intervalMs: number }
  /** A simulation chain: a block only when transactions wait or one is asked for; never an empty one otherwise. */
  | { readonly kind: 'on-demand' };

export interface ConsensusHostOptions {
  readonly genesis: Genesis;
  readonly app: LedgerApp;
  readonly mempool: Mempool;
  readonly store: ChainStore;
  readonly wal: Wal;
  /** Where pending evidence survives a restart (default: nowhere, it lives in memory only). */
  readonly evidenceStore?: PendingEvidenceStore;
  /** The validator key behind the double-sign guard; undefined for a node that follows. */
  readonly signer: PrivValidator | undefined;
  readonly transport: PeerTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly verifier: SignatureVerifier;
  readonly policy: BlockPolicy;
  readonly timeouts?: Partial<TimeoutConfig>;
  /** Status broadcast and re-send of a stalled height's messages (default 500 ms). */
  readonly gossipIntervalMs?: number;
  /** Pause after a commit before the next height, to collect late precommits (default 10 ms). */
  readonly commitWaitMs?: number;
  /** Largest block the node proposes (bytes of transactions); keep a proposal inside one frame. */
  readonly maxBlockBytes: number;
  /** Block sync: how long a peer one height ahead is left to consensus (default 500 ms). */
  readonly syncGraceMs?: number;
  /** Local time by which the application needs a block (e.g. a market deadline), asked after each commit. */
  readonly needsBlockAt?: (app: LedgerApp) => number | undefined;
  /** Runs just before a height starts (the node flushes its transaction gossip). */
  readonly beforeHeightStart?: () => void;
  readonly onCommitted: (block: AppliedBlock) => void;
  /** The node must stop: a broken invariant or a failed disk write. */
  readonly onHalt: (err: unknown) => void;
}

export interface AppliedBlock {
  readonly height: number;
  readonly blockId: Uint8Array;
  readonly blockIdHex: Hex;
  readonly block: Block;
  readonly bytes: Uint8Array;
  readonly results: FinalizeBlockResult['txResults'];
  /** Applied from block sync rather than decided by this node's consensus. */
  readonly synced: boolean;
}

export interface HostStatus {
  readonly height: number;
  readonly blockId: Uint8Array;
  readonly timeMs: number;
  readonly catchingUp: boolean;
  /** The height consensus runs now (0 before the first start). */
  readonly consensusHeight: number;
  readonly round: number;
  readonly step: string;
  /** Evidence found or received and not yet committed. */
  readonly pendingEvidence: number;
}

/** Validator sets around the next height, and the one after it before its priority increment. */
interface Sets {
  last: ValidatorSet | undefined;
  current: ValidatorSet;
  next: ValidatorSet;
  nextBefore: ValidatorSet;
}

interface QueueItem {
  event: ConsensusEvent;
  log: boolean;
  nowMs: number | undefined;
  peer: PeerId | undefined;
}

interface DecodedValue {
  block: Block;
  id: Hex;
}

const MAX_EVIDENCE_PER_BLOCK = 16;
const RECENT_SETS = 256;

const validatorRecordSchema = z.object({ pubKey: z.instanceof(Uint8Array), tombstoned: z.boolean() });

function toConsensusUpdate(u: { pubKey: Uint8Array; power: number }): ValidatorUpdate {
  return { address: validatorAddress(u.pubKey), publicKey: u.pubKey, votingPower: u.power };
}

function restoreSet(stored: readonly StoredValidator[]): ValidatorSet {
  return ValidatorSet.fromValidators(stored.map((v) => ({ address: validatorAddress(v.publicKey), ...v })));
}

const sigKey = (signature: Uint8Array): string => Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('hex');

export class ConsensusHost {
  private readonly o: ConsensusHostOptions;
  private readonly engine: ConsensusEngine;
  private readonly sync: BlockSync;
  private readonly chainId: string;
  private readonly myAddress: Uint8Array | undefined;
  private readonly gossipIntervalMs: number;
  private readonly commitWaitMs: number;

  private tip: ChainTip;
  private sets: Sets;
  /** The commit of the last block, with precommits that arrived after the decision. */
  private lastCommit: Commit | undefined;
  private readonly recentSets = new Map<number, ValidatorSet>();
  private readonly blockTimes = new Map<number, number>();
  /** Height last given to the engine (0: none yet). */
  private engineHeight = 0;
  private lastStartAtMs = Number.NEGATIVE_INFINITY;
  private lastCommitAtMs: number;
  /** Blocks were asked for: make them until one with a time at or after `untilTimeMs` is committed. */
  private blockRequest: { untilTimeMs: number } | undefined;
  /** A peer said it runs the next height: wake up for it (an on-demand chain). */
  private peerWorking = false;

  private readonly queue: QueueItem[] = [];
  private draining = false;
  private replaying = false;
  /** The clock reading the engine got with the input it is handling (own WAL records carry it). */
  private handleNowMs = 0;
  private pendingValueRequest: { height: number; round: number } | undefined;
  private readonly decoded = new WeakMap<Uint8Array, DecodedValue | null>();
  /** Blocks of the current (and next) height by id, so an own proposal's WAL record carries its block. */
  private readonly valuesById = new Map<Hex, { height: number; value: Uint8Array }>();
  /** Messages of recent heights by signature: dedupe, and re-send when a height stalls. */
  private readonly seen = new Map<number, Map<string, { topic: number; bytes: Uint8Array }>>();
  private readonly pendingEvidence = new Map<string, EvidenceItem>();
  private readonly committedEvidence = new Set<string>();

  private readonly timers = new Set<() => void>();
  private cancelStart: (() => void) | undefined;
  private lastTickKey = '';
  /** Proposals and votes taken from peers: a height with new ones since the last tick is not stalled. */
  private signedInputs = 0;
  private signedInputsAtTick = 0;
  private started = false;
  private stopped = false;
  private halted: unknown;
  /** Inputs handled (the in-process cluster watches it to tell when a virtual-time run is idle). */
  activity = 0;

  constructor(opts: ConsensusHostOptions) {
    this.o = opts;
    this.chainId = opts.genesis.chainId;
    this.gossipIntervalMs = opts.gossipIntervalMs ?? 500;
    this.commitWaitMs = opts.commitWaitMs ?? 10;
    this.myAddress = opts.signer === undefined ? undefined : fromHex(opts.signer.address);
    this.lastCommitAtMs = opts.clock.nowMs();
    const restored = this.restore();
    this.tip = restored.tip;
    this.sets = restored.sets;
    this.lastCommit = restored.lastCommit;
    if (restored.sets.last !== undefined) this.recentSets.set(this.tip.height, restored.sets.last);
    this.engine = new ConsensusEngine({
      chainId: this.chainId,
      ...(opts.signer === undefined ? {} : { signer: this.loggingSigner(opts.signer) }),
      verifier: opts.verifier,
      blockIdOf: (value) => this.decodeValue(value)?.id ?? '',
      ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
    });
    this.sync = new BlockSync({
      host: {
        chainId: this.chainId,
        committedHeight: () => this.tip.height,
        nextHeightSet: () => this.sets.current,
        storedBlock: (h) => this.storedBlock(h),
        applySynced: (block, bytes, commit) => this.applySynced(block, bytes, commit),
      },
      transport: opts.transport,
      clock: opts.clock,
      verifier: opts.verifier,
      log: (details, message) => opts.logger.warn(details, message),
      ...(opts.syncGraceMs === undefined ? {} : { graceMs: opts.syncGraceMs }),
    });
  }

  // ---- life cycle ----

  /** Replays the WAL of the unfinished height, then runs. */
  start(): void {
    if (this.started) throw new GridLedgerError('NODE_BAD_STATE', 'consensus host already started');
    this.started = true;
    this.loadEvidence();
    const S = this.tip.height;
    const wal = this.o.wal;
    if (wal.height() < S + 1) wal.endHeight(S); // crashed between the store commit and the end of height
    if (wal.height() > S + 1) throw new GridLedgerError('NODE_WAL_AHEAD', `the WAL is at height ${wal.height()} but the store only at ${S}`);
    const records = wal.replay(S + 1);
    if (records.length > 0) {
      this.replaying = true;
      try {
        this.startNextHeight();
        for (const r of records) {
          const entry = decodeWalEntry(r.data);
          if (entry.kind === 'proposal') this.remember(entry.proposal.height, entry.proposal.signature, TOPIC.proposal, encodeProposal(entry.proposal));
          if (entry.kind === 'vote') this.remember(entry.vote.height, entry.vote.signature, TOPIC.vote, encodeVote(entry.vote));
          this.feed(eventOf(entry), { log: false, nowMs: entry.nowMs });
        }
      } finally {
        this.replaying = false;
      }
      this.o.logger.info({ height: S + 1, records: records.length }, 'consensus: replayed the WAL');
      const pending = this.pendingValueRequest;
      const st = this.engine.status();
      if (pending !== undefined && st.height === pending.height && st.round === pending.round && st.step === 'propose') this.buildProposal(pending.height, pending.round);
    }
    this.scheduleNextHeight();
    this.armTick();
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
    this.cancelStart?.();
    this.sync.stop();
  }

  status(): HostStatus {
    const st = this.engine.status();
    return {
      height: this.tip.height,
      blockId: this.tip.blockId,
      timeMs: this.tip.timeMs,
      catchingUp: this.sync.catchingUp(),
      consensusHeight: this.engineHeight,
      round: st.round,
      step: st.step,
      pendingEvidence: this.pendingEvidence.size,
    };
  }

  get haltReason(): unknown {
    return this.halted;
  }

  /** Blocks applied from peers by block sync. */
  get syncedBlocks(): number {
    return this.sync.appliedBlocks;
  }

  /**
   * Ask for blocks even without transactions. Without an argument: the next block. With
   * `minBlockTimeMs` (a market deadline): blocks until one whose time is at or after it is
   * committed. A block's time is the BFT time of the previous block's commit, so after an idle
   * spell that takes two blocks: the first one's precommits carry the new time, the second one
   * has it.
   */
  requestBlock(minBlockTimeMs?: number): void {
    if (minBlockTimeMs !== undefined && minBlockTimeMs <= this.tip.timeMs) return; // the last block already has that time
    const until = Math.max(minBlockTimeMs ?? Number.NEGATIVE_INFINITY, this.blockRequest?.untilTimeMs ?? Number.NEGATIVE_INFINITY);
    this.blockRequest = { untilTimeMs: until };
    this.scheduleNextHeight();
  }

  /** New transactions are ready in the mempool. */
  onTxsAdded(): void {
    if (!this.working()) this.scheduleNextHeight();
  }

  // ---- network ----

  onPeerConnect(peer: PeerId): void {
    this.o.transport.send(peer, TOPIC.status, encodeStatus({ height: this.tip.height, working: this.working() }));
    // Evidence found while the peer was away (or before this node's restart) reaches it too.
    for (const item of this.pendingEvidence.values()) this.o.transport.send(peer, TOPIC.evidence, encodeEvidence(item));
  }

  onPeerDisconnect(peer: PeerId): void {
    this.sync.onPeerGone(peer);
  }

  onMessage(peer: PeerId, topic: number, bytes: Uint8Array): void {
    if (this.stopped || this.halted !== undefined) return;
    this.activity++;
    try {
      switch (topic) {
        case TOPIC.proposal:
          return this.onSigned(peer, topic, bytes, decodeProposal(bytes));
        case TOPIC.vote:
          return this.onSigned(peer, topic, bytes, decodeVote(bytes));
        case TOPIC.evidence:
          return this.onEvidence(peer, decodeEvidence(bytes));
        case TOPIC.status:
          return this.onStatus(peer, decodeStatus(bytes));
        case TOPIC.syncRequest:
          return this.sync.onRequest(peer, bytes);
        case TOPIC.syncResponse:
          return this.sync.onResponse(peer, bytes);
        default:
          this.o.transport.penalize(peer, 'unwanted');
      }
    } catch (e) {
      if (isGridLedgerError(e) && e.code === 'NODE_MSG_UNDECODABLE') {
        this.o.transport.penalize(peer, 'undecodable');
        return;
      }
      this.halt(e);
    }
  }

  private onSigned(peer: PeerId, topic: number, bytes: Uint8Array, msg: SignedProposal | SignedVote): void {
    const h = msg.height;
    this.sync.notePeerHeight(peer, h - 1);
    const engineAt = Math.max(this.engineHeight, this.tip.height);
    if (h < engineAt - 1 || h > engineAt + 1) return;
    // Of decided heights only votes still matter (they reveal equivocation, or complete the last commit).
    if (h <= this.tip.height && !('type' in msg)) return;
    if (!this.remember(h, msg.signature, topic, bytes)) return;
    if ('type' in msg && msg.type === 'precommit' && h === this.tip.height) this.addLatePrecommit(msg);
    const event: ConsensusEvent = 'type' in msg ? { type: 'vote', vote: msg } : { type: 'proposal', proposal: msg };
    this.signedInputs++;
    this.feed(event, { log: true, peer });
    if (h === this.tip.height + 1 && !this.working()) this.startNextHeight();
  }

  private onStatus(peer: PeerId, s: { height: number; working: boolean }): void {
    this.sync.onStatus(peer, s);
    if (s.height === this.tip.height && s.working && !this.working()) {
      this.peerWorking = true;
      this.scheduleNextHeight();
    }
  }

  private onEvidence(peer: PeerId, item: EvidenceItem): void {
    const key = evidenceKey(item);
    if (this.pendingEvidence.has(key) || this.committedEvidence.has(key)) return;
    const v = checkEvidence(item, this.tip.height + 1, this.evidenceRules(), this.o.verifier, this.chainId);
    if (!v.ok) {
      // Evidence from heights this node has not reached yet is not the peer's fault.
      if (v.reason === 'bad vote signature') this.o.transport.penalize(peer, 'invalid-signature');
      return;
    }
    this.pendingEvidence.set(key, item);
    this.saveEvidence();
  }

  private remember(height: number, signature: Uint8Array, topic: number, bytes: Uint8Array): boolean {
    let byKey = this.seen.get(height);
    if (byKey === undefined) {
      byKey = new Map();
      this.seen.set(height, byKey);
    }
    const k = sigKey(signature);
    if (byKey.has(k)) return false;
    byKey.set(k, { topic, bytes });
    return true;
  }

  private forget(height: number, signature: Uint8Array): void {
    this.seen.get(height)?.delete(sigKey(signature));
  }

  private broadcastStatus(): void {
    this.o.transport.broadcast(TOPIC.status, encodeStatus({ height: this.tip.height, working: this.working() }));
  }

  // ---- heights ----

  private working(): boolean {
    return this.engineHeight > this.tip.height;
  }

  /** (Re)arms the timer that starts the next height, as the block policy says. */
  private scheduleNextHeight(): void {
    this.cancelStart?.();
    this.cancelStart = undefined;
    if (!this.started || this.stopped || this.halted !== undefined || this.working()) return;
    const now = this.o.clock.nowMs();
    const soon = this.lastCommitAtMs + this.commitWaitMs;
    let due: number | undefined;
    let deadline: number | undefined;
    // A peer committed past this node, or works on the next height already: that block exists or
    // is being made, so follow at once (a node fetching blocks from a peer it cannot reach must
    // not start heights of its own at that pace).
    if (this.sync.bestPeerHeight() > this.tip.height || this.peerWorking) due = now;
    else if (this.o.mempool.readyCount > 0 || this.blockRequest !== undefined) due = soon;
    else if (this.o.policy.kind === 'interval') due = Math.max(soon, this.lastStartAtMs + this.o.policy.intervalMs);
    else {
      // A deadline the last block's time already reached needs nothing more.
      const d = this.o.needsBlockAt?.(this.o.app);
      if (d !== undefined && d > this.tip.timeMs) due = deadline = d;
    }
    if (due === undefined) return;
    this.cancelStart = this.timer(Math.max(0, due - now), () => {
      this.cancelStart = undefined;
      if (deadline !== undefined) this.requestBlock(deadline);
      else this.startNextHeight();
    });
  }

  private startNextHeight(): void {
    if (this.working() || this.stopped || this.halted !== undefined) return;
    this.cancelStart?.();
    this.cancelStart = undefined;
    this.o.beforeHeightStart?.();
    this.engineHeight = this.tip.height + 1;
    this.lastStartAtMs = this.o.clock.nowMs();
    this.o.logger.debug({ height: this.engineHeight, mempool: this.o.mempool.readyCount, replaying: this.replaying }, 'consensus: height starts');
    this.peerWorking = false;
    this.feed({ type: 'start-height', height: this.engineHeight, validators: this.sets.current, prevBlockTimeMs: this.tip.timeMs }, { log: false });
    if (!this.replaying) this.broadcastStatus();
  }

  // ---- driving the engine ----

  private feed(event: ConsensusEvent, opts: { log: boolean; nowMs?: number; peer?: PeerId }): void {
    this.queue.push({ event, log: opts.log, nowMs: opts.nowMs, peer: opts.peer });
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.halted === undefined) this.handle(this.queue.shift() as QueueItem);
    } catch (e) {
      this.halt(e);
    } finally {
      this.draining = false;
      this.queue.length = 0;
    }
  }

  private handle(item: QueueItem): void {
    const now = item.nowMs ?? this.o.clock.nowMs();
    this.handleNowMs = now;
    const e = item.event;
    if (e.type === 'value-ready') {
      this.pendingValueRequest = undefined;
      const id = this.decodeValue(e.value)?.id;
      if (id !== undefined) this.valuesById.set(id, { height: e.height, value: e.value });
    } else if (e.type === 'proposal' && this.decodeValue(e.proposal.value)?.id === e.proposal.blockId) {
      this.valuesById.set(e.proposal.blockId, { height: e.proposal.height, value: e.proposal.value });
    } else if (e.type === 'start-height') {
      // Proposals of the new height may have come (and wait in the engine) before it started.
      for (const [id, v] of this.valuesById) if (v.height < e.height) this.valuesById.delete(id);
    }
    if (item.log && !this.replaying) {
      const entry = walEntryOf(e, now);
      if (entry !== undefined) this.o.wal.append(encodeWalEntry(entry), { sync: false });
    }
    const outputs = this.engine.handle(e, now);
    this.activity++;
    this.sendOwn(outputs);
    for (const out of outputs) this.act(out, item);
  }

  /** The node's own signed messages leave (the signer put each into the WAL when it signed it). */
  private sendOwn(outputs: ConsensusOutput[]): void {
    for (const out of outputs) {
      if (out.type === 'broadcast-proposal') this.broadcastOwn(TOPIC.proposal, out.proposal.height, out.proposal.signature, encodeProposal(out.proposal));
      else if (out.type === 'broadcast-vote') this.broadcastOwn(TOPIC.vote, out.vote.height, out.vote.signature, encodeVote(out.vote));
    }
  }

  private broadcastOwn(topic: number, height: number, signature: Uint8Array, bytes: Uint8Array): void {
    this.remember(height, signature, topic, bytes);
    this.o.transport.broadcast(topic, bytes);
  }

  /**
   * The validator's signer, logging each message it signs into the WAL (synced) before the
   * engine can ask for the next signature. The guard saved its state just before: so the WAL is
   * at most the one message behind the guard, and after a crash the replay reaches that same
   * step, where the guard hands back the same signature (as CometBFT's WAL and FilePV do).
   */
  private loggingSigner(inner: PrivValidator): PrivValidator {
    return {
      address: inner.address,
      signVote: (chainId, vote) => {
        const r = inner.signVote(chainId, vote);
        if (r.ok) this.logOwn({ nowMs: this.handleNowMs, own: true, kind: 'vote', vote: { ...vote, timestampMs: r.timestampMs, signature: r.signature } });
        return r;
      },
      signProposal: (chainId, proposal) => {
        const r = inner.signProposal(chainId, proposal);
        const value = this.valuesById.get(proposal.blockId)?.value;
        if (!r.ok) return r;
        if (value === undefined) throw new GridLedgerError('NODE_PROPOSAL_UNKNOWN_BLOCK', `signed a proposal for block ${proposal.blockId}, which this node does not hold`);
        this.logOwn({ nowMs: this.handleNowMs, own: true, kind: 'proposal', proposal: { ...proposal, timestampMs: r.timestampMs, signature: r.signature, value } });
        return r;
      },
    };
  }

  private logOwn(entry: WalEntry): void {
    this.o.wal.append(encodeWalEntry(entry), { sync: true });
  }

  private act(out: ConsensusOutput, item: QueueItem): void {
    switch (out.type) {
      case 'schedule-timeout':
        this.timer(out.durationMs, () => this.onTimeout(out.kind, out.height, out.round));
        return;
      case 'request-value':
        if (this.replaying) this.pendingValueRequest = { height: out.height, round: out.round };
        else this.buildProposal(out.height, out.round);
        return;
      case 'request-validation': {
        const verdict = this.validate(out.height, out.value);
        if (!verdict.ok) {
          this.o.logger.warn({ height: out.height, round: out.round, reason: verdict.reason }, 'consensus: proposal refused');
          if (item.peer !== undefined) this.o.transport.penalize(item.peer, 'invalid-message');
          if (item.event.type === 'proposal') this.forget(item.event.proposal.height, item.event.proposal.signature);
        }
        const time = verdict.ok ? (this.decodeValue(out.value)?.block.header.timeMs ?? 0) : 0;
        this.feed({ type: 'proposal-validated', height: out.height, blockId: out.blockId, valid: verdict.ok, blockTimeMs: time }, { log: false });
        return;
      }
      case 'decide':
        this.onDecide(out);
        return;
      case 'evidence':
        this.addEvidence(evidenceItemOf(out.evidence), true);
        return;
      case 'invalid-message':
        if (item.peer === undefined) return;
        this.o.transport.penalize(item.peer, out.reason === 'bad signature' ? 'invalid-signature' : 'invalid-message');
        if (item.event.type === 'vote') this.forget(item.event.vote.height, item.event.vote.signature);
        if (item.event.type === 'proposal') this.forget(item.event.proposal.height, item.event.proposal.signature);
        return;
      case 'sign-refused':
        if (this.replaying) this.o.logger.debug({ ...out }, 'consensus: guard refused a re-sign during replay');
        else this.o.logger.warn({ ...out }, 'consensus: double-sign guard refused to sign');
        return;
      case 'broadcast-proposal':
      case 'broadcast-vote':
        return; // sent by sendOwn
    }
  }

  private onTimeout(kind: TimeoutKind, height: number, round: number): void {
    const st = this.engine.status();
    if (st.height !== height || st.round !== round || st.decided) return; // stale: nothing to log
    this.feed({ type: 'timeout', kind, height, round }, { log: true });
  }

  // ---- proposals ----

  private decodeValue(value: Uint8Array): DecodedValue | undefined {
    const known = this.decoded.get(value);
    if (known !== undefined) return known ?? undefined;
    try {
      const block = decodeBlock(value);
      const entry = { block, id: toHex(headerBlockId(block.header)) };
      this.decoded.set(value, entry);
      return entry;
    } catch {
      this.decoded.set(value, null);
      return undefined;
    }
  }

  private buildProposal(height: number, round: number): void {
    const signer = this.myAddress;
    if (signer === undefined || height !== this.tip.height + 1) return;
    const { app, mempool } = this.o;
    const limits = app.params().limits;
    const maxBytes = Math.min(limits.maxBlockBytes, this.o.maxBlockBytes);
    const txs = app.prepareProposal({ txs: mempool.reap(maxBytes, limits.maxBlockTxs), maxBytes });
    const last = this.lastCommit;
    const lastSet = this.sets.last;
    const lastCommit = this.tip.height === 0 || last === undefined || lastSet === undefined ? EMPTY_COMMIT : toLastCommit(last, lastSet);
    const timeMs = nextBlockTimeMs(this.tip, last, lastSet);
    const block = makeBlock(
      {
        chainId: this.chainId,
        height,
        timeMs,
        lastBlockId: this.tip.blockId,
        appHash: app.info().appHash,
        proposer: signer,
        validatorsHash: headerSetHash(this.sets.current),
        nextValidatorsHash: headerSetHash(this.sets.next),
      },
      txs,
      this.evidenceForBlock(height),
      lastCommit,
    );
    const value = encodeBlock(block);
    this.decoded.set(value, { block, id: toHex(headerBlockId(block.header)) });
    this.feed({ type: 'value-ready', height, round, value, blockTimeMs: timeMs }, { log: true });
  }

  /** A block at the next height: the node's own rules, then the ledger's. */
  private validate(height: number, value: Uint8Array): Verdict {
    const d = this.decodeValue(value);
    if (d === undefined) return { ok: false, reason: 'block does not decode' };
    if (height !== this.tip.height + 1 || d.block.header.height !== height) return { ok: false, reason: `block is not for height ${this.tip.height + 1}` };
    return this.checkBlock(d.block);
  }

  private checkBlock(block: Block): Verdict {
    const links = checkBlockLinks(block, this.tip, this.sets, this.o.verifier, this.evidenceRules());
    if (!links.ok) return links;
    const r = this.o.app.processProposal(block);
    return r.accept ? { ok: true } : { ok: false, reason: `${r.error}: ${r.reason}` };
  }

  // ---- commits ----

  private onDecide(out: DecideOutput): void {
    if (out.height !== this.tip.height + 1) return;
    const d = this.decodeValue(out.value);
    if (d === undefined) throw new GridLedgerError('NODE_DECIDED_UNDECODABLE', `decided block at ${out.height} does not decode`);
    this.apply(d.block, out.value, out.commit, false);
    this.scheduleNextHeight();
  }

  private applySynced(block: Block, bytes: Uint8Array, commit: Commit): Verdict {
    if (this.halted !== undefined || this.stopped) return { ok: false, reason: 'node stopped' };
    const v = this.checkBlock(block);
    if (!v.ok) return v;
    try {
      this.apply(block, bytes, commit, true);
    } catch (e) {
      this.halt(e);
      return { ok: false, reason: 'node halted' };
    }
    this.scheduleNextHeight();
    return v;
  }

  /** Executes and stores a decided block: one store transaction, then app.commit and the end of the height. */
  private apply(block: Block, bytes: Uint8Array, commit: Commit, synced: boolean): void {
    const { app, store, mempool, wal } = this.o;
    const h = block.header;
    const res = app.finalizeBlock({
      height: h.height,
      timeMs: h.timeMs,
      proposer: h.proposer,
      txs: block.txs,
      misbehaviour: misbehaviourOf(block.evidence),
      lastCommitVotes: votesOf(block.lastCommit),
    });
    const updates = res.validatorUpdates.map(toConsensusUpdate);
    const nextBefore = this.sets.next.update(updates);
    const next: Sets = { last: this.sets.current, current: this.sets.next, nextBefore, next: nextBefore.incrementProposerPriority(1) };
    const id = headerBlockId(h);
    const record = encodeCommitRecord({
      commit,
      appHash: res.appHash,
      results: res.txResults.map((r) => ({ code: r.code, log: r.log })),
      validators: this.sets.current.validators,
      nextBeforeIncrement: this.sets.nextBefore.validators,
      afterNextBeforeIncrement: nextBefore.validators,
    });
    store.commitBlock({
      height: h.height,
      blockId: id,
      blockBytes: bytes,
      stateChanges: app.changes(),
      txIndex: res.txResults.map((r, index) => ({ hash: r.hash, height: h.height, index })),
      seenCommit: record,
    });
    app.commit();
    wal.endHeight(h.height);
    mempool.update(block.txs);

    this.recentSets.set(h.height, this.sets.current);
    this.recentSets.delete(h.height - RECENT_SETS);
    this.blockTimes.set(h.height, h.timeMs);
    this.blockTimes.delete(h.height - RECENT_SETS);
    this.sets = next;
    this.tip = { ...this.tip, height: h.height, blockId: id, timeMs: h.timeMs };
    this.lastCommit = { ...commit, precommits: [...commit.precommits] };
    this.lastCommitAtMs = this.o.clock.nowMs();
    if (this.blockRequest !== undefined && h.timeMs >= this.blockRequest.untilTimeMs) this.blockRequest = undefined;
    let evidenceDone = false;
    for (const item of block.evidence) {
      const key = evidenceKey(item);
      evidenceDone = this.pendingEvidence.delete(key) || evidenceDone;
      this.committedEvidence.add(key);
    }
    // After the store commit: a crash in between leaves the item in the file, and loadEvidence
    // drops it (its validator is tombstoned by then).
    if (evidenceDone) this.saveEvidence();
    for (const height of [...this.seen.keys()]) if (height < h.height) this.seen.delete(height);
    this.o.onCommitted({ height: h.height, blockId: id, blockIdHex: toHex(id), block, bytes, results: res.txResults, synced });
  }

  /** A precommit for the last block that came after the decision: it goes into the next block's last commit. */
  private addLatePrecommit(v: SignedVote): void {
    const c = this.lastCommit;
    const set = this.sets.last;
    if (c === undefined || set === undefined || v.round !== c.round || v.blockId !== c.blockId) return;
    if (c.precommits.some((p) => p.validator === v.validator)) return;
    const val = set.getByAddress(v.validator);
    if (val === undefined || !this.o.verifier.verify(val.publicKey, voteSignBytes(this.chainId, v), v.signature)) return;
    c.precommits.push(v);
    c.precommits.sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
  }

  private storedBlock(height: number): SyncedBlock | undefined {
    const block = this.o.store.getBlock(height);
    const record = this.o.store.getSeenCommit(height);
    if (block === undefined || record === undefined) return undefined;
    return { block, commit: decodeCommitRecord(record).commit };
  }

  // ---- evidence ----

  private addEvidence(item: EvidenceItem, broadcast: boolean): void {
    const key = evidenceKey(item);
    if (this.pendingEvidence.has(key) || this.committedEvidence.has(key)) return;
    this.pendingEvidence.set(key, item);
    this.o.logger.warn({ validator: toHex(item.validator), height: item.height }, 'consensus: a validator double-signed');
    this.saveEvidence(); // before anyone hears of it: what this node announced, it still holds after a crash
    if (broadcast) this.o.transport.broadcast(TOPIC.evidence, encodeEvidence(item));
  }

  private evidenceForBlock(height: number): EvidenceItem[] {
    return this.prunePendingEvidence(height).slice(0, MAX_EVIDENCE_PER_BLOCK);
  }

  /**
   * Drops pending items that can no longer be committed at `height`: the validator is unknown or
   * already tombstoned (so an item committed before, even before a restart, is never proposed
   * again), or the item is no longer valid (too old). Returns the rest in key order.
   */
  private prunePendingEvidence(height: number): EvidenceItem[] {
    const out: EvidenceItem[] = [];
    let dropped = false;
    for (const [key, item] of [...this.pendingEvidence].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const record = this.ledgerValidator(item.validator);
      if (record === undefined || record.tombstoned || !checkEvidence(item, height, this.evidenceRules(), this.o.verifier, this.chainId).ok) {
        this.pendingEvidence.delete(key);
        dropped = true;
        continue;
      }
      out.push(item);
    }
    if (dropped) this.saveEvidence();
    return out;
  }

  /** Pending evidence saved before the restart, still to be committed. */
  private loadEvidence(): void {
    const saved = this.o.evidenceStore?.load() ?? [];
    let undecodable = 0;
    for (const bytes of saved) {
      try {
        const item = decodeEvidence(bytes);
        this.pendingEvidence.set(evidenceKey(item), item);
      } catch {
        undecodable++;
      }
    }
    const kept = this.prunePendingEvidence(this.tip.height + 1).length;
    if (undecodable > 0) this.saveEvidence();
    if (saved.length > 0) this.o.logger.info({ saved: saved.length, kept, undecodable }, 'consensus: pending evidence loaded');
  }

  private saveEvidence(): void {
    const items = [...this.pendingEvidence].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => encodeEvidence(item));
    this.o.evidenceStore?.save(items);
  }

  private evidenceRules(): EvidenceRules {
    return {
      publicKeyOf: (address) => this.ledgerValidator(address)?.pubKey,
      blockTimeAt: (height) => this.blockTimeAt(height),
      setAt: (height) => this.recentSets.get(height),
    };
  }

  private ledgerValidator(address: Uint8Array): { pubKey: Uint8Array; tombstoned: boolean } | undefined {
    const bytes = this.o.app.proveKey(stateKeys.validator(address)).value;
    if (bytes === null) return undefined;
    const r = validatorRecordSchema.safeParse(decodeCanonical(bytes));
    return r.success ? r.data : undefined;
  }

  private blockTimeAt(height: number): number | undefined {
    const known = this.blockTimes.get(height);
    if (known !== undefined) return known;
    const bytes = height >= 1 && height <= this.tip.height ? this.o.store.getBlock(height) : undefined;
    return bytes === undefined ? undefined : decodeBlock(bytes).header.timeMs;
  }

  // ---- gossip ----

  private armTick(): void {
    this.timer(this.gossipIntervalMs, () => {
      this.tick();
      this.armTick();
    });
  }

  private tick(): void {
    this.broadcastStatus();
    const st = this.engine.status();
    const key = `${st.height}/${st.round}/${st.step}/${st.decided}`;
    // Stalled: no step and no message from a peer for a whole interval. Messages may have been lost
    // (a partition, a full queue): send what this node holds for the height again.
    if (this.working() && key === this.lastTickKey && this.signedInputs === this.signedInputsAtTick) {
      for (const m of this.seen.get(st.height)?.values() ?? []) this.o.transport.broadcast(m.topic, m.bytes);
    }
    this.lastTickKey = key;
    this.signedInputsAtTick = this.signedInputs;
    this.sync.tick();
    if (!this.working() && this.cancelStart === undefined) this.scheduleNextHeight();
  }

  // ---- helpers ----

  private timer(ms: number, fn: () => void): () => void {
    const cancel = this.o.clock.setTimer(ms, () => {
      this.timers.delete(cancel);
      if (this.stopped || this.halted !== undefined) return;
      try {
        fn();
      } catch (e) {
        this.halt(e);
      }
    });
    this.timers.add(cancel);
    return cancel;
  }

  private halt(err: unknown): void {
    if (this.halted !== undefined) return;
    this.halted = err ?? new Error('halted');
    this.o.logger.error({ err }, 'consensus: halted');
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
    this.sync.stop();
    this.o.onHalt(err);
  }

  /** Chain tip, validator sets and last commit from the store (genesis state at height 0). */
  private restore(): { tip: ChainTip; sets: Sets; lastCommit: Commit | undefined } {
    const { store, app, genesis } = this.o;
    const S = store.latestHeight();
    const info = app.info();
    if (info.height !== S) throw new GridLedgerError('NODE_STATE_MISMATCH', `state is at height ${info.height}, blocks at ${S}`);
    const base = { chainId: this.chainId, genesisTimeMs: genesis.genesisTimeMs };
    if (S === 0) {
      const active = app.proveKey(stateKeys.activeSet).value;
      if (active === null) throw new GridLedgerError('NODE_STATE_MISMATCH', 'genesis state has no validator set');
      const parsed = codecs.activeSet.schema.safeParse(decodeCanonical(active));
      if (!parsed.success) throw new GridLedgerError('NODE_STATE_MISMATCH', 'stored validator set does not decode');
      const current = ValidatorSet.genesis(parsed.data.validators.map((v) => toConsensusUpdate({ pubKey: v.pubKey, power: v.power })));
      return {
        tip: { ...base, height: 0, blockId: ZERO_HASH, timeMs: genesis.genesisTimeMs },
        sets: { last: undefined, current, nextBefore: current, next: current.incrementProposerPriority(1) },
        lastCommit: undefined,
      };
    }
    const blockBytes = store.getBlock(S);
    const id = store.getBlockIdAt(S);
    const recordBytes = store.getSeenCommit(S);
    if (blockBytes === undefined || id === undefined || recordBytes === undefined) throw new GridLedgerError('NODE_STORE_INCOMPLETE', `block ${S} is missing its id or commit record`);
    const record = decodeCommitRecord(recordBytes);
    if (toHex(record.appHash) !== toHex(info.appHash)) {
      throw new GridLedgerError('NODE_APP_HASH_MISMATCH', `restored state root ${toHex(info.appHash)} is not the one block ${S} produced (${toHex(record.appHash)})`);
    }
    const nextBefore = restoreSet(record.afterNextBeforeIncrement);
    return {
      tip: { ...base, height: S, blockId: id, timeMs: decodeBlock(blockBytes).header.timeMs },
      sets: { last: restoreSet(record.validators), current: restoreSet(record.nextBeforeIncrement).incrementProposerPriority(1), nextBefore, next: nextBefore.incrementProposerPriority(1) },
      lastCommit: record.commit,
    };
  }
}

function eventOf(e: WalEntry): ConsensusEvent {
  switch (e.kind) {
    case 'proposal':
      return { type: 'proposal', proposal: e.proposal };
    case 'vote':
      return { type: 'vote', vote: e.vote };
    case 'timeout':
      return { type: 'timeout', ...e.timeout };
    case 'value-ready':
      return { type: 'value-ready', height: e.height, round: e.round, value: e.value, blockTimeMs: e.blockTimeMs };
  }
}

/** The WAL entry of an input (start-height and proposal-validated are rebuilt on replay, not logged). */
function walEntryOf(e: ConsensusEvent, nowMs: number): WalEntry | undefined {
  switch (e.type) {
    case 'proposal':
      return { nowMs, own: false, kind: 'proposal', proposal: e.proposal };
    case 'vote':
      return { nowMs, own: false, kind: 'vote', vote: e.vote };
    case 'timeout':
      return { nowMs, own: false, kind: 'timeout', timeout: { kind: e.kind, height: e.height, round: e.round } };
    case 'value-ready':
      return { nowMs, own: false, kind: 'value-ready', height: e.height, round: e.round, value: e.value, blockTimeMs: e.blockTimeMs };
    default:
      return undefined;
  }
}

function evidenceItemOf(ev: DuplicateVoteEvidence): EvidenceItem {
  return {
    type: 'duplicate_vote',
    validator: fromHex(ev.voteA.validator),
    height: ev.voteA.height,
    timeMs: ev.timestampMs,
    voteA: encodeVote(ev.voteA),
    voteB: encodeVote(ev.voteB),
  };
}
