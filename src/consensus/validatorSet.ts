/**
 * Validator set with CometBFT's proposer priorities (spec/consensus/proposer-selection.md and
 * types/validator_set.go): scale when the spread exceeds 2 * total power, centre on the average
 * (floor division, as Go's big.Int), add each validator's power, pick the highest priority with
 * ties to the lower address, subtract the total from the pick. Priorities are int64 in CometBFT
 * and clip at its bounds; here they are bigints clipped the same way. Immutable: every change
 * returns a new set.
 */
import { encode } from '@ipld/dag-cbor';
import { GridLedgerError } from '../errors.ts';
import { merkleRoot } from './merkle.ts';
import type { Hex } from './types.ts';

export interface Validator {
  readonly address: Hex;
  readonly publicKey: Uint8Array;
  readonly votingPower: number;
  readonly proposerPriority: bigint;
}

/** A change returned by the application: power 0 removes the validator. */
export interface ValidatorUpdate {
  address: Hex;
  publicKey: Uint8Array;
  votingPower: number;
}

/** CometBFT caps the total at MaxInt64 / 8; powers here are JS numbers, so the cap is scaled to 2^53. */
export const MAX_TOTAL_VOTING_POWER = Math.floor(Number.MAX_SAFE_INTEGER / 8);
const PRIORITY_WINDOW_SIZE_FACTOR = 2n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

const clip = (x: bigint): bigint => (x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : x);
const HEX = /^(?:[0-9a-f]{2})+$/;

function invalid(message: string, details?: Record<string, unknown>): GridLedgerError {
  return new GridLedgerError('CONSENSUS_VALSET_INVALID', message, details === undefined ? {} : { details });
}

/** Higher priority first; equal priorities: the lower address first. */
function moreProposerPriority(a: Validator, b: Validator): boolean {
  if (a.proposerPriority !== b.proposerPriority) return a.proposerPriority > b.proposerPriority;
  return a.address < b.address;
}

