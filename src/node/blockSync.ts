/**
 * Block sync: a node that fell behind (restarted late, partitioned, or just slow) fetches the
 * blocks it misses, with the commits that finalised them, from a peer whose status shows a
 * higher height. Every commit is checked against the validator set of its height with
 * verifyCommit before the block is checked like a proposal and applied; a peer that sends a bad
 * block or commit is penalized. One request is in flight at a time.
 *
 * A peer one height ahead is given `graceMs` first: this node's own consensus usually decides
 * that height a moment later, and fetching it would be wasted work.
 */
import type { Commit, SignatureVerifier, ValidatorSet, Verdict } from '../consensus/index.ts';
import { GridLedgerError } from '../errors.ts';
import { blockId, decodeBlock, toHex } from '../ledger/index.ts';
import type { Block } from '../ledger/index.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import { checkSyncedCommit } from './blockValidation.ts';
import type { Clock } from './clock.ts';
import { decodeSyncRequest, decodeSyncResponse, encodeSyncRequest, encodeSyncResponse, TOPIC } from './messages.ts';
import type { StatusMessage, SyncedBlock } from './messages.ts';

/** What block sync needs of the node. */
export interface SyncHost {
  readonly chainId: string;
  /** Last committed height. */
  committedHeight(): number;
  /** The validator set of the next height (committedHeight() + 1). */
  nextHeightSet(): ValidatorSet;
  /** A committed block and the commit that finalised it, to serve a peer. */
  storedBlock(height: number): SyncedBlock | undefined;
  /** Checks a block at the next height (its commit already verified) like a proposal, then applies it. */
  applySynced(block: Block, bytes: Uint8Array, commit: Commit): Verdict;
}

export interface BlockSyncOptions {
  readonly host: SyncHost;
  readonly transport: PeerTransport;
  readonly clock: Clock;
  readonly verifier: SignatureVerifier;
  readonly log: (details: Record<string, unknown>, message: string) => void;
  /** Blocks asked for in one request (default 16). */
  readonly maxBlocksPerRequest?: number;
  /** Bytes of blocks in one response (at least one block is always sent; default 2 MiB). */
  readonly maxResponseBytes?: number;
  /** A request unanswered this long goes to another peer (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** How long a peer just one height ahead is left to this node's consensus (default 500 ms). */
  readonly graceMs?: number;
}

interface PeerState {
  height: number;
}

interface InFlight {
  peer: PeerId;
  /** Last height asked for: a response must not go beyond it. */
  toHeight: number;
  cancel: () => void;
}

export class BlockSync {
  private readonly peers = new Map<PeerId, PeerState>();
  private inflight: InFlight | undefined;
  /** When this node first saw a peer one height ahead of `behindAtHeight`. */
  private behindSinceMs: number | undefined;
  private behindAtHeight = -1;
  private rotation = 0;
  private readonly maxBlocks: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  /** Blocks applied from peers (a metric). */
  appliedBlocks = 0;

  constructor(private readonly opts: BlockSyncOptions) {
    this.maxBlocks = opts.maxBlocksPerRequest ?? 16;
    this.maxBytes = opts.maxResponseBytes ?? 2 * 1024 * 1024;
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.graceMs = opts.graceMs ?? 500;
  }

  /** Highest committed height a peer reported. */
  bestPeerHeight(): number {
    let best = 0;
    for (const p of this.peers.values()) best = Math.max(best, p.height);
    return best;
  }

  /** Behind by more than the height consensus is working on, or fetching blocks now. */
  catchingUp(): boolean {
    return this.inflight !== undefined || this.bestPeerHeight() > this.opts.host.committedHeight() + 1;
  }

  onStatus(peer: PeerId, status: StatusMessage): void {
    const known = this.peers.get(peer);
    // A restarted peer may report a lower height than before; the latest report counts.
    if (known === undefined) this.peers.set(peer, { height: status.height });
    else known.height = status.height;
    this.maybeRequest();
  }

  /** A peer's consensus message shows it committed `height`. */
  notePeerHeight(peer: PeerId, height: number): void {
    const known = this.peers.get(peer);
    if (known === undefined) this.peers.set(peer, { height });
    else if (height > known.height) known.height = height;
  }

  onPeerGone(peer: PeerId): void {
    this.peers.delete(peer);
    if (this.inflight?.peer === peer) this.clearInflight();
  }

