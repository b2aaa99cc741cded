/**
 * One validator of the simulation: the consensus engine with a host around it, as the node
 * wiring will have, but on the in-memory network and the virtual clock.
 *
 * Durable across a simulated crash ("disk"): the committed chain with each block's commit and
 * proposal, the double-sign guard's state, and the write-ahead log of the current height. The
 * WAL records every input event (messages, timeouts, app answers) with the clock reading the
 * engine saw, and the node's own signed messages; appends are buffered, and the node syncs the
 * log before any message it signed leaves, so a crash loses at most inputs that led to no
 * signature. On restart a fresh engine starts the next height and replays the log (as
 * CometBFT's WAL catch-up does): it reaches the same state; where it signs again the guard hands
 * back the stored signature or refuses, and the logged own messages fill in what it refused.
 *
 * Gossip: when a node has made no progress for a gossip interval it re-sends the messages it
 * holds for its height and its status; a peer whose status shows a lower height is answered with
 * that height's decided proposal and commit, which is all line 49 needs (catch-up). With `relay`,
 * each new message is forwarded once to all peers (flooding).
 *
 * The engine comes in through `env.consensus` (the consensus module): this layer imports it
 * for types only.
 */
import type * as Consensus from '../../consensus/index.ts';
import type {
  Commit,
  ConsensusEngine,
  ConsensusEvent,
  DecideOutput,
  DuplicateVoteEvidence,
  Hex,
  RawSigner,
  SignatureVerifier,
  SignedProposal,
  SignedVote,
  TimeoutConfig,
  ValidatorSet,
} from '../../consensus/index.ts';
import type { MemoryNetwork } from './network.ts';
import type { EventScheduler } from './scheduler.ts';
import { decodeSimBlock, encodeSimBlock, simBlockId } from './simBlock.ts';
import type { SimBlock } from './simBlock.ts';

export type ConsensusModule = typeof Consensus;

export type SignedMessage = { kind: 'proposal'; proposal: SignedProposal } | { kind: 'vote'; vote: SignedVote };
export type SimMessage = SignedMessage | { kind: 'status'; height: number };

export interface CommittedBlock {
  height: number;
  round: number;
  blockId: Hex;
  value: Uint8Array;
  blockTimeMs: number;
  commit: Commit;
  proposal: SignedProposal;
}

/** What all validators of one simulation share. */
export interface SimEnv {
  consensus: ConsensusModule;
  chainId: string;
  scheduler: EventScheduler;
  network: MemoryNetwork<SimMessage>;
  verifier: SignatureVerifier;
  genesisTimeMs: number;
  validatorSetAt(height: number): ValidatorSet;
  gossipIntervalMs: number;
  /** Pause between a decision and the next height (the block interval). */
  commitDelayMs: number;
  /** Time the application takes to build or check a block. */
  appDelayMs: number;
  relay: boolean;
  timeouts?: Partial<TimeoutConfig>;
}

export interface SimValidatorConfig {
  index: number;
  key: RawSigner;
  address: Hex;
  clockSkewMs: number;
  /** Signs a second, conflicting version of every proposal and vote, half the peers each. */
  equivocate: boolean;
}

interface WalRecord {
  event: ConsensusEvent;
  nowMs: number;
}

const sigKey = (m: SignedMessage): string =>
  Buffer.from(m.kind === 'vote' ? m.vote.signature : m.proposal.signature).toString('hex');
const toEvent = (m: SignedMessage): ConsensusEvent =>
  m.kind === 'vote' ? { type: 'vote', vote: m.vote } : { type: 'proposal', proposal: m.proposal };
const eventHeight = (e: ConsensusEvent): number =>
  e.type === 'vote' ? e.vote.height : e.type === 'proposal' ? e.proposal.height : e.height;
const heightOf = (m: SimMessage): number =>
  m.kind === 'vote' ? m.vote.height : m.kind === 'proposal' ? m.proposal.height : m.height;

