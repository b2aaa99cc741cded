/**
 * The state machine behind an interface shaped like CometBFT's ABCI++ (InitChain, CheckTx,
 * PrepareProposal, ProcessProposal, FinalizeBlock, Commit, Query), so the node drives it the
 * same way whether consensus is ours or CometBFT.
 *
 * The node's loop: initChain(genesis) or restoreApp(stored entries) at start; checkTx for each
 * transaction offered (the mempool does it); for each decided block finalizeBlock(), then write
 * the block with changes() in one disk transaction, then commit().
 *
 * Signatures are verified once: a transaction that passed checkTx (or processProposal) is kept
 * decoded and verified by its hash, and finalizeBlock reuses it.
 */
import { GridLedgerError } from '../errors.ts';
import { bytesEqual, toHex } from './bytes.ts';
import type { AppEvent, BlockContext, LedgerHooks } from './context.ts';
import { NO_HOOKS } from './context.ts';
import { beginBlock, checkFeeFloor, endBlock, executeTx, failure } from './execute.ts';
import type { TxResult } from './execute.ts';
import { writeGenesisState } from './genesis.ts';
import type { Genesis } from './genesis.ts';
import type { Params } from './params.ts';
import type { ChainMeta } from './records.ts';
import { codecs, stateKeys } from './records.ts';
import type { StateProof } from './smt.ts';
import type { Misbehaviour, ValidatorUpdate, VoteInfo } from './staking.ts';
import { Overlay } from './state.ts';
import { StateStore } from './store.ts';
import type { StateChange } from './store.ts';
import { auditSupply, checkSupplyDelta, systemAccountKeySet } from './supply.ts';
import { blockTxBytes, checkBlockBody } from './block.ts';
import type { Block } from './block.ts';
import { decodeTx, txHash, verifyTxSignature } from './tx/envelope.ts';
import type { DecodedTx } from './tx/envelope.ts';
import { defaultRegistry } from './tx/registry.ts';
import type { TxRegistry } from './tx/types.ts';
import { runQuery } from './query.ts';
import type { QueryResult } from './query.ts';

export interface AppOptions {
  /** Transaction types (default: the registry's table). */
  registry?: TxRegistry;
  hooks?: Partial<LedgerHooks>;
  /** Accounts allowed to go negative (e.g. the main grid, issue 6). */
  systemAccounts?: readonly Uint8Array[];
  /** How many verified transactions to remember by hash (default 200,000). */
  verifiedCacheSize?: number;
}

export interface AppInfo {
  readonly chainId: string;
  readonly height: number;
  readonly timeMs: number;
  /** State root after `height`: the appHash the next block's header carries. */
  readonly appHash: Uint8Array;
}

export interface InitChainResult {
  readonly appHash: Uint8Array;
  readonly validators: ValidatorUpdate[];
}

export interface CheckTxResult extends TxResult {
  readonly hash: Uint8Array;
  readonly hashHex: string;
  /** Sender address (hex) and nonce, when the transaction decoded. */
  readonly senderHex?: string;
  readonly nonce?: number;
  /** On TX_NONCE_TOO_HIGH and TX_NONCE_TOO_LOW: the account's next nonce. */
  readonly expectedNonce?: number;
}

export interface CheckTxOptions {
  /** 'recheck' after a commit (the signature is remembered); default 'new'. */
  readonly mode?: 'new' | 'recheck';
  /**
   * Asked right after decoding, before the signature is verified: the mempool refuses floods
   * here without spending a verification.
   */
  readonly admit?: (tx: DecodedTx) => GridLedgerError | undefined;
  /** SHA-256 of `bytes` when the caller has it already (the mempool does): not hashed again. */
  readonly hash?: Uint8Array;
  /** And its hex, with `hash`. */
  readonly hashHex?: string;
}

export interface PrepareProposalRequest {
  readonly txs: readonly Uint8Array[];
  readonly maxBytes: number;
}

export type ProcessProposalResult = { readonly accept: true } | { readonly accept: false; readonly error: string; readonly reason: string };

export interface FinalizeBlockRequest {
  readonly height: number;
  readonly timeMs: number;
  /** Address of the proposer's consensus key. */
  readonly proposer: Uint8Array;
  readonly txs: readonly Uint8Array[];
  readonly misbehaviour?: readonly Misbehaviour[];
  /** The previous block's commit: who signed it (liveness). */
  readonly lastCommitVotes?: readonly VoteInfo[];
}

