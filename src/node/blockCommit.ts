/**
 * Applying a decided (or synced) block (docs/node.md section 4): finalizeBlock, then the block,
 * its id, the state changes, the tx index and the commit record in one store transaction, then
 * app.commit(), the WAL's end of the height and mempool.update. A throw anywhere here halts the
 * node. The commit record holds the validator sets a restart needs (validatorSets.ts).
 */
import type { Commit } from '../consensus/index.ts';
import { blockId as headerBlockId, misbehaviourOf, votesOf } from '../ledger/index.ts';
import type { Block, FinalizeBlockResult, LedgerApp, Mempool } from '../ledger/index.ts';
import { encodeCommitRecord } from './messages.ts';
import type { ChainStore } from './store/chainStore.ts';
import { advanceSets } from './validatorSets.ts';
import type { ValidatorSets } from './validatorSets.ts';
import type { Wal } from './wal/wal.ts';

export interface CommitParts {
  readonly app: LedgerApp;
  readonly store: ChainStore;
  readonly mempool: Mempool;
  readonly wal: Wal;
}

export interface CommittedBlock {
  readonly blockId: Uint8Array;
  readonly results: FinalizeBlockResult['txResults'];
  /** The validator sets around the height after this block. */
  readonly sets: ValidatorSets;
}

/** Executes and stores a block at height S + 1; `sets` are the sets around S + 1. */
export function commitBlock(parts: CommitParts, sets: ValidatorSets, block: Block, bytes: Uint8Array, commit: Commit): CommittedBlock {
  const { app, store, mempool, wal } = parts;
  const h = block.header;
  const res = app.finalizeBlock({
    height: h.height,
    timeMs: h.timeMs,
    proposer: h.proposer,
    txs: block.txs,
    misbehaviour: misbehaviourOf(block.evidence),
    lastCommitVotes: votesOf(block.lastCommit),
  });
  const next = advanceSets(sets, res.validatorUpdates);
  const id = headerBlockId(h);
  const record = encodeCommitRecord({
    commit,
    appHash: res.appHash,
    results: res.txResults.map((r) => ({ code: r.code, log: r.log })),
    validators: sets.current.validators,
    nextBeforeIncrement: sets.nextBefore.validators,
    afterNextBeforeIncrement: next.nextBefore.validators,
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
  return { blockId: id, results: res.txResults, sets: next };
}