export class SimValidator {
  // durable
  readonly chain: CommittedBlock[] = [];
  readonly signStore: ReturnType<ConsensusModule['memorySignStateStore']>;
  private wal: WalRecord[] = [];
  private walSynced = 0;
  // volatile
  private engine: ConsensusEngine | undefined;
  private epoch = 0;
  private seen = new Map<number, Map<string, SignedMessage>>();
  private lastTick = '';
  /** Per peer: the height and time of the last catch-up proof sent to it. */
  private lastProof = new Map<number, { height: number; atMs: number }>();
  private nonce = 0;
  private peerHeight = 0;
  // observations
  readonly evidence: DuplicateVoteEvidence[] = [];
  signRefusals = 0;
  invalidMessages = 0;
  invalidBlocks = 0;
  restarts = 0;

  constructor(
    private readonly env: SimEnv,
    readonly cfg: SimValidatorConfig,
  ) {
    this.signStore = env.consensus.memorySignStateStore();
    env.network.attach(cfg.index, (from, m) => this.onNetwork(from, m));
  }

  get up(): boolean {
    return this.engine !== undefined;
  }

  /** Height of the last committed block. */
  get height(): number {
    return this.chain.length;
  }

  /** The node's local clock: virtual time plus its skew. */
  private clock(): number {
    return this.env.genesisTimeMs + this.env.scheduler.now + this.cfg.clockSkewMs;
  }

  start(): void {
    const { consensus: c, chainId, network, verifier, timeouts } = this.env;
    if (this.epoch > 0) this.restarts++;
    this.epoch++;
    network.setUp(this.cfg.index, true);
    this.engine = new c.ConsensusEngine({
      chainId,
      signer: new c.GuardedSigner(this.cfg.address, this.cfg.key, this.signStore),
      verifier,
      blockIdOf: simBlockId,
      ...(timeouts === undefined ? {} : { timeouts }),
    });
    this.seen = new Map();
    this.lastTick = '';
    this.startHeight(this.chain.length + 1);
    for (const rec of this.wal.slice()) {
      const e = rec.event;
      if (e.type === 'vote') this.remember({ kind: 'vote', vote: e.vote });
      if (e.type === 'proposal') this.remember({ kind: 'proposal', proposal: e.proposal });
      this.step(e, false, rec.nowMs);
    }
    this.scheduleTick();
  }

  /** Loses everything volatile and the unsynced tail of the WAL. */
  crash(): void {
    this.epoch++;
    this.engine = undefined;
    this.env.network.setUp(this.cfg.index, false);
    this.wal.length = this.walSynced;
  }

  private startHeight(height: number): void {
    const prev = this.chain[height - 2];
    this.step(
      {
        type: 'start-height',
        height,
        validators: this.env.validatorSetAt(height),
        prevBlockTimeMs: prev === undefined ? this.env.genesisTimeMs : prev.blockTimeMs,
      },
      false,
    );
  }

  /** Runs `fn` after `ms` unless the node crashed meanwhile. */
  private later(ms: number, fn: () => void): void {
    const epoch = this.epoch;
    this.env.scheduler.after(ms, () => {
      if (this.epoch === epoch) fn();
    });
  }

  /** Feeds one event to the engine and carries out its outputs. */
  private step(event: ConsensusEvent, log: boolean, nowMs: number = this.clock()): void {
    const engine = this.engine;
    if (engine === undefined) return;
    if (log) this.wal.push({ event, nowMs });
    const sends: SignedMessage[] = [];
    for (const o of engine.handle(event, nowMs)) {
      switch (o.type) {
        case 'broadcast-proposal':
          sends.push({ kind: 'proposal', proposal: o.proposal });
          break;
        case 'broadcast-vote':
          sends.push({ kind: 'vote', vote: o.vote });
          break;
        case 'schedule-timeout':
          this.later(o.durationMs, () =>
            this.step({ type: 'timeout', kind: o.kind, height: o.height, round: o.round }, true),
          );
          break;
        case 'request-value':
          this.later(this.env.appDelayMs, () => this.buildBlock(o.height, o.round));
          break;
        case 'request-validation':
          this.later(this.env.appDelayMs, () => this.checkBlock(o.height, o.blockId, o.value));
          break;
        case 'decide':
          this.commit(o);
          break;
        case 'evidence':
          this.evidence.push(o.evidence);
          break;
        case 'invalid-message':
          this.invalidMessages++;
          break;
        case 'sign-refused':
          // Expected while replaying (the log holds the messages signed then); never after.
          if (log) this.signRefusals++;
          break;
      }
    }
    if (sends.length === 0) return;
    // Our own signed messages go into the log too, synced before they leave: a replay feeds them
    // back as inputs, which also restores what the guard now refuses to sign again (a proposal
    // followed by a prevote in one round can only be re-signed up to the last step).
    if (log) for (const m of sends) this.wal.push({ event: toEvent(m), nowMs });
    this.walSynced = this.wal.length;
    for (const m of sends) this.send(m);
  }