export interface FinalizeBlockResult {
  readonly txResults: Array<TxResult & { readonly hash: Uint8Array }>;
  /** Take effect at height + 2 (consensus's rule). */
  readonly validatorUpdates: ValidatorUpdate[];
  /** Begin- and end-block events. */
  readonly events: AppEvent[];
  /** State root after this block. */
  readonly appHash: Uint8Array;
}

export interface CommitResult {
  readonly height: number;
  readonly appHash: Uint8Array;
  /** What to write to disk with the block (also available from changes() before commit). */
  readonly changes: StateChange[];
}

const ZERO_ADDRESS = new Uint8Array(20);

export class LedgerApp {
  private store: StateStore | null = null;
  private checkState: Overlay | null = null;
  /** finalizeBlock (or initChain) ran, commit() has not: the node is writing to disk. */
  private pendingCommit = false;
  private readonly verified = new Map<string, DecodedTx>();
  private readonly registry: TxRegistry;
  private readonly hooks: LedgerHooks;
  private readonly systemAccountKeys: ReadonlySet<string>;
  private readonly verifiedCacheSize: number;

  constructor(opts: AppOptions = {}) {
    this.registry = opts.registry ?? defaultRegistry;
    this.hooks = { ...NO_HOOKS, ...opts.hooks };
    this.systemAccountKeys = systemAccountKeySet(opts.systemAccounts ?? []);
    this.verifiedCacheSize = opts.verifiedCacheSize ?? 200_000;
  }

  /** Loads committed state (from the node's disk); audits the supply over all of it. */
  loadState(entries: Iterable<readonly [Uint8Array, Uint8Array]>): AppInfo {
    if (this.store !== null) throw new GridLedgerError('APP_ALREADY_INITIALISED', 'state is already loaded');
    const store = StateStore.fromEntries(entries);
    auditSupply(store.entries());
    if (store.get(stateKeys.chainMeta, codecs.chainMeta) === undefined) throw new GridLedgerError('STATE_CORRUPT', 'stored state has no chain metadata');
    this.store = store;
    this.checkState = new Overlay(store);
    return this.info();
  }

  initChain(genesis: Genesis): InitChainResult {
    if (this.store !== null) throw new GridLedgerError('APP_ALREADY_INITIALISED', 'initChain on a chain that already has state');
    const store = new StateStore();
    const view = new Overlay(store);
    const validators = writeGenesisState(view, genesis);
    store.write(view.sortedWrites());
    auditSupply(store.entries());
    this.store = store;
    this.checkState = new Overlay(store);
    this.pendingCommit = true;
    return { appHash: store.root(), validators };
  }

  info(): AppInfo {
    const meta = this.meta();
    return { chainId: meta.chainId, height: meta.height, timeMs: meta.timeMs, appHash: this.requireStore().root() };
  }

  params(): Params {
    const p = this.requireStore().get(stateKeys.params, codecs.params);
    if (p === undefined) throw new GridLedgerError('STATE_CORRUPT', 'state has no parameters');
    return p;
  }

  /**
   * Admission: decode, chain id, fee floor, signature (once per transaction), then nonce, funds
   * and the type's own checks against the mempool's view (committed state plus every transaction
   * admitted since). A refused transaction changes nothing.
   */
  checkTx(bytes: Uint8Array, opts: CheckTxOptions = {}): CheckTxResult {
    const hash = opts.hash ?? txHash(bytes);
    const hashHex = opts.hash !== undefined && opts.hashHex !== undefined ? opts.hashHex : toHex(hash);
    if (this.pendingCommit) {
      return { ...failure(new GridLedgerError('APP_COMMIT_PENDING', 'a block is being committed: try again'), 0), hash, hashHex };
    }
    let tx: DecodedTx;
    try {
      tx = this.admit(bytes, hash, hashHex, opts.mode === 'recheck' ? undefined : opts.admit);
    } catch (e) {
      return { ...failure(e, 0), hash, hashHex };
    }
    const r = executeTx(this.requireCheckState(), tx, this.checkContext(), 'check');
    // Field by field: spreading the execution result costs more than the execution (recheck).
    const base = { code: r.code, log: r.log, events: r.events, feeUc: r.feeUc, hash, hashHex, senderHex: tx.senderHex, nonce: tx.tx.nonce };
    if (r.error === undefined) return base;
    if (r.error === 'TX_NONCE_TOO_HIGH' || r.error === 'TX_NONCE_TOO_LOW') return { ...base, error: r.error, expectedNonce: this.nonceOf(tx) };
    return { ...base, error: r.error };
  }

