/**
 * The node's public face: what the RPC server, the CLI, the in-process cluster and the city
 * simulation use. The composition root (createNode in nodeRuntime.ts) builds the store, the ledger
 * app, the mempool, the consensus host and the transport and passes them in; this file only fixes
 * the contract so that those parts can be written and tested apart.
 */
import type { Hex } from '../consensus/types.ts';

export interface NodeStatus {
  chainId: string;
  height: number;
  /** Id of the block at `height` (hex), null before the first block. */
  blockId: Hex | null;
  timeMs: number;
  appHash: Hex;
  /** This node's validator address (hex), null for a full node. */
  validator: Hex | null;
  peers: number;
  catchingUp: boolean;
}

export interface SubmitResult {
  hash: Hex;
  /** 0 = accepted (admitted, and with waitForCommit executed successfully). */
  code: number;
  /** Stable error code when refused or failed. */
  error?: string;
  message?: string;
  height?: number;
}

export interface BlockView {
  height: number;
  blockId: Hex;
  timeMs: number;
  proposer: Hex;
  txs: Hex[];
  bytes: Uint8Array;
}

export interface TxView {
  hash: Hex;
  height: number;
  index: number;
  code: number;
  log: string;
  bytes: Uint8Array;
}

export interface CommittedBlockEvent {
  height: number;
  blockId: Hex;
  timeMs: number;
  txHashes: Hex[];
}

export interface GridLedgerNode {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): NodeStatus;
  /** Admits a signed transaction; with waitForCommit resolves once it is in a committed block. */
  submitTx(txBytes: Uint8Array, opts?: { waitForCommit?: boolean; timeoutMs?: number }): Promise<SubmitResult>;
  getBlock(height: number): BlockView | null;
  getTx(hash: Hex): TxView | null;
  /** Ledger query, e.g. 'account/gl…' (same paths as LedgerApp.query). */
  query(path: string): { code: number; value?: unknown; error?: string; message?: string };
  onCommit(handler: (e: CommittedBlockEvent) => void): () => void;
}