  private commit(o: DecideOutput): void {
    if (o.height !== this.chain.length + 1) {
      throw new Error(`node ${this.cfg.index} decided ${o.height} after ${this.chain.length}`);
    }
    const { height, round, blockId, value, blockTimeMs, commit, proposal } = o;
    this.chain.push({ height, round, blockId, value, blockTimeMs, commit, proposal });
    // The block is stored durably, and with it the log restarts: it keeps what already arrived
    // for the next height (the engine holds those messages and acts on them when that height starts).
    this.wal = this.wal.filter((r) => eventHeight(r.event) > o.height);
    this.walSynced = this.wal.length;
    this.seen.delete(o.height - 1);
    // Behind the others (catching up): no block interval, and ask for the next decision at once.
    const behind = this.peerHeight > o.height + 1;
    this.later(behind ? 0 : this.env.commitDelayMs, () => {
      this.startHeight(o.height + 1);
      if (behind) this.env.network.broadcast(this.cfg.index, { kind: 'status', height: o.height + 1 });
    });
  }

  // ---- the application ----

  private buildBlock(height: number, round: number): void {
    const { consensus: c, genesisTimeMs } = this.env;
    const prev = this.chain[height - 2];
    const timeMs =
      prev === undefined ? genesisTimeMs : c.commitTimeMs(prev.commit, this.env.validatorSetAt(height - 1));
    const block: SimBlock = {
      height,
      proposer: this.cfg.address,
      nonce: ++this.nonce,
      timeMs,
      lastBlockId: prev?.blockId ?? null,
      lastCommit: prev?.commit ?? null,
    };
    this.step({ type: 'value-ready', height, round, value: encodeSimBlock(block), blockTimeMs: timeMs }, true);
  }

  /** valid(v): chains to our last block, carries its commit, and its time is that commit's BFT time. */
  private blockTime(height: number, value: Uint8Array): number | undefined {
    const { consensus: c, chainId, verifier, genesisTimeMs } = this.env;
    const b = decodeSimBlock(value);
    if (b === undefined || b.height !== height || height !== this.chain.length + 1) return undefined;
    const prev = this.chain[height - 2];
    if (prev === undefined) {
      return b.lastBlockId === null && b.lastCommit === null && b.timeMs === genesisTimeMs ? b.timeMs : undefined;
    }
    const lc = b.lastCommit;
    if (lc === null || b.lastBlockId !== prev.blockId) return undefined;
    if (lc.height !== height - 1 || lc.blockId !== prev.blockId) return undefined;
    const set = this.env.validatorSetAt(height - 1);
    if (!c.verifyCommit(chainId, set, lc, verifier).ok) return undefined;
    if (b.timeMs !== c.commitTimeMs(lc, set) || b.timeMs <= prev.blockTimeMs) return undefined;
    return b.timeMs;
  }

  private checkBlock(height: number, blockId: Hex, value: Uint8Array): void {
    if (height !== this.chain.length + 1) return; // decided meanwhile: nobody asks any more
    const timeMs = this.blockTime(height, value);
    if (timeMs === undefined) this.invalidBlocks++;
    const valid = timeMs !== undefined;
    this.step({ type: 'proposal-validated', height, blockId, valid, blockTimeMs: timeMs ?? 0 }, true);
  }