  /** Called periodically: retries, and the grace period's end. */
  tick(): void {
    this.maybeRequest();
  }

  stop(): void {
    this.clearInflight();
  }

  onRequest(peer: PeerId, data: Uint8Array): void {
    let req;
    try {
      req = decodeSyncRequest(data);
    } catch {
      this.opts.transport.penalize(peer, 'undecodable');
      return;
    }
    const top = Math.min(req.toHeight, this.opts.host.committedHeight(), req.fromHeight + this.maxBlocks - 1);
    const blocks: SyncedBlock[] = [];
    let size = 0;
    for (let h = req.fromHeight; h <= top; h++) {
      const b = this.opts.host.storedBlock(h);
      if (b === undefined) break;
      if (blocks.length > 0 && size + b.block.length > this.maxBytes) break;
      blocks.push(b);
      size += b.block.length;
    }
    this.opts.transport.send(peer, TOPIC.syncResponse, encodeSyncResponse(blocks));
  }

  onResponse(peer: PeerId, data: Uint8Array): void {
    const req = this.inflight;
    if (req === undefined || req.peer !== peer) {
      this.opts.transport.penalize(peer, 'unwanted');
      return;
    }
    this.clearInflight();
    let blocks: SyncedBlock[];
    try {
      blocks = decodeSyncResponse(data);
    } catch {
      this.opts.transport.penalize(peer, 'undecodable');
      return;
    }
    for (const item of blocks) {
      const next = this.opts.host.committedHeight() + 1;
      let block: Block;
      try {
        block = decodeBlock(item.block);
      } catch (e) {
        this.opts.log({ peer, err: e instanceof GridLedgerError ? e.message : String(e) }, 'sync: undecodable block');
        this.opts.transport.penalize(peer, 'undecodable');
        return;
      }
      const height = block.header.height;
      if (height < next) continue; // decided by consensus meanwhile
      if (height > next || height > req.toHeight) {
        this.opts.transport.penalize(peer, 'invalid-message');
        return;
      }
      const id = toHex(blockId(block.header));
      const commitOk = checkSyncedCommit(this.opts.host.chainId, id, height, item.commit, this.opts.host.nextHeightSet(), this.opts.verifier);
      if (!commitOk.ok) {
        this.opts.log({ peer, height, reason: commitOk.reason }, 'sync: commit refused');
        this.opts.transport.penalize(peer, commitOk.reason.includes('bad signature') ? 'invalid-signature' : 'invalid-message');
        return;
      }
      const applied = this.opts.host.applySynced(block, item.block, item.commit);
      if (!applied.ok) {
        this.opts.log({ peer, height, reason: applied.reason }, 'sync: block refused');
        this.opts.transport.penalize(peer, 'invalid-message');
        return;
      }
      this.appliedBlocks++;
    }
    this.maybeRequest();
  }

  private clearInflight(): void {
    this.inflight?.cancel();
    this.inflight = undefined;
  }

  private maybeRequest(): void {
    if (this.inflight !== undefined) return;
    const committed = this.opts.host.committedHeight();
    const ahead = [...this.peers.entries()].filter(([, p]) => p.height > committed).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (ahead.length === 0) {
      this.behindSinceMs = undefined;
      return;
    }
    const best = Math.max(...ahead.map(([, p]) => p.height));
    if (best === committed + 1) {
      const now = this.opts.clock.nowMs();
      if (this.behindAtHeight !== committed || this.behindSinceMs === undefined) {
        this.behindAtHeight = committed;
        this.behindSinceMs = now;
      }
      if (now - this.behindSinceMs < this.graceMs) return;
    }
    const [peer, state] = ahead[this.rotation++ % ahead.length] as [PeerId, PeerState];
    const fromHeight = committed + 1;
    const toHeight = Math.min(state.height, committed + this.maxBlocks);
    if (!this.opts.transport.send(peer, TOPIC.syncRequest, encodeSyncRequest({ fromHeight, toHeight }))) {
      this.peers.delete(peer);
      return;
    }
    const cancel = this.opts.clock.setTimer(this.timeoutMs, () => {
      if (this.inflight?.peer !== peer) return;
      this.inflight = undefined;
      this.maybeRequest();
    });
    this.inflight = { peer, toHeight, cancel };
  }
}
