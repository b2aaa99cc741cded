/**
 * When a node starts its next height (docs/node.md section 2): at once when a peer is ahead of
 * it or already works on that height; `commitWaitMs` after the last commit while transactions
 * or asked-for blocks wait (late precommits still arrive meanwhile); otherwise at the interval
 * of a real chain, or at the application's deadline on an on-demand chain.
 */

/** When a node starts the next height. */
export type BlockPolicy =
  /** A real chain: a block at least every `intervalMs`, empty or not; sooner while transactions wait. */
  | { readonly kind: 'interval'; readonly intervalMs: number }
  /** A simulation chain: a block only when transactions wait or one is asked for; never an empty one otherwise. */
  | { readonly kind: 'on-demand' };

export interface HeightStartInput {
  readonly nowMs: number;
  readonly lastCommitAtMs: number;
  readonly lastStartAtMs: number;
  readonly commitWaitMs: number;
  /** A peer committed past this node, or works on the next height already. */
  readonly peerAhead: boolean;
  /** Transactions are ready in the mempool, or blocks were asked for. */
  readonly waiting: boolean;
  /** Time of the last committed block. */
  readonly tipTimeMs: number;
  /** The application's deadline; asked only on an on-demand chain with nothing waiting. */
  readonly needsBlockAt: () => number | undefined;
}

/** When the next height is due, and the deadline it serves; undefined: not until something changes. */
export function nextHeightDue(policy: BlockPolicy, i: HeightStartInput): { atMs: number; deadline: number | undefined } | undefined {
  // A peer's block exists or is being made: follow at once (a node fetching blocks from a peer it
  // cannot reach must not start heights of its own at that pace).
  if (i.peerAhead) return { atMs: i.nowMs, deadline: undefined };
  const soon = i.lastCommitAtMs + i.commitWaitMs;
  if (i.waiting) return { atMs: soon, deadline: undefined };
  if (policy.kind === 'interval') return { atMs: Math.max(soon, i.lastStartAtMs + policy.intervalMs), deadline: undefined };
  // A deadline the last block's time already reached needs nothing more.
  const d = i.needsBlockAt();
  return d !== undefined && d > i.tipTimeMs ? { atMs: d, deadline: d } : undefined;
}