/** The set order of CometBFT: voting power descending, then address ascending. */
function byPowerThenAddress(a: Validator, b: Validator): number {
  if (a.votingPower !== b.votingPower) return b.votingPower - a.votingPower;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

function floorDiv(a: bigint, n: bigint): bigint {
  const q = a / n;
  return a % n < 0n ? q - 1n : q;
}

function checkUpdate(u: ValidatorUpdate): void {
  if (!HEX.test(u.address)) throw invalid(`validator address must be lowercase hex: ${u.address}`);
  if (!Number.isSafeInteger(u.votingPower) || u.votingPower < 0) {
    throw invalid(`voting power must be a non-negative integer, got ${u.votingPower}`, { address: u.address });
  }
  if (u.votingPower > MAX_TOTAL_VOTING_POWER) {
    throw invalid(`voting power ${u.votingPower} exceeds the maximum ${MAX_TOTAL_VOTING_POWER}`, {
      address: u.address,
    });
  }
}

function totalOf(vals: readonly Validator[]): number {
  let sum = 0;
  for (const v of vals) {
    sum += v.votingPower;
    if (sum > MAX_TOTAL_VOTING_POWER) throw invalid(`total voting power exceeds the maximum ${MAX_TOTAL_VOTING_POWER}`);
  }
  return sum;
}

/** Rescale so that max - min <= 2 * total (integer division toward zero, as Go). */
function rescale(vals: Validator[], total: number): Validator[] {
  const diffMax = PRIORITY_WINDOW_SIZE_FACTOR * BigInt(total);
  if (diffMax <= 0n) return vals;
  let max = INT64_MIN;
  let min = INT64_MAX;
  for (const v of vals) {
    if (v.proposerPriority > max) max = v.proposerPriority;
    if (v.proposerPriority < min) min = v.proposerPriority;
  }
  const diff = max - min;
  if (diff <= diffMax) return vals;
  const ratio = (diff + diffMax - 1n) / diffMax;
  return vals.map((v) => ({ ...v, proposerPriority: v.proposerPriority / ratio }));
}

function centre(vals: Validator[]): Validator[] {
  let sum = 0n;
  for (const v of vals) sum += v.proposerPriority;
  const avg = floorDiv(sum, BigInt(vals.length));
  return vals.map((v) => ({ ...v, proposerPriority: clip(v.proposerPriority - avg) }));
}

function mostPriority(vals: readonly Validator[]): Validator {
  let best = vals[0] as Validator;
  for (const v of vals) if (moreProposerPriority(v, best)) best = v;
  return best;
}

export class ValidatorSet {
  readonly validators: readonly Validator[];
  /** Proposer of round 0 at the height this set is for. */
  readonly proposer: Validator;
  readonly totalVotingPower: number;
  private readonly byAddress: Map<Hex, number>;
  private readonly proposerByRound = new Map<number, Validator>();
  private hashCache: Uint8Array | undefined;

  private constructor(validators: Validator[], proposer: Validator) {
    this.validators = validators.map((v) => Object.freeze(v));
    this.proposer = proposer;
    this.totalVotingPower = totalOf(validators);
    this.byAddress = new Map(validators.map((v, i) => [v.address, i]));
  }

  /** CometBFT's NewValidatorSet: every validator enters as new, then one increment. */
  static genesis(validators: readonly ValidatorUpdate[]): ValidatorSet {
    if (validators.length === 0) throw invalid('a validator set needs at least one validator');
    for (const u of validators) {
      if (u.votingPower === 0) throw invalid('genesis validators need positive power', { address: u.address });
    }
    return ValidatorSet.applyChanges([], validators).incrementProposerPriority(1);
  }

  /** Rebuilds a set exactly as stored (priorities kept), e.g. after loading it from disk. */
  static fromValidators(validators: readonly Validator[]): ValidatorSet {
    if (validators.length === 0) throw invalid('a validator set needs at least one validator');
    const seen = new Set<Hex>();
    for (const v of validators) {
      checkUpdate(v);
      if (v.votingPower === 0) throw invalid('validators need positive power', { address: v.address });
      if (seen.has(v.address)) throw invalid(`duplicate validator ${v.address}`);
      seen.add(v.address);
    }
    const sorted = validators.map((v) => ({ ...v })).sort(byPowerThenAddress);
    return new ValidatorSet(sorted, mostPriority(sorted));
  }

  get size(): number {
    return this.validators.length;
  }

  getByAddress(address: Hex): Validator | undefined {
    const i = this.byAddress.get(address);
    return i === undefined ? undefined : this.validators[i];
  }

  /**
   * CometBFT's IncrementProposerPriority(times): rescale and centre once, then `times` runs of
   * add-power / pick / subtract-total. The result's `proposer` is the last pick.
   */
  incrementProposerPriority(times: number): ValidatorSet {
    if (!Number.isInteger(times) || times <= 0) {
      throw invalid(`increment times must be a positive integer, got ${times}`);
    }
    const total = BigInt(this.totalVotingPower);
    const vals = centre(rescale([...this.validators], this.totalVotingPower));
    let proposer = vals[0] as Validator;
    for (let t = 0; t < times; t++) {
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i] as Validator;
        vals[i] = { ...v, proposerPriority: clip(v.proposerPriority + BigInt(v.votingPower)) };
      }
      let best = 0;
      for (let i = 1; i < vals.length; i++) {
        if (moreProposerPriority(vals[i] as Validator, vals[best] as Validator)) best = i;
      }
      const picked = vals[best] as Validator;
      proposer = { ...picked, proposerPriority: clip(picked.proposerPriority - total) };
      vals[best] = proposer;
    }
    return new ValidatorSet(vals, proposer);
  }

  /** Proposer of `round` at this set's height: round 0's proposer, then one increment per round. */
  proposerForRound(round: number): Validator {
    if (round === 0) return this.proposer;
    let p = this.proposerByRound.get(round);
    if (p === undefined) {
      p = this.incrementProposerPriority(round).proposer;
      this.proposerByRound.set(round, p);
    }
    return p;
  }

  /**
   * CometBFT's UpdateWithChangeSet: power 0 removes, a known address updates (priority kept), an
   * unknown one is added at priority -(P + P>>3) where P is the total after the updates but before
   * the removals (validator_set.go computes it so); then rescale and centre. The proposer of the
   * result is its highest priority; callers increment before using it for a height.
   */
  update(changes: readonly ValidatorUpdate[]): ValidatorSet {
    if (changes.length === 0) return this;
    return ValidatorSet.applyChanges(this.validators, changes);
  }

  private static applyChanges(existing: readonly Validator[], changes: readonly ValidatorUpdate[]): ValidatorSet {
    const sorted = [...changes].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const updates: ValidatorUpdate[] = [];
    const removals: ValidatorUpdate[] = [];
    let prev: Hex | undefined;
    for (const c of sorted) {
      checkUpdate(c);
      if (c.address === prev) throw invalid(`duplicate change for validator ${c.address}`);
      prev = c.address;
      (c.votingPower === 0 ? removals : updates).push(c);
    }
    const current = new Map(existing.map((v) => [v.address, v]));
    const added = updates.filter((u) => !current.has(u.address)).length;
    if (added === 0 && existing.length === removals.length) {
      throw invalid('the changes would leave the validator set empty');
    }

    let removedPower = 0;
    for (const r of removals) {
      const v = current.get(r.address);
      if (v === undefined) throw invalid(`cannot remove unknown validator ${r.address}`);
      removedPower += v.votingPower;
    }
    // Apply power decreases first so that a reshuffle near the cap is not a false overflow.
    const delta = (u: ValidatorUpdate): number => u.votingPower - (current.get(u.address)?.votingPower ?? 0);
    let tvp = totalOf(existing) - removedPower;
    for (const u of [...updates].sort((a, b) => delta(a) - delta(b))) {
      tvp += delta(u);
      if (tvp > MAX_TOTAL_VOTING_POWER) {
        throw invalid(`total voting power would exceed the maximum ${MAX_TOTAL_VOTING_POWER}`);
      }
    }
    const p = BigInt(tvp + removedPower);
    const newPriority = -(p + (p >> 3n));

    const next = new Map(current);
    for (const u of updates) {
      next.set(u.address, {
        address: u.address,
        publicKey: Uint8Array.from(u.publicKey),
        votingPower: u.votingPower,
        proposerPriority: current.get(u.address)?.proposerPriority ?? newPriority,
      });
    }
    for (const r of removals) next.delete(r.address);

    const vals = [...next.values()].sort(byPowerThenAddress);
    const centred = centre(rescale(vals, totalOf(vals)));
    return new ValidatorSet(centred, mostPriority(centred));
  }

  /** RFC 6962 root over each validator's canonical encoding {pub_key, voting_power}, in set order. */
  hash(): Uint8Array {
    this.hashCache ??= merkleRoot(
      this.validators.map((v) => encode({ pub_key: v.publicKey, voting_power: v.votingPower })),
    );
    return this.hashCache;
  }
}
