/**
 * What the market steps of chain.ts need from a microgrid's chain, wherever its validators run:
 * in this process over the in-process hub on a virtual clock (clusterAccess.ts), or as `node
 * start` processes on steered clocks, over their RPC (processAccess.ts). Time is the chain's
 * simulated time (ms since the epoch); reads are of committed state.
 */
import type { DevChain } from '../../../ledger/index.ts';
import type { ChainRecord } from '../../report/types.ts';

export interface AdmitResult {
  hash: string;
  /** 0: admitted to the mempool. */
  code: number;
  error?: string;
  message?: string;
}

export interface ChainAccess {
  /** Genesis and the dev keys of its accounts (members, meters, the operator). */
  readonly chain: DevChain;
  nowMs(): Promise<number>;
  /**
   * Moves the chain's clock forward to `timeMs`, letting the chain make on the way every block a
   * market deadline needs (SIM_TIMING if the clock is already past it).
   */
  advanceTo(timeMs: number): Promise<void>;
  /** The height of the state reads answer from (validator 0's last commit). */
  height(): Promise<number>;
  /**
   * Lets the chain make a block after `afterHeight` (at once true if it has already), its clock
   * moving at most to `limitMs`, to the next market deadline; false if none came by then.
   */
  nextBlock(limitMs: number, afterHeight: number): Promise<boolean>;
  /** Admits signed transactions at a validator, in order, without waiting for their commit. */
  admit(txs: readonly Uint8Array[]): Promise<AdmitResult[]>;
  /** Waits until every one of `hashes` is committed; false if `maxMs` of chain time pass first. */
  waitCommitted(hashes: readonly string[], maxMs: number): Promise<boolean>;
  /** A committed transaction's result; null if not committed. */
  txResult(hash: string): Promise<{ height: number; code: number; log: string } | null>;
  /** The committed value under a raw state key (hex), null when absent. */
  stateKey(key: string): Promise<string | null>;
  /** An account's balance, µc. */
  balance(address: string): Promise<number>;
  /** Blocks, transactions and finality of the transactions sent through `admit`. */
  figures(): Promise<ChainRecord>;
  close(): Promise<void>;
}

/**
 * Counts committed blocks' transactions and, for the transactions admitted here, the time from
 * admission to the commit that was seen (each access measures it on its own clock).
 */
export class CommitTally {
  private readonly admittedAt = new Map<string, number>();
  private readonly finalityMs: number[] = [];
  private transactions = 0;

  admitted(hash: string, atMs: number): void {
    this.admittedAt.set(hash, atMs);
  }

  committed(txHashes: readonly string[], atMs: number): void {
    for (const h of txHashes) {
      const at = this.admittedAt.get(h);
      if (at === undefined) continue;
      this.admittedAt.delete(h);
      this.finalityMs.push(atMs - at);
    }
    this.transactions += txHashes.length;
  }

  /** Admitted here and not seen committed yet. */
  isPending(hash: string): boolean {
    return this.admittedAt.has(hash);
  }

  figures(height: number): ChainRecord {
    const f = [...this.finalityMs].sort((a, b) => a - b);
    return {
      height,
      blocks: height,
      transactions: this.transactions,
      meanFinalityMs: f.length === 0 ? null : f.reduce((s, x) => s + x, 0) / f.length,
      p50FinalityMs: f.length === 0 ? null : (f[Math.floor(f.length / 2)] as number),
    };
  }
}
