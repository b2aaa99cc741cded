/**
 * The evidence pool (docs/node.md section 6): double-sign evidence this node found or received
 * and that is not yet committed, the keys of committed items, and what items are checked
 * against: the ledger's validator records, and the block times and validator sets of the last
 * RECENT_SETS heights. Every change to the pending items saves the whole list
 * (wal/evidenceFile.ts), so they survive a restart; an item found here is saved before it is
 * broadcast. Pending items go into proposals, in key order, until one is committed.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DuplicateVoteEvidence, SignatureVerifier, ValidatorSet } from '../consensus/index.ts';
import { decodeBlock, decodeCanonical, fromHex, stateKeys, toHex } from '../ledger/index.ts';
import type { EvidenceItem, LedgerApp } from '../ledger/index.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import { checkEvidence, evidenceKey } from './blockValidation.ts';
import type { EvidenceRules } from './blockValidation.ts';
import { decodeEvidence, encodeEvidence, encodeVote, TOPIC } from './messages.ts';
import type { ChainStore } from './store/chainStore.ts';
import type { PendingEvidenceStore } from './wal/evidenceFile.ts';

const MAX_EVIDENCE_PER_BLOCK = 16;
const RECENT_SETS = 256;

const validatorRecordSchema = z.object({ pubKey: z.instanceof(Uint8Array), tombstoned: z.boolean() });

export interface EvidencePoolOptions {
  readonly chainId: string;
  readonly app: LedgerApp;
  readonly store: ChainStore;
  /** Where pending evidence survives a restart (undefined: in memory only). */
  readonly evidenceStore: PendingEvidenceStore | undefined;
  readonly transport: PeerTransport;
  readonly verifier: SignatureVerifier;
  readonly logger: Logger;
  /** Last committed height. */
  readonly committedHeight: () => number;
}

const byKey = ([a]: [string, EvidenceItem], [b]: [string, EvidenceItem]): number => (a < b ? -1 : a > b ? 1 : 0);

/** Refusals that no correct peer sends: the item itself is malformed (blockValidation.ts checkEvidence). */
const MALFORMED: ReadonlySet<string> = new Set([
  'votes do not decode',
  'votes are not of the named validator',
  'votes differ in height, round or type',
  'votes are for the same block or out of order',
]);

export class EvidencePool {
  private readonly o: EvidencePoolOptions;
  private readonly pending = new Map<string, EvidenceItem>();
  private readonly committed = new Set<string>();
  private readonly recentSets = new Map<number, ValidatorSet>();
  private readonly blockTimes = new Map<number, number>();

  constructor(opts: EvidencePoolOptions) {
    this.o = opts;
  }

  /** Evidence found or received and not yet committed. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The validator set of a committed height (the restored last set). */
  noteSet(height: number, set: ValidatorSet): void {
    this.recentSets.set(height, set);
  }

  /** A committed height's set and block time; those older than RECENT_SETS heights are let go. */
  noteBlock(height: number, set: ValidatorSet, timeMs: number): void {
    this.recentSets.set(height, set);
    this.recentSets.delete(height - RECENT_SETS);
    this.blockTimes.set(height, timeMs);
    this.blockTimes.delete(height - RECENT_SETS);
  }

  /** The engine saw a validator double-sign: keep the item and tell the peers. */
  found(ev: DuplicateVoteEvidence): void {
    const item = evidenceItemOf(ev);
    const key = evidenceKey(item);
    if (this.pending.has(key) || this.committed.has(key)) return;
    this.pending.set(key, item);
    this.o.logger.warn({ validator: toHex(item.validator), height: item.height }, 'consensus: a validator double-signed');
    this.save(); // before anyone hears of it: what this node announced, it still holds after a crash
    this.o.transport.broadcast(TOPIC.evidence, encodeEvidence(item));
  }

  /** An item from a peer: kept if valid for the next height. */
  receive(peer: PeerId, item: EvidenceItem): void {
    const key = evidenceKey(item);
    if (this.pending.has(key) || this.committed.has(key)) return;
    const v = checkEvidence(item, this.o.committedHeight() + 1, this.rules(), this.o.verifier, this.o.chainId);
    if (!v.ok) {
      // A forged signature or a malformed pair is the peer's doing; evidence from heights this
      // node has not reached, or of validators it cannot place, may not be.
      if (v.reason === 'bad vote signature') this.o.transport.penalize(peer, 'invalid-signature');
      else if (MALFORMED.has(v.reason)) this.o.transport.penalize(peer, 'invalid-message');
      return;
    }
    this.pending.set(key, item);
    this.save();
  }

  /** Evidence found while the peer was away (or before this node's restart) reaches it too. */
  sendPending(peer: PeerId): void {
    for (const item of this.pending.values()) this.o.transport.send(peer, TOPIC.evidence, encodeEvidence(item));
  }

  /** The items a block at `height` carries. */
  forBlock(height: number): EvidenceItem[] {
    return this.prune(height).slice(0, MAX_EVIDENCE_PER_BLOCK);
  }

  /** A block's evidence is committed: never pending again. */
  onCommitted(evidence: readonly EvidenceItem[]): void {
    let done = false;
    for (const item of evidence) {
      const key = evidenceKey(item);
      done = this.pending.delete(key) || done;
      this.committed.add(key);
    }
    // After the store commit: a crash in between leaves the item in the file, and load() drops
    // it (its validator is tombstoned by then).
    if (done) this.save();
  }

  /** Pending evidence saved before the restart, still to be committed. */
  load(): void {
    const saved = this.o.evidenceStore?.load() ?? [];
    let undecodable = 0;
    for (const bytes of saved) {
      try {
        const item = decodeEvidence(bytes);
        this.pending.set(evidenceKey(item), item);
      } catch {
        undecodable++;
      }
    }
    const kept = this.prune(this.o.committedHeight() + 1).length;
    if (undecodable > 0) this.save();
    if (saved.length > 0) this.o.logger.info({ saved: saved.length, kept, undecodable }, 'consensus: pending evidence loaded');
  }

  /** What an item (in a block or from a peer) is checked against. */
  rules(): EvidenceRules {
    return {
      publicKeyOf: (address) => this.ledgerValidator(address)?.pubKey,
      blockTimeAt: (height) => this.blockTimeAt(height),
      setAt: (height) => this.recentSets.get(height),
    };
  }

  /**
   * Drops pending items that can no longer be committed at `height`: the validator is unknown or
   * already tombstoned (so an item committed before, even before a restart, is never proposed
   * again), or the item is no longer valid (too old). Returns the rest in key order.
   */
  private prune(height: number): EvidenceItem[] {
    const out: EvidenceItem[] = [];
    let dropped = false;
    for (const [key, item] of [...this.pending].sort(byKey)) {
      const record = this.ledgerValidator(item.validator);
      if (record === undefined || record.tombstoned || !checkEvidence(item, height, this.rules(), this.o.verifier, this.o.chainId).ok) {
        this.pending.delete(key);
        dropped = true;
        continue;
      }
      out.push(item);
    }
    if (dropped) this.save();
    return out;
  }

  private save(): void {
    const items = [...this.pending].sort(byKey).map(([, item]) => encodeEvidence(item));
    this.o.evidenceStore?.save(items);
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
    const bytes = height >= 1 && height <= this.o.committedHeight() ? this.o.store.getBlock(height) : undefined;
    return bytes === undefined ? undefined : decodeBlock(bytes).header.timeMs;
  }
}

/** The engine's evidence as the ledger's block item (the votes in this node's vote encoding). */
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
