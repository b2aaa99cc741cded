/**
 * The block a validator proposes (docs/node.md section 4): transactions from the mempool
 * through the app's prepareProposal, within the chain's limits and the node's frame budget; the
 * pending evidence; the last commit with every validator of the last set; the BFT time that
 * commit gives (the genesis time at height 1); a header naming the app hash and the validator
 * sets of this height and the next.
 */
import type { Commit } from '../consensus/index.ts';
import { EMPTY_COMMIT, encodeBlock, makeBlock } from '../ledger/index.ts';
import type { Block, EvidenceItem, LedgerApp, Mempool } from '../ledger/index.ts';
import { headerSetHash, nextBlockTimeMs, toLastCommit } from './blockValidation.ts';
import type { ChainTip, HeightSets } from './blockValidation.ts';

export interface ProposalInputs {
  readonly height: number;
  readonly proposer: Uint8Array;
  readonly tip: ChainTip;
  /** The commit of the tip, with the late precommits it gathered. */
  readonly lastCommit: Commit | undefined;
  readonly sets: HeightSets;
  readonly app: LedgerApp;
  readonly mempool: Mempool;
  /** Largest block the node proposes (bytes of transactions). */
  readonly maxBlockBytes: number;
  /** Pending evidence to include at `height`. */
  readonly evidence: (height: number) => EvidenceItem[];
}

export function assembleProposal(p: ProposalInputs): { block: Block; value: Uint8Array; timeMs: number } {
  const { app, mempool, tip, height } = p;
  const limits = app.params().limits;
  const maxBytes = Math.min(limits.maxBlockBytes, p.maxBlockBytes);
  const txs = app.prepareProposal({ txs: mempool.reap(maxBytes, limits.maxBlockTxs), maxBytes });
  const last = p.lastCommit;
  const lastSet = p.sets.last;
  const lastCommit = tip.height === 0 || last === undefined || lastSet === undefined ? EMPTY_COMMIT : toLastCommit(last, lastSet);
  const timeMs = nextBlockTimeMs(tip, last, lastSet);
  const block = makeBlock(
    {
      chainId: tip.chainId,
      height,
      timeMs,
      lastBlockId: tip.blockId,
      appHash: app.info().appHash,
      proposer: p.proposer,
      validatorsHash: headerSetHash(p.sets.current),
      nextValidatorsHash: headerSetHash(p.sets.next),
    },
    txs,
    p.evidence(height),
    lastCommit,
  );
  return { block, value: encodeBlock(block), timeMs };
}
