/**
 * A GridLedgerNode for RPC and CLI unit tests: the real ledger app (devNet) with one block per
 * `commit()` call, no consensus, no network, no disk. Waiting submitters are answered by the next
 * commit.
 */
import { blockId as headerId, EMPTY_COMMIT, makeBlock, toHex, txHash, ZERO_HASH } from '../../ledger/index.ts';
import type { DevNet } from '../../ledger/index.ts';
import type { BlockView, CommittedBlockEvent, GridLedgerNode, NodeStatus, SubmitResult, TxView } from '../node.ts';

export interface FakeNode extends GridLedgerNode {
  /** Makes one block of every admitted transaction. */
  commit(): void;
  readonly pending: number;
}

export function createFakeNode(net: DevNet): FakeNode {
  const chainId = net.chain.genesis.chainId;
  const proposer = net.chain.validators[0];
  if (proposer === undefined) throw new Error('no validator');
  const blocks: BlockView[] = [];
  const txs = new Map<string, TxView>();
  let mempool: Uint8Array[] = [];
  const waiting = new Map<string, (r: SubmitResult) => void>();
  const handlers = new Set<(e: CommittedBlockEvent) => void>();
  let lastId: Uint8Array = ZERO_HASH;

  const node: FakeNode = {
    async start() {},
    async stop() {},
    get pending() {
      return mempool.length;
    },
    status(): NodeStatus {
      const top = blocks[blocks.length - 1];
      return {
        chainId,
        height: top?.height ?? 0,
        blockId: top?.blockId ?? null,
        timeMs: top?.timeMs ?? net.chain.genesis.genesisTimeMs,
        appHash: toHex(net.app.info().appHash),
        validator: toHex(proposer.address),
        peers: 0,
        catchingUp: false,
      };
    },
    submitTx(bytes, opts = {}) {
      const r = net.check(bytes);
      if (r.code !== 0) return Promise.resolve({ hash: r.hashHex, code: r.code, error: r.error ?? 'TX_REFUSED', message: r.log });
      mempool.push(bytes);
      if (opts.waitForCommit !== true) return Promise.resolve({ hash: r.hashHex, code: 0 });
      return new Promise((resolve) => waiting.set(r.hashHex, resolve));
    },
    getBlock: (height) => blocks[height - 1] ?? null,
    getTx: (hash) => txs.get(hash) ?? null,
    query(path) {
      const r = net.app.query(path);
      return r.code === 0 ? { code: 0, value: r.value } : { code: r.code, error: r.error ?? 'QUERY_FAILED', message: r.log };
    },
    onCommit(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    commit() {
      const included = mempool;
      mempool = [];
      const height = net.app.info().height + 1;
      const appHash = net.app.info().appHash;
      const result = net.block(included);
      const block = makeBlock(
        {
          chainId,
          height,
          timeMs: net.timeMs,
          lastBlockId: lastId,
          appHash,
          proposer: proposer.address,
          validatorsHash: ZERO_HASH,
          nextValidatorsHash: ZERO_HASH,
        },
        included,
        [],
        EMPTY_COMMIT,
      );
      lastId = headerId(block.header);
      const hashes = included.map((t) => toHex(txHash(t)));
      blocks.push({ height, blockId: toHex(lastId), timeMs: net.timeMs, proposer: toHex(proposer.address), txs: hashes, bytes: new Uint8Array() });
      included.forEach((bytes, index) => {
        const hash = hashes[index] ?? '';
        const res = result.txResults[index];
        const code = res?.code ?? 1;
        txs.set(hash, { hash, height, index, code, log: res?.log ?? '', bytes });
        const done = waiting.get(hash);
        waiting.delete(hash);
        const out: SubmitResult = code === 0 ? { hash, code, height } : { hash, code, height, error: res?.error ?? 'TX_FAILED', message: res?.log ?? '' };
        done?.(out);
      });
      for (const h of handlers) h({ height, blockId: toHex(lastId), timeMs: net.timeMs, txHashes: hashes });
    },
  };
  return node;
}
