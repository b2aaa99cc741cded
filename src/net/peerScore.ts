/**
 * Peer scores and bans. A score starts at 0, each penalty subtracts its points, and it decays
 * back towards 0 (halving every half-life), so rare mistakes fade while a burst of bad messages
 * reaches the ban score. A ban lasts `banMs`; afterwards the peer starts again from 0.
 */
import type { PeerId, PenaltyReason } from './transport.ts';

/** Points each reason costs; with the default ban score of -100, two forged signatures ban. */
export const PENALTY_POINTS: Readonly<Record<PenaltyReason, number>> = {
  'malformed-frame': 100,
  undecodable: 25,
  'invalid-signature': 50,
  'invalid-message': 20,
  unwanted: 5,
};

export interface ScoreBookOptions {
  banScore: number;
  banMs: number;
  scoreHalfLifeMs: number;
  now: () => number;
}

export interface ScoreBook {
  /** Applies the penalty; true when it bans the peer (it was not banned before). */
  penalize(peer: PeerId, reason: PenaltyReason): boolean;
  score(peer: PeerId): number;
  isBanned(peer: PeerId): boolean;
  /** Milliseconds until the ban on `peer` ends (0 when not banned). */
  banRemainingMs(peer: PeerId): number;
}

interface Entry {
  score: number;
  at: number;
  bannedUntil: number | undefined;
}

export function createScoreBook(opts: ScoreBookOptions): ScoreBook {
  const entries = new Map<PeerId, Entry>();

  // Returns the entry with its score decayed to now; forgets expired bans and faded scores.
  const current = (peer: PeerId): Entry | undefined => {
    const e = entries.get(peer);
    if (e === undefined) return undefined;
    const t = opts.now();
    if (e.bannedUntil !== undefined) {
      if (t < e.bannedUntil) return e;
      entries.delete(peer);
      return undefined;
    }
    e.score *= Math.pow(0.5, Math.max(0, t - e.at) / opts.scoreHalfLifeMs);
    e.at = t;
    if (e.score > -0.5) {
      entries.delete(peer);
      return undefined;
    }
    return e;
  };

  const isBanned = (peer: PeerId): boolean => current(peer)?.bannedUntil !== undefined;

  return {
    penalize(peer, reason) {
      const e = current(peer) ?? { score: 0, at: opts.now(), bannedUntil: undefined };
      entries.set(peer, e);
      e.score -= PENALTY_POINTS[reason];
      if (e.bannedUntil !== undefined || e.score > opts.banScore) return false;
      e.bannedUntil = e.at + opts.banMs;
      return true;
    },
    score: (peer) => current(peer)?.score ?? 0,
    isBanned,
    banRemainingMs(peer) {
      const until = current(peer)?.bannedUntil;
      return until === undefined ? 0 : Math.max(0, until - opts.now());
    },
  };
}