  // ---- network ----

  private remember(m: SignedMessage): boolean {
    const h = heightOf(m);
    let byKey = this.seen.get(h);
    if (byKey === undefined) {
      byKey = new Map();
      this.seen.set(h, byKey);
    }
    const k = sigKey(m);
    if (byKey.has(k)) return false;
    byKey.set(k, m);
    return true;
  }

  private onNetwork(from: number, m: SimMessage): void {
    if (this.engine === undefined) return;
    const h = heightOf(m);
    this.peerHeight = Math.max(this.peerHeight, h);
    if (m.kind === 'status') {
      if (h <= this.chain.length) this.sendProof(from, h);
      return;
    }
    // The engine's height (it stays on a decided height until the next one starts) bounds what it
    // takes: the last height's votes still reveal equivocation, the next height's messages wait.
    const current = this.engine.status().height;
    if (h < current - 1 || h > current + 1) return;
    if (!this.remember(m)) return;
    if (this.env.relay && h >= current) this.env.network.broadcast(this.cfg.index, m);
    this.step(toEvent(m), true);
  }

  /** A peer is at height h, which we decided: send it the decided proposal and its commit. */
  private sendProof(peer: number, height: number): void {
    const b = this.chain[height - 1];
    if (b === undefined) return;
    const now = this.env.scheduler.now;
    const last = this.lastProof.get(peer);
    if (last !== undefined && last.height === height && now - last.atMs < this.env.gossipIntervalMs) return;
    this.lastProof.set(peer, { height, atMs: now });
    const net = this.env.network;
    net.send(this.cfg.index, peer, { kind: 'proposal', proposal: b.proposal });
    for (const vote of b.commit.precommits) net.send(this.cfg.index, peer, { kind: 'vote', vote });
  }

  private send(m: SignedMessage): void {
    this.remember(m);
    const net = this.env.network;
    if (!this.cfg.equivocate) {
      net.broadcast(this.cfg.index, m);
      return;
    }
    const twin = this.twin(m);
    for (let to = 0; to < net.size; to++) {
      if (to !== this.cfg.index) net.send(this.cfg.index, to, to % 2 === 0 ? m : twin);
    }
  }

  /** The Byzantine part: a second signed message for the same height, round and step. */
  private twin(m: SignedMessage): SignedMessage {
    const c = this.env.consensus;
    const { chainId } = this.env;
    if (m.kind === 'vote') {
      const v = m.vote;
      const blockId = v.blockId === null ? simBlockId(Buffer.from(`equivocation/${v.height}/${v.round}`)) : null;
      const unsigned = { ...v, blockId };
      return { kind: 'vote', vote: { ...unsigned, signature: this.cfg.key.sign(c.voteSignBytes(chainId, unsigned)) } };
    }
    const p = m.proposal;
    const b = decodeSimBlock(p.value);
    const value = b === undefined ? p.value : encodeSimBlock({ ...b, nonce: b.nonce + 1_000_000 });
    const unsigned = { ...p, blockId: simBlockId(value) };
    const signature = this.cfg.key.sign(c.proposalSignBytes(chainId, unsigned));
    return { kind: 'proposal', proposal: { ...unsigned, value, signature } };
  }

  private scheduleTick(): void {
    this.later(this.env.gossipIntervalMs, () => {
      this.tick();
      this.scheduleTick();
    });
  }

  /** No progress for a whole interval: re-send what we hold for our height, and our status. */
  private tick(): void {
    const engine = this.engine;
    if (engine === undefined) return;
    const s = engine.status();
    const state = `${s.height}/${s.round}/${s.step}/${s.decided}`;
    if (state === this.lastTick) {
      const net = this.env.network;
      for (const m of this.seen.get(s.height)?.values() ?? []) net.broadcast(this.cfg.index, m);
      net.broadcast(this.cfg.index, { kind: 'status', height: s.height });
    }
    this.lastTick = state;
  }
}
