/**
 * What the consensus host writes to the WAL and reads back (docs/node.md section 7): the entry
 * of each input the engine acts on, the input of each replayed entry, and the signer that logs
 * every message it signs, synced, before the engine can ask for the next signature.
 */
import type { ConsensusEvent, Hex, PrivValidator } from '../consensus/index.ts';
import { GridLedgerError } from '../errors.ts';
import { encodeWalEntry } from './messages.ts';
import type { WalEntry } from './messages.ts';
import type { Wal } from './wal/wal.ts';

/** The engine input of a logged entry. */
export function eventOf(e: WalEntry): ConsensusEvent {
  switch (e.kind) {
    case 'proposal':
      return { type: 'proposal', proposal: e.proposal };
    case 'vote':
      return { type: 'vote', vote: e.vote };
    case 'timeout':
      return { type: 'timeout', ...e.timeout };
    case 'value-ready':
      return { type: 'value-ready', height: e.height, round: e.round, value: e.value, blockTimeMs: e.blockTimeMs };
  }
}

/** The WAL entry of an input (start-height and proposal-validated are rebuilt on replay, not logged). */
export function walEntryOf(e: ConsensusEvent, nowMs: number): WalEntry | undefined {
  switch (e.type) {
    case 'proposal':
      return { nowMs, own: false, kind: 'proposal', proposal: e.proposal };
    case 'vote':
      return { nowMs, own: false, kind: 'vote', vote: e.vote };
    case 'timeout':
      return { nowMs, own: false, kind: 'timeout', timeout: { kind: e.kind, height: e.height, round: e.round } };
    case 'value-ready':
      return { nowMs, own: false, kind: 'value-ready', height: e.height, round: e.round, value: e.value, blockTimeMs: e.blockTimeMs };
    default:
      return undefined;
  }
}

/** What the logging signer needs of the host. */
export interface SignLog {
  readonly wal: Wal;
  /** The clock reading the engine got with the input it is handling. */
  nowMs(): number;
  /** The block of an id this node holds (an own proposal's record carries it). */
  valueOf(blockId: Hex): Uint8Array | undefined;
}

/**
 * The validator's signer, logging each message it signs into the WAL (synced) before the
 * engine can ask for the next signature. The guard saved its state just before: so the WAL is
 * at most the one message behind the guard, and after a crash the replay reaches that same
 * step, where the guard hands back the same signature (as CometBFT's WAL and FilePV do).
 */
export function loggingSigner(inner: PrivValidator, log: SignLog): PrivValidator {
  const logOwn = (entry: WalEntry): void => log.wal.append(encodeWalEntry(entry), { sync: true });
  return {
    address: inner.address,
    signVote: (chainId, vote) => {
      const r = inner.signVote(chainId, vote);
      if (r.ok) logOwn({ nowMs: log.nowMs(), own: true, kind: 'vote', vote: { ...vote, timestampMs: r.timestampMs, signature: r.signature } });
      return r;
    },
    signProposal: (chainId, proposal) => {
      const r = inner.signProposal(chainId, proposal);
      const value = log.valueOf(proposal.blockId);
      if (!r.ok) return r;
      if (value === undefined) throw new GridLedgerError('NODE_PROPOSAL_UNKNOWN_BLOCK', `signed a proposal for block ${proposal.blockId}, which this node does not hold`);
      logOwn({ nowMs: log.nowMs(), own: true, kind: 'proposal', proposal: { ...proposal, timestampMs: r.timestampMs, signature: r.signature, value } });
      return r;
    },
  };
}
