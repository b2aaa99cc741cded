/**
 * The consensus host: drives the pure Tendermint engine (src/consensus) for one node, and is
 * the only code that touches the engine. It wires the parts that hold the rest:
 *
 * - starts heights when the block policy says so (blockPolicy.ts);
 * - answers the engine: has proposals built with whole blocks (proposalAssembly.ts) and
 *   validates others' blocks (blockValidation.ts, then the ledger's processProposal);
 * - applies decided blocks (blockCommit.ts) and keeps the chain tip, the validator sets around
 *   the next height (validatorSets.ts, restored by chainRestore.ts) and the last commit, with
 *   the precommits that arrive after the decision;
 * - logs every input the engine acts on in the WAL before acting on it, and every message it
 *   signs (synced) before sending it (consensusWal.ts); the double-sign guard (GuardedSigner)
 *   has saved the sign state before the signature exists. A restart replays the log of the
 *   unfinished height.
 * - gossips (consensusGossip.ts): status every `gossipIntervalMs`, and the messages of the
 *   current height again when a whole interval passed without progress; hands engine evidence
 *   to the evidence pool (evidencePool.ts); penalizes peers whose messages break the rules.
 *
 * Everything runs synchronously on the caller's turn; timers come from the injected Clock.
 */
import type { Logger } from 'pino';
import type {
  Commit,
  ConsensusEvent,
  ConsensusOutput,
  DecideOutput,
  Hex,
  PrivValidator,
  SignatureVerifier,
  SignedProposal,
  SignedVote,
  TimeoutConfig,
  TimeoutKind,
  Verdict,
} from '../consensus/index.ts';
import { ConsensusEngine, voteSignBytes } from '../consensus/index.ts';
import { GridLedgerError, isGridLedgerError } from '../errors.ts';
import { fromHex, toHex } from '../ledger/index.ts';
import type { Block, FinalizeBlockResult, Genesis, LedgerApp, Mempool } from '../ledger/index.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import type { ChainStore } from './store/chainStore.ts';
import { commitBlock } from './blockCommit.ts';
import { nextHeightDue } from './blockPolicy.ts';
import type { BlockPolicy } from './blockPolicy.ts';
import { BlockSync } from './blockSync.ts';
import { checkBlockLinks } from './blockValidation.ts';
import type { ChainTip } from './blockValidation.ts';
import { BlockValues } from './blockValues.ts';
import { restoreChain } from './chainRestore.ts';
import type { Clock } from './clock.ts';
import { ConsensusGossip } from './consensusGossip.ts';
import { eventOf, loggingSigner, walEntryOf } from './consensusWal.ts';
import { EvidencePool } from './evidencePool.ts';
import { decodeCommitRecord, decodeEvidence, decodeProposal, decodeStatus, decodeVote, decodeWalEntry, encodeProposal, encodeVote, encodeWalEntry, TOPIC } from './messages.ts';
import type { SyncedBlock } from './messages.ts';
import { assembleProposal } from './proposalAssembly.ts';
import type { ValidatorSets } from './validatorSets.ts';
import type { Wal } from './wal/wal.ts';
import type { PendingEvidenceStore } from './wal/evidenceFile.ts';

export type { BlockPolicy } from './blockPolicy.ts';

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

interface QueueItem {
  event: ConsensusEvent;
  log: boolean;
  nowMs: number | undefined;
  peer: PeerId | undefined;
}

export class ConsensusHost {
  private readonly o: ConsensusHostOptions;
  private readonly engine: ConsensusEngine;
  private readonly sync: BlockSync;
  private readonly evidence: EvidencePool;
  private readonly gossip: ConsensusGossip;
  private readonly values = new BlockValues();
  private readonly chainId: string;
  private readonly myAddress: Uint8Array | undefined;
  private readonly gossipIntervalMs: number;
  private readonly commitWaitMs: number;

  private tip: ChainTip;
  private sets: ValidatorSets;
  /** The commit of the last block, with precommits that arrived after the decision. */
  private lastCommit: Commit | undefined;
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

