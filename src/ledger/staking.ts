/**
 * Validators, delegations, unbonding, slashing, jailing and the validator set handed to
 * consensus. Voting power = floor(bonded stake / powerReductionUc); a validator is in the set
 * while it is not jailed, its self-stake is at least minSelfStakeUc and its power is positive
 * (the largest maxValidators of those, ties to the lower address).
 */
import { formatAddress } from './address.ts';
import { addUc, mulPpm, subUc } from './amounts.ts';
import { compareBytes, bytesEqual } from './bytes.ts';
import { creditUc, recordBurnUc } from './accounts.ts';
import type { BlockContext } from './context.ts';
import type { Params } from './params.ts';
import type { ActiveSet, Validator } from './records.ts';
import { codecs, stateKeys } from './records.ts';
import type { StateReader, StateView } from './state.ts';

/** A change of the validator set for consensus: power 0 removes the validator. */
export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: number;
}

/** Misbehaviour consensus has proven (CometBFT's Misbehavior): what the ledger punishes. */
export interface Misbehaviour {
  readonly type: 'duplicate_vote';
  /** Address of the validator's consensus key. */
  readonly validator: Uint8Array;
  /** Height of the infraction. */
  readonly height: number;
  /** Time of the block at the infraction height. */
  readonly timeMs: number;
}

/** One validator's entry in the last commit: did it sign the previous block? */
export interface VoteInfo {
  readonly validator: Uint8Array;
  readonly signed: boolean;
}

export function getValidator(view: StateReader, address: Uint8Array): Validator | undefined {
  return view.get(stateKeys.validator(address), codecs.validator);
}

export function setValidator(view: StateView, address: Uint8Array, v: Validator): void {
  view.set(stateKeys.validator(address), codecs.validator, v);
}

export function validatorAddresses(view: StateReader): Uint8Array[] {
  return view.get(stateKeys.validatorIndex, codecs.addressList)?.addresses ?? [];
}

export function addValidatorToIndex(view: StateView, address: Uint8Array): void {
  const addresses = [...validatorAddresses(view), address].sort(compareBytes);
  view.set(stateKeys.validatorIndex, codecs.addressList, { addresses });
}

export function bondedUc(v: Validator): number {
  let sum = 0;
  for (const d of v.delegations) sum = addUc(sum, d.amountUc);
  return sum;
}

export function delegationUc(v: Validator, delegator: Uint8Array): number {
  return v.delegations.find((d) => bytesEqual(d.delegator, delegator))?.amountUc ?? 0;
}

export function selfStakeUc(v: Validator): number {
  return delegationUc(v, v.rewardAddress);
}

export function votingPower(v: Validator, params: Params): number {
  return Math.floor(bondedUc(v) / params.staking.powerReductionUc);
}

export function isEligible(v: Validator, params: Params): boolean {
  return !v.jailed && !v.tombstoned && selfStakeUc(v) >= params.staking.minSelfStakeUc && votingPower(v, params) > 0;
}

/** The record with `delegator`'s delegation set to `amountUc` (0 removes it), kept sorted. */
export function withDelegation(v: Validator, delegator: Uint8Array, amountUc: number): Validator {
  const others = v.delegations.filter((d) => !bytesEqual(d.delegator, delegator));
  const delegations = amountUc > 0 ? [...others, { delegator, amountUc }].sort((a, b) => compareBytes(a.delegator, b.delegator)) : others;
  return { ...v, delegations };
}

/** How many validators would be eligible, with `address` replaced by `candidate`. */
export function eligibleCountWith(view: StateReader, params: Params, address: Uint8Array, candidate: Validator): number {
  let n = 0;
  for (const a of validatorAddresses(view)) {
    const v = bytesEqual(a, address) ? candidate : getValidator(view, a);
    if (v !== undefined && isEligible(v, params)) n++;
  }
  return n;
}

/**
 * Slashes `fractionPpm` of the stake bonded to a validator at `infractionHeight`: every current
 * delegation, and every unbonding entry created at or after that height (stake that was still
 * bonded when the infraction happened). The slashed coin is burned. Returns the amount.
 */
