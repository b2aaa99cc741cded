/**
 * The mempool: transactions admitted by the app's checkTx and waiting for a block. Bounded in
 * count and bytes, with a per-sender cap that is enforced before the signature is verified (a
 * flood from one key costs one decode per transaction, not one verification). Each sender's
 * transactions leave in nonce order; a transaction whose nonce is ahead of the sender's next
 * one waits ("parked", signature already verified) until the gap is filled. After each commit,
 * the included transactions leave and the rest are checked again against the new state.
 * Not consensus-critical: each node's mempool is its own.
 */
import { GridLedgerError } from '../errors.ts';
import type { CheckTxOptions, CheckTxResult } from './app.ts';
import { toHex } from './bytes.ts';
import { codeNumber } from './codes.ts';
import { txHash } from './tx/envelope.ts';
import type { DecodedTx } from './tx/envelope.ts';

export interface MempoolOptions {
  readonly maxTxs: number;
  readonly maxBytes: number;
  /** Transactions one sender may have waiting (ready and parked). */
  readonly maxPerSender: number;
}

export const DEFAULT_MEMPOOL_OPTIONS: MempoolOptions = { maxTxs: 20_000, maxBytes: 64 * 1024 * 1024, maxPerSender: 256 };

/** What the mempool needs of the app. */
export interface MempoolApp {
  checkTx(bytes: Uint8Array, opts?: CheckTxOptions): CheckTxResult;
}

export interface AddResult {
  readonly code: number;
  readonly error?: string;
  readonly log: string;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  /** Accepted, but waiting for the sender's earlier nonces. */
  readonly parked?: boolean;
}

interface Entry {
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly senderHex: string;
  readonly nonce: number;
}

export class Mempool {
  private readonly ready = new Map<string, Entry>();
  private readonly parked = new Map<string, Map<number, Entry>>();
  private readonly parkedHashes = new Set<string>();
  private readonly perSender = new Map<string, number>();
  private totalBytes = 0;

  constructor(
    private readonly app: MempoolApp,
    private readonly opts: MempoolOptions = DEFAULT_MEMPOOL_OPTIONS,
  ) {}

  /** The per-sender cap, asked by checkTx before it verifies a signature (one closure for all). */
  private readonly gate = (tx: DecodedTx): GridLedgerError | undefined =>
    this.senderCount(tx.senderHex) >= this.opts.maxPerSender ? new GridLedgerError('MEMPOOL_SENDER_LIMIT', `sender already has ${this.opts.maxPerSender} transactions waiting`) : undefined;

