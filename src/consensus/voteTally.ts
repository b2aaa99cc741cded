/**
 * The votes of one type in one round at one height, weighted by voting power. Algorithm 1
 * counts messages: "2f+1 <PREVOTE, h, r, id(v)>" counts every validator that sent a prevote
 * for id(v), an equivocating one included, while "2f+1 prevotes of any kind" counts each
 * validator once. So a validator's second vote for another block id is kept (it is also the
 * evidence) and counts for that block; safety holds because two quorums still share a correct
 * validator. A few distinct votes per validator are kept, no more.
 */
import type { Hex, SignedVote } from './types.ts';

const NIL = '';
const key = (blockId: Hex | null): string => blockId ?? NIL;

/** Distinct block ids kept per validator: a correct one votes once; two already prove equivocation. */
const MAX_VOTES_PER_VALIDATOR = 4;

export type AddResult = { kind: 'added' } | { kind: 'duplicate' } | { kind: 'conflict'; first: SignedVote };

export class VoteTally {
  private readonly byValidator = new Map<Hex, SignedVote[]>();
  private readonly powerByBlock = new Map<string, number>();
  private total = 0;

  /** Power of the validators that voted, whatever for, each counted once. */
  get totalPower(): number {
    return this.total;
  }

  /** What adding `vote` would do, without adding it (so the caller can verify the signature first). */
  classify(vote: SignedVote): AddResult {
    const votes = this.byValidator.get(vote.validator);
    const first = votes?.[0];
    if (votes === undefined || first === undefined) return { kind: 'added' };
    if (votes.some((v) => v.blockId === vote.blockId) || votes.length >= MAX_VOTES_PER_VALIDATOR) {
      return { kind: 'duplicate' };
    }
    return { kind: 'conflict', first };
  }

  /** Adds a vote classified `added` or `conflict`, with its validator's power. */
  add(vote: SignedVote, power: number): void {
    const votes = this.byValidator.get(vote.validator);
    if (votes === undefined) {
      this.byValidator.set(vote.validator, [vote]);
      this.total += power;
    } else {
      votes.push(vote);
    }
    this.powerByBlock.set(key(vote.blockId), (this.powerByBlock.get(key(vote.blockId)) ?? 0) + power);
  }

  /** Power of the votes for `blockId` (null: nil). */
  power(blockId: Hex | null): number {
    return this.powerByBlock.get(key(blockId)) ?? 0;
  }

  /** The votes for `blockId`, sorted by validator address. */
  votesFor(blockId: Hex | null): SignedVote[] {
    const out: SignedVote[] = [];
    for (const votes of this.byValidator.values()) {
      const v = votes.find((x) => x.blockId === blockId);
      if (v !== undefined) out.push(v);
    }
    return out.sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
  }
}

/** > 2/3 of `total` (integer arithmetic: 3 * power > 2 * total). */
export const isQuorum = (power: number, total: number): boolean => power * 3 > total * 2;
/** > 1/3 of `total`: at least one correct process among them (f + 1). */
export const isOneThird = (power: number, total: number): boolean => power * 3 > total;