export function slashValidator(view: StateView, address: Uint8Array, fractionPpm: number, infractionHeight: number, ctx: BlockContext): number {
  const v = getValidator(view, address);
  if (v === undefined || fractionPpm === 0) return 0;
  let slashed = 0;
  const delegations = v.delegations
    .map((d) => {
      const cut = mulPpm(d.amountUc, fractionPpm);
      slashed = addUc(slashed, cut);
      return { ...d, amountUc: d.amountUc - cut };
    })
    .filter((d) => d.amountUc > 0);
  const unbonding = v.unbonding.map((u) => {
    if (u.creationHeight < infractionHeight) return u;
    const cut = mulPpm(u.amountUc, fractionPpm);
    slashed = addUc(slashed, cut);
    return { ...u, amountUc: u.amountUc - cut };
  });
  setValidator(view, address, { ...v, delegations, unbonding });
  recordBurnUc(view, slashed);
  ctx.events.push({
    type: 'slash',
    attributes: { validator: formatAddress(address), fraction_ppm: String(fractionPpm), infraction_height: String(infractionHeight), amount_uc: String(slashed) },
  });
  return slashed;
}

/** Jails a validator until `untilMs` (it leaves the set at this block's end); tombstone: for good. */
export function jailValidator(view: StateView, address: Uint8Array, untilMs: number, tombstone: boolean, ctx: BlockContext): void {
  const v = getValidator(view, address);
  if (v === undefined) return;
  setValidator(view, address, { ...v, jailed: true, jailedUntilMs: Math.max(v.jailedUntilMs, untilMs), tombstoned: v.tombstoned || tombstone });
  ctx.events.push({ type: 'jail', attributes: { validator: formatAddress(address), until_ms: String(untilMs), tombstoned: String(tombstone) } });
}

export function unjailValidator(view: StateView, address: Uint8Array, height: number): void {
  const v = getValidator(view, address);
  if (v === undefined) return;
  setValidator(view, address, { ...v, jailed: false });
  view.set(stateKeys.signingInfo(address), codecs.signingInfo, { sinceHeight: height, missedHeights: [] });
}

/** Double signing: slash doubleSignSlashPpm at the infraction height and tombstone. */
export function handleMisbehaviour(view: StateView, evidence: readonly Misbehaviour[], ctx: BlockContext): void {
  const s = ctx.params.slashing;
  for (const ev of evidence) {
    const v = getValidator(view, ev.validator);
    const expired = ctx.timeMs - ev.timeMs > s.evidenceMaxAgeMs || ev.height >= ctx.height;
    if (v === undefined || v.tombstoned || expired) {
      ctx.events.push({ type: 'evidence_ignored', attributes: { validator: formatAddress(ev.validator), height: String(ev.height) } });
      continue;
    }
    slashValidator(view, ev.validator, s.doubleSignSlashPpm, ev.height, ctx);
    jailValidator(view, ev.validator, Number.MAX_SAFE_INTEGER, true, ctx);
  }
}

/**
 * Downtime: a validator that missed more than the window allows (signedBlocksWindow blocks,
 * at least minSignedPpm of them signed) is slashed downtimeSlashPpm and jailed downtimeJailMs.
 * A validator is judged only after it has been watched for a whole window.
 */
export function trackLiveness(view: StateView, votes: readonly VoteInfo[], ctx: BlockContext): void {
  const s = ctx.params.slashing;
  const votedHeight = ctx.height - 1;
  const maxMissed = s.signedBlocksWindow - mulPpm(s.signedBlocksWindow, s.minSignedPpm);
  for (const vote of votes) {
    const v = getValidator(view, vote.validator);
    if (v === undefined || v.jailed) continue;
    const key = stateKeys.signingInfo(vote.validator);
    const info = view.get(key, codecs.signingInfo);
    if (info !== undefined && vote.signed) continue;
    const missedHeights = (info?.missedHeights ?? []).filter((h) => h > votedHeight - s.signedBlocksWindow);
    if (!vote.signed) missedHeights.push(votedHeight);
    const sinceHeight = info?.sinceHeight ?? votedHeight;
    const watchedWindow = votedHeight - sinceHeight + 1 >= s.signedBlocksWindow;
    if (watchedWindow && missedHeights.length > maxMissed) {
      slashValidator(view, vote.validator, s.downtimeSlashPpm, votedHeight, ctx);
      jailValidator(view, vote.validator, ctx.timeMs + s.downtimeJailMs, false, ctx);
      view.set(key, codecs.signingInfo, { sinceHeight: ctx.height, missedHeights: [] });
    } else {
      view.set(key, codecs.signingInfo, { sinceHeight, missedHeights });
    }
  }
}