  get size(): number {
    return this.ready.size + this.parkedHashes.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Ready transactions (in the order a proposal would take them). */
  get readyCount(): number {
    return this.ready.size;
  }

  has(hashHex: string): boolean {
    return this.ready.has(hashHex) || this.parkedHashes.has(hashHex);
  }

  senderCount(senderHex: string): number {
    return this.perSender.get(senderHex) ?? 0;
  }

  add(bytes: Uint8Array): AddResult {
    const hash = txHash(bytes);
    const hashHex = toHex(hash);
    const refuse = (code: 'TX_DUPLICATE' | 'MEMPOOL_FULL', log: string): AddResult => ({ code: codeNumber(code), error: code, log, hash, hashHex });
    if (this.has(hashHex)) return refuse('TX_DUPLICATE', 'transaction is already in the mempool');
    if (this.size >= this.opts.maxTxs || this.totalBytes + bytes.length > this.opts.maxBytes) {
      return refuse('MEMPOOL_FULL', `mempool is full (${this.size} transactions, ${this.totalBytes} bytes)`);
    }
    const res = this.app.checkTx(bytes, { mode: 'new', hash, hashHex, admit: this.gate });
    const base = { hash, hashHex };
    if (res.senderHex === undefined || res.nonce === undefined) return { code: res.code, ...(res.error === undefined ? {} : { error: res.error }), log: res.log, ...base };
    const entry: Entry = { bytes, hash, hashHex, senderHex: res.senderHex, nonce: res.nonce };
    if (res.code === 0) {
      this.insertReady(entry);
      // Only the next nonce can leave the parked set now (others wait for it, or for update()).
      if (this.parked.get(entry.senderHex)?.has(entry.nonce + 1) === true) this.promote(entry.senderHex);
      return { code: 0, log: res.log, hash, hashHex };
    }
    const expected = res.expectedNonce;
    if (res.error === 'TX_NONCE_TOO_HIGH' && expected !== undefined && res.nonce - expected < this.opts.maxPerSender) {
      const slots = this.parked.get(entry.senderHex) ?? new Map<number, Entry>();
      if (!slots.has(entry.nonce)) {
        slots.set(entry.nonce, entry);
        this.parked.set(entry.senderHex, slots);
        this.parkedHashes.add(hashHex);
        this.count(entry, +1);
        return { code: 0, log: `parked: waiting for nonce ${expected}`, parked: true, hash, hashHex };
      }
    }
    return { code: res.code, ...(res.error === undefined ? {} : { error: res.error }), log: res.log, ...base };
  }

  /** Ready transactions for a proposal, in order, within the limits; keeps each sender's nonces gapless. */
  reap(maxBytes: number, maxTxs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const blocked = new Set<string>();
    let size = 0;
    for (const e of this.ready.values()) {
      if (out.length >= maxTxs) break;
      if (blocked.has(e.senderHex)) continue;
      if (size + e.bytes.length > maxBytes) {
        blocked.add(e.senderHex);
        continue;
      }
      out.push(e.bytes);
      size += e.bytes.length;
    }
    return out;
  }

  /**
   * After the app committed a block: drops the block's transactions, re-checks the rest against
   * the new state (dropping what no longer passes) and promotes parked ones that became ready.
   */
  update(committedTxs: readonly Uint8Array[]): { removed: number; evicted: number } {
    let removed = 0;
    for (const bytes of committedTxs) {
      const hashHex = toHex(txHash(bytes));
      const e = this.ready.get(hashHex) ?? this.findParked(hashHex);
      if (e === undefined) continue;
      this.drop(e);
      removed++;
    }
    let evicted = 0;
    const waiting = [...this.ready.values()];
    this.ready.clear();
    for (const e of waiting) {
      const res = this.app.checkTx(e.bytes, { mode: 'recheck', hash: e.hash, hashHex: e.hashHex });
      if (res.code === 0) this.ready.set(e.hashHex, e);
      else {
        this.count(e, -1);
        evicted++;
      }
    }
    for (const sender of [...this.parked.keys()].sort()) evicted += this.promote(sender);
    return { removed, evicted };
  }

  private insertReady(e: Entry): void {
    this.ready.set(e.hashHex, e);
    this.count(e, +1);
  }

  /** Moves a sender's parked transactions to ready while their nonces line up; returns how many were dropped. */
  private promote(senderHex: string): number {
    const slots = this.parked.get(senderHex);
    let dropped = 0;
    while (slots !== undefined && slots.size > 0) {
      const lowest = Math.min(...slots.keys());
      const e = slots.get(lowest) as Entry;
      const res = this.app.checkTx(e.bytes, { mode: 'recheck', hash: e.hash, hashHex: e.hashHex });
      if (res.code !== 0 && res.error === 'TX_NONCE_TOO_HIGH') break;
      slots.delete(lowest);
      this.parkedHashes.delete(e.hashHex);
      if (res.code === 0) this.ready.set(e.hashHex, e);
      else {
        this.count(e, -1);
        dropped++;
      }
    }
    if (slots !== undefined && slots.size === 0) this.parked.delete(senderHex);
    return dropped;
  }

  private findParked(hashHex: string): Entry | undefined {
    if (!this.parkedHashes.has(hashHex)) return undefined;
    for (const slots of this.parked.values()) for (const e of slots.values()) if (e.hashHex === hashHex) return e;
    return undefined;
  }

  private drop(e: Entry): void {
    if (this.ready.delete(e.hashHex)) {
      this.count(e, -1);
      return;
    }
    const slots = this.parked.get(e.senderHex);
    if (slots?.delete(e.nonce) === true) {
      this.parkedHashes.delete(e.hashHex);
      if (slots.size === 0) this.parked.delete(e.senderHex);
      this.count(e, -1);
    }
  }

  private count(e: Entry, delta: 1 | -1): void {
    this.totalBytes += delta * e.bytes.length;
    const n = (this.perSender.get(e.senderHex) ?? 0) + delta;
    if (n === 0) this.perSender.delete(e.senderHex);
    else this.perSender.set(e.senderHex, n);
  }
}