  private readonly timers = new Set<() => void>();
  private cancelStart: (() => void) | undefined;
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
    const restored = restoreChain(opts.store, opts.app, opts.genesis);
    this.tip = restored.tip;
    this.sets = restored.sets;
    this.lastCommit = restored.lastCommit;
    this.evidence = new EvidencePool({
      chainId: this.chainId,
      app: opts.app,
      store: opts.store,
      evidenceStore: opts.evidenceStore,
      transport: opts.transport,
      verifier: opts.verifier,
      logger: opts.logger,
      committedHeight: () => this.tip.height,
    });
    if (restored.sets.last !== undefined) this.evidence.noteSet(this.tip.height, restored.sets.last);
    this.gossip = new ConsensusGossip(opts.transport);
    const signLog = { wal: opts.wal, nowMs: () => this.handleNowMs, valueOf: (id: Hex) => this.values.valueOf(id) };
    this.engine = new ConsensusEngine({
      chainId: this.chainId,
      ...(opts.signer === undefined ? {} : { signer: loggingSigner(opts.signer, signLog) }),
      verifier: opts.verifier,
      blockIdOf: (value) => this.values.decode(value)?.id ?? '',
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
    this.evidence.load();
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
          if (entry.kind === 'proposal') this.gossip.remember(entry.proposal.height, entry.proposal.signature, TOPIC.proposal, encodeProposal(entry.proposal));
          if (entry.kind === 'vote') this.gossip.remember(entry.vote.height, entry.vote.signature, TOPIC.vote, encodeVote(entry.vote));
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
      pendingEvidence: this.evidence.pendingCount,
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
    this.gossip.sendStatus(peer, { height: this.tip.height, working: this.working() });
    this.evidence.sendPending(peer);
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
          return this.evidence.receive(peer, decodeEvidence(bytes));
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
    if (!this.gossip.remember(h, msg.signature, topic, bytes)) return;
    if ('type' in msg && msg.type === 'precommit' && h === this.tip.height) this.addLatePrecommit(msg);
    const event: ConsensusEvent = 'type' in msg ? { type: 'vote', vote: msg } : { type: 'proposal', proposal: msg };
    this.gossip.noteSignedInput();
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

  private broadcastStatus(): void {
    this.gossip.broadcastStatus({ height: this.tip.height, working: this.working() });
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
    const due = nextHeightDue(this.o.policy, {
      nowMs: now,
      lastCommitAtMs: this.lastCommitAtMs,
      lastStartAtMs: this.lastStartAtMs,
      commitWaitMs: this.commitWaitMs,
      peerAhead: this.sync.bestPeerHeight() > this.tip.height || this.peerWorking,
      waiting: this.o.mempool.readyCount > 0 || this.blockRequest !== undefined,
      tipTimeMs: this.tip.timeMs,
      needsBlockAt: () => this.o.needsBlockAt?.(this.o.app),
    });
    if (due === undefined) return;
    const deadline = due.deadline;
    this.cancelStart = this.timer(Math.max(0, due.atMs - now), () => {
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
    this.values.noteInput(e);
    if (item.log && !this.replaying) {
      const entry = walEntryOf(e, now);
      if (entry !== undefined) this.o.wal.append(encodeWalEntry(entry), { sync: false });
    }
    const outputs = this.engine.handle(e, now);
    this.activity++;
    this.gossip.sendOwn(outputs);
    for (const out of outputs) this.act(out, item);
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
          if (item.event.type === 'proposal') this.gossip.forget(item.event.proposal.height, item.event.proposal.signature);
        }
        const time = verdict.ok ? (this.values.decode(out.value)?.block.header.timeMs ?? 0) : 0;
        this.feed({ type: 'proposal-validated', height: out.height, blockId: out.blockId, valid: verdict.ok, blockTimeMs: time }, { log: false });
        return;
      }
      case 'decide':
        this.onDecide(out);
        return;
      case 'evidence':
        this.evidence.found(out.evidence);
        return;
      case 'invalid-message':
        if (item.peer === undefined) return;
        this.o.transport.penalize(item.peer, out.reason === 'bad signature' ? 'invalid-signature' : 'invalid-message');
        if (item.event.type === 'vote') this.gossip.forget(item.event.vote.height, item.event.vote.signature);
        if (item.event.type === 'proposal') this.gossip.forget(item.event.proposal.height, item.event.proposal.signature);
        return;
      case 'sign-refused':
        if (this.replaying) this.o.logger.debug({ ...out }, 'consensus: guard refused a re-sign during replay');
        else this.o.logger.warn({ ...out }, 'consensus: double-sign guard refused to sign');
        return;
      case 'broadcast-proposal':
      case 'broadcast-vote':
        return; // sent by gossip.sendOwn
    }
  }

  private onTimeout(kind: TimeoutKind, height: number, round: number): void {
    const st = this.engine.status();
    if (st.height !== height || st.round !== round || st.decided) return; // stale: nothing to log
    this.feed({ type: 'timeout', kind, height, round }, { log: true });
  }

  // ---- proposals ----

  private buildProposal(height: number, round: number): void {
    const proposer = this.myAddress;
    if (proposer === undefined || height !== this.tip.height + 1) return;
    const { block, value, timeMs } = assembleProposal({
      height,
      proposer,
      tip: this.tip,
      lastCommit: this.lastCommit,
      sets: this.sets,
      app: this.o.app,
      mempool: this.o.mempool,
      maxBlockBytes: this.o.maxBlockBytes,
      evidence: (h) => this.evidence.forBlock(h),
    });
    this.values.remember(value, block);
    this.feed({ type: 'value-ready', height, round, value, blockTimeMs: timeMs }, { log: true });
  }

  /** A block at the next height: the node's own rules, then the ledger's. */
  private validate(height: number, value: Uint8Array): Verdict {
    const d = this.values.decode(value);
    if (d === undefined) return { ok: false, reason: 'block does not decode' };
    if (height !== this.tip.height + 1 || d.block.header.height !== height) return { ok: false, reason: `block is not for height ${this.tip.height + 1}` };
    return this.checkBlock(d.block);
  }

  private checkBlock(block: Block): Verdict {
    const links = checkBlockLinks(block, this.tip, this.sets, this.o.verifier, this.evidence.rules());
    if (!links.ok) return links;
    const r = this.o.app.processProposal(block);
    return r.accept ? { ok: true } : { ok: false, reason: `${r.error}: ${r.reason}` };
  }

  // ---- commits ----

  private onDecide(out: DecideOutput): void {
    if (out.height !== this.tip.height + 1) return;
    const d = this.values.decode(out.value);
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

  /** Executes and stores a decided block (blockCommit.ts), then moves the host to the next height. */
  private apply(block: Block, bytes: Uint8Array, commit: Commit, synced: boolean): void {
    const h = block.header;
    const done = commitBlock(this.o, this.sets, block, bytes, commit);
    this.evidence.noteBlock(h.height, this.sets.current, h.timeMs);
    this.sets = done.sets;
    this.tip = { ...this.tip, height: h.height, blockId: done.blockId, timeMs: h.timeMs };
    this.lastCommit = { ...commit, precommits: [...commit.precommits] };
    this.lastCommitAtMs = this.o.clock.nowMs();
    if (this.blockRequest !== undefined && h.timeMs >= this.blockRequest.untilTimeMs) this.blockRequest = undefined;
    this.evidence.onCommitted(block.evidence);
    this.gossip.dropBelow(h.height);
    this.o.onCommitted({ height: h.height, blockId: done.blockId, blockIdHex: toHex(done.blockId), block, bytes, results: done.results, synced });
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

  // ---- gossip ----

  private armTick(): void {
    this.timer(this.gossipIntervalMs, () => {
      this.tick();
      this.armTick();
    });
  }

  private tick(): void {
    this.broadcastStatus();
    this.gossip.tick(this.engine.status(), this.working());
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
}