/** Pays matured unbonding entries back to their delegators' balances. */
export function releaseMatureUnbonding(view: StateView, ctx: BlockContext): void {
  for (const address of validatorAddresses(view)) {
    const v = getValidator(view, address);
    if (v === undefined || !v.unbonding.some((u) => u.completionTimeMs <= ctx.timeMs)) continue;
    const keep = [];
    for (const u of v.unbonding) {
      if (u.completionTimeMs > ctx.timeMs) {
        keep.push(u);
        continue;
      }
      creditUc(view, u.delegator, u.amountUc);
      ctx.events.push({
        type: 'unbonding_complete',
        attributes: { validator: formatAddress(address), delegator: formatAddress(u.delegator), amount_uc: String(u.amountUc) },
      });
    }
    setValidator(view, address, { ...v, unbonding: keep });
  }
}

/** The block's fees go to the proposer's reward account (burned if the proposer is unknown). */
export function payFees(view: StateView, ctx: BlockContext): void {
  if (ctx.feesUc === 0) return;
  const v = getValidator(view, ctx.proposer);
  if (v === undefined) recordBurnUc(view, ctx.feesUc);
  else creditUc(view, v.rewardAddress, ctx.feesUc);
  ctx.events.push({ type: 'fees', attributes: { proposer: formatAddress(ctx.proposer), amount_uc: String(ctx.feesUc), burned: String(v === undefined) } });
  ctx.feesUc = 0;
}

/** The set consensus should run with: eligible validators, by power then address. */
export function desiredValidatorSet(view: StateReader, params: Params): ActiveSet['validators'] {
  const all = [];
  for (const address of validatorAddresses(view)) {
    const v = getValidator(view, address);
    if (v !== undefined && isEligible(v, params)) all.push({ address, pubKey: v.pubKey, power: votingPower(v, params) });
  }
  all.sort((a, b) => b.power - a.power || compareBytes(a.address, b.address));
  return all.slice(0, params.staking.maxValidators).sort((a, b) => compareBytes(a.address, b.address));
}

/** Compares the desired set with the last one reported; records and returns the difference. */
export function updateValidatorSet(view: StateView, params: Params): ValidatorUpdate[] {
  const next = desiredValidatorSet(view, params);
  const prev = view.get(stateKeys.activeSet, codecs.activeSet)?.validators ?? [];
  const updates: Array<ValidatorUpdate & { address: Uint8Array }> = [];
  for (const p of prev) {
    if (!next.some((n) => bytesEqual(n.address, p.address))) updates.push({ address: p.address, pubKey: p.pubKey, power: 0 });
  }
  for (const n of next) {
    const p = prev.find((x) => bytesEqual(x.address, n.address));
    if (p === undefined || p.power !== n.power) updates.push(n);
  }
  if (updates.length === 0) return [];
  view.set(stateKeys.activeSet, codecs.activeSet, { validators: next });
  return updates.sort((a, b) => compareBytes(a.address, b.address)).map((u) => ({ pubKey: u.pubKey, power: u.power }));
}

/** Unbonding entries `delegator` has open at a validator. */
export function unbondingCount(v: Validator, delegator: Uint8Array): number {
  return v.unbonding.filter((u) => bytesEqual(u.delegator, delegator)).length;
}

export function subDelegation(v: Validator, delegator: Uint8Array, amountUc: number): Validator {
  return withDelegation(v, delegator, subUc(delegationUc(v, delegator), amountUc));
}