  /** Transactions for this node's proposal: in order, within the byte and count limits. */
  prepareProposal(req: PrepareProposalRequest): Uint8Array[] {
    const params = this.params();
    const maxBytes = Math.min(req.maxBytes, params.limits.maxBlockBytes);
    const out: Uint8Array[] = [];
    let size = 0;
    for (const bytes of req.txs) {
      if (out.length >= params.limits.maxBlockTxs) break;
      if (size + bytes.length > maxBytes) continue;
      try {
        const hash = txHash(bytes);
        this.admit(bytes, hash, toHex(hash), undefined);
      } catch {
        continue;
      }
      out.push(bytes);
      size += bytes.length;
    }
    return out;
  }

  /**
   * Votes on another validator's block: header fields the ledger knows (chain, height, app hash,
   * body hashes, limits) and every transaction's form, chain and signature. Transactions that
   * fail against state are not a reason to reject: they fail in finalizeBlock with a code.
   */
  processProposal(block: Block): ProcessProposalResult {
    try {
      const meta = this.meta();
      const params = this.params();
      const h = block.header;
      if (h.chainId !== meta.chainId) throw new GridLedgerError('BLOCK_WRONG_CHAIN', `block is for chain ${h.chainId}`);
      if (h.height !== meta.height + 1) throw new GridLedgerError('BLOCK_HEIGHT_MISMATCH', `block height ${h.height}, expected ${meta.height + 1}`);
      if (meta.height > 0 ? h.timeMs <= meta.timeMs : h.timeMs < meta.timeMs) throw new GridLedgerError('BLOCK_TIME_NOT_INCREASING', `block time ${h.timeMs} is not after ${meta.timeMs}`);
      if (!bytesEqual(h.appHash, this.requireStore().root())) throw new GridLedgerError('BLOCK_APP_HASH_MISMATCH', 'block carries a different app hash than this node computed');
      checkBlockBody(block);
      if (block.txs.length > params.limits.maxBlockTxs) throw new GridLedgerError('BLOCK_TOO_MANY_TXS', `${block.txs.length} transactions, limit ${params.limits.maxBlockTxs}`);
      if (blockTxBytes(block.txs) > params.limits.maxBlockBytes) throw new GridLedgerError('BLOCK_TOO_LARGE', `transactions exceed ${params.limits.maxBlockBytes} bytes`);
      for (const bytes of block.txs) {
        const hash = txHash(bytes);
        try {
          this.admit(bytes, hash, toHex(hash), undefined);
        } catch (e) {
          const why = e instanceof GridLedgerError ? `${e.code}: ${e.message}` : String(e);
          throw new GridLedgerError('BLOCK_INVALID_TX', `transaction ${toHex(hash)} is invalid (${why})`);
        }
      }
      return { accept: true };
    } catch (e) {
      if (!(e instanceof GridLedgerError)) throw e;
      return { accept: false, error: e.code, reason: e.message };
    }
  }

  /**
   * Executes a decided block: begin block, every transaction, end block; checks the supply
   * invariant (a violation throws FATAL_SUPPLY_INVARIANT and changes nothing: the node must
   * stop); applies the changes to the state tree and returns the new app hash.
   */
  finalizeBlock(req: FinalizeBlockRequest): FinalizeBlockResult {
    const store = this.requireStore();
    if (this.pendingCommit) throw new GridLedgerError('APP_COMMIT_PENDING', 'commit() the previous block first');
    const meta = this.meta();
    if (req.height !== meta.height + 1) throw new GridLedgerError('BLOCK_HEIGHT_MISMATCH', `finalizeBlock at ${req.height}, expected ${meta.height + 1}`);
    if (meta.height > 0 ? req.timeMs <= meta.timeMs : req.timeMs < meta.timeMs) {
      throw new GridLedgerError('BLOCK_TIME_NOT_INCREASING', `block time ${req.timeMs} is not after ${meta.timeMs}`);
    }
    const ctx: BlockContext = {
      chainId: meta.chainId,
      height: req.height,
      timeMs: req.timeMs,
      proposer: req.proposer,
      params: this.params(),
      hooks: this.hooks,
      events: [],
      feesUc: 0,
    };
    const view = new Overlay(store);
    beginBlock(view, ctx, req.misbehaviour ?? [], req.lastCommitVotes ?? []);
    const txResults = req.txs.map((bytes) => {
      const hash = txHash(bytes);
      const hashHex = toHex(hash);
      let tx: DecodedTx;
      try {
        tx = this.admit(bytes, hash, hashHex, undefined);
      } catch (e) {
        return withHash(failure(e, 0), hash);
      }
      this.verified.delete(hashHex);
      return withHash(executeTx(view, tx, ctx, 'deliver'), hash);
    });
    const validatorUpdates = endBlock(view, ctx);
    const writes = view.sortedWrites();
    checkSupplyDelta(store, writes, this.systemAccountKeys);
    store.write(writes);
    this.pendingCommit = true;
    return { txResults, validatorUpdates, events: ctx.events, appHash: store.root() };
  }

  /** State changes since the last commit, sorted by key: write them with the block. */
  changes(): StateChange[] {
    return this.requireStore().changes();
  }

  /** Ends the block: clears the change set and resets the mempool's view to the new state. */
  commit(): CommitResult {
    const store = this.requireStore();
    const changes = store.changes();
    store.clearChanges();
    this.checkState = new Overlay(store);
    this.pendingCommit = false;
    return { height: this.meta().height, appHash: store.root(), changes };
  }

  /** Reads committed state; see query.ts for the paths. `prove` adds a state proof. */
  query(path: string, opts: { prove?: boolean } = {}): QueryResult {
    return runQuery(this.requireStore(), path, opts.prove === true);
  }

  stateRoot(): Uint8Array {
    return this.requireStore().root();
  }

  /** Proof for a raw state key (see records.ts stateKeys), against stateRoot(). */
  proveKey(key: string): { value: Uint8Array | null; proof: StateProof } {
    const store = this.requireStore();
    return { value: store.getBytes(key) ?? null, proof: store.prove(key) };
  }

  /** All committed key/values, sorted (a snapshot for state sync or an audit). */
  entries(): Array<readonly [string, Uint8Array]> {
    return this.requireStore().entries();
  }

  /** Decodes, checks form, chain and fee floor, and verifies the signature, once per hash. */
  private admit(bytes: Uint8Array, hash: Uint8Array, hashHex: string, gate: CheckTxOptions['admit']): DecodedTx {
    const known = this.verified.get(hashHex);
    if (known !== undefined) {
      const refusal = gate?.(known);
      if (refusal !== undefined) throw refusal;
      return known;
    }
    const params = this.params();
    const tx = decodeTx(bytes, this.registry, params.limits.maxTxBytes, hash);
    const chainId = this.meta().chainId;
    if (tx.tx.chainId !== chainId) throw new GridLedgerError('TX_WRONG_CHAIN', `transaction is for chain "${tx.tx.chainId}", this is "${chainId}"`);
    const refusal = gate?.(tx);
    if (refusal !== undefined) throw refusal;
    checkFeeFloor(tx, params);
    if (!verifyTxSignature(tx)) throw new GridLedgerError('TX_BAD_SIGNATURE', 'signature does not verify for the sender key');
    if (this.verified.size >= this.verifiedCacheSize) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(hashHex, tx);
    return tx;
  }

  private nonceOf(tx: DecodedTx): number {
    return this.requireCheckState().get(stateKeys.account(tx.senderAddress), codecs.account)?.nonce ?? 0;
  }

  private checkContext(): BlockContext {
    const meta = this.meta();
    return {
      chainId: meta.chainId,
      height: meta.height + 1,
      timeMs: meta.timeMs,
      proposer: ZERO_ADDRESS,
      params: this.params(),
      hooks: this.hooks,
      events: [],
      feesUc: 0,
    };
  }

  private meta(): ChainMeta {
    const meta = this.requireStore().get(stateKeys.chainMeta, codecs.chainMeta);
    if (meta === undefined) throw new GridLedgerError('STATE_CORRUPT', 'state has no chain metadata');
    return meta;
  }

  private requireStore(): StateStore {
    if (this.store === null) throw new GridLedgerError('APP_NOT_INITIALISED', 'no state: call initChain or loadState first');
    return this.store;
  }

  private requireCheckState(): Overlay {
    if (this.checkState === null) throw new GridLedgerError('APP_NOT_INITIALISED', 'no state: call initChain or loadState first');
    return this.checkState;
  }
}

/** A result with its transaction's hash, built field by field (a spread is the slow path here). */
function withHash(r: TxResult, hash: Uint8Array): TxResult & { readonly hash: Uint8Array } {
  const out = { code: r.code, log: r.log, events: r.events, feeUc: r.feeUc, hash };
  return r.error === undefined ? out : { ...out, error: r.error };
}

export function createApp(opts: AppOptions = {}): LedgerApp {
  return new LedgerApp(opts);
}

/** An app over state loaded from the node's store (`StateChange`s as written, values only). */
export function restoreApp(entries: Iterable<readonly [Uint8Array, Uint8Array]>, opts: AppOptions = {}): LedgerApp {
  const app = new LedgerApp(opts);
  app.loadState(entries);
  return app;
}

