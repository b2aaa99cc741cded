/**
 * The grid check of DESIGN.md section 2, step 3: the schedule (firm energy in full, flexible sides
 * of the matches) must fit the feeder's limits under an AC power flow. If it does not:
 *
 * 1. The firm-only schedule (no flexible volume) is checked. What it breaks by itself becomes an
 *    alert for the operator; the market cannot cure it, but it must not make it worse: for such a
 *    limit the flexible volume may not push the value beyond the firm-only value.
 * 2. A linear screen cuts flexible volume: for each broken limit (most broken first, relative to
 *    its limit), matches that worsen it are cut in cut class order (see CutClass), then largest
 *    effect first (sensitivity × volume), ties by (contract, ask id, bid id), each by just what
 *    the screen says is needed, rounded up to a whole Wh. The AC check confirms; repeat.
 * 3. After MAX_ROUNDS screens, whatever still breaks a limit gets all worsening flexible volume cut;
 *    the last resort is the firm-only schedule, which fits the effective limits by construction.
 *
 * Deterministic: fixed loop order, floating point only + − × ÷ (√ inside the power flow).
 */
import type { FeederModel } from '../grid/model.ts';
import type { AcPoint, GridView, LimitBreach } from './gridView.ts';
import { makeGridView } from './gridViewAc.ts';
import type { Match } from './match.ts';
import { compareMatches, CUT_CLASS_ORDER } from './match.ts';
import { compareIds } from './order.ts';
import type { Curtailment, GridAlert } from './result.ts';
import type { BusEnergy } from './schedule.ts';
import type { PlacedSchedule } from './scheduleGrid.ts';
import { effectPerWh, injectionW, placeSchedule } from './scheduleGrid.ts';

/** Screen-and-confirm rounds before the fallback; each costs one AC solve. */
const MAX_ROUNDS = 6;

export interface CurtailInput {
  feeder: FeederModel;
  /** Firm energy per bus (signed Wh, + injects). */
  firm: readonly BusEnergy[];
  matches: readonly Match[];
  intervalMin: number;
  /** A prepared view of `feeder` (reuse across intervals); built from `feeder` when absent. */
  view?: GridView;
}

export interface CurtailOutput {
  /** The matches with their volumes after cuts, in compareMatches order; fully cut ones dropped. */
  matches: Match[];
  curtailed: Curtailment[];
  alerts: GridAlert[];
  /** AC solves used (for benchmarks and tests of the "few solves" promise). */
  acSolves: number;
}

export function curtailToFit(input: CurtailInput): CurtailOutput {
  const view = input.view ?? makeGridView(input.feeder);
  const { matches } = input;
  const placed = placeSchedule(view, input.feeder.name, input.firm, matches, input.intervalMin);
  const volume = matches.map((m) => m.energyWh);
  // A match can be cut only if some side of it flows because of it.
  const cuttable = matches.map((m, k) => m.cutClass !== 'never' && ((placed.sellerAt[k] as number) >= 0 || (placed.buyerAt[k] as number) >= 0));
  const cuts: { wh: number; reason: string }[] = matches.map(() => ({ wh: 0, reason: '' }));
  const cut = (k: number, wh: number, reason: string): void => {
    const c = cuts[k] as { wh: number; reason: string };
    if (c.wh === 0) c.reason = reason;
    c.wh += wh;
    volume[k] = (volume[k] as number) - wh;
  };
  const cutAll = (reason: string, share: (v: number) => number = (v) => v): void => {
    for (let k = 0; k < matches.length; k++) {
      const v = volume[k] as number;
      if (cuttable[k] && v > 0) cut(k, share(v), reason);
    }
  };

  let point = view.check(injectionW(placed, volume));
  let acSolves = 1;
  let limits: FirmLimits = { alerts: [], firmValue: new Map(), converged: true };
  if (!point.converged || point.breaches.length > 0) {
    limits = firmOnlyLimits(view, placed);
    acSolves++;
    if (!limits.converged) cutAll('power flow of the firm schedule does not converge');
  }
  const { firmValue } = limits;
  // A schedule whose power flow diverges is scaled back by halves (all flexible volume alike).
  for (let halvings = 0; limits.converged && !point.converged && halvings < 4; halvings++) {
    cutAll('power flow of the schedule does not converge', (v) => (halvings === 3 ? v : v - Math.floor(v / 2)));
    point = view.check(injectionW(placed, volume));
    acSolves++;
  }

  // Sensitivities are taken at the first broken point and reused: computing them costs more than
  // an AC solve, and the AC check after every screen corrects what the linearisation misses.
  let linearisedAt: AcPoint | undefined;
  for (let round = 0; limits.converged && round <= MAX_ROUNDS; round++) {
    const now = brokenLimits(point, firmValue);
    if (now.length === 0) break;
    linearisedAt ??= point;
    const last = round === MAX_ROUNDS;
    // Cuts of this round, so each later breach's predicted excess counts the earlier cuts' relief.
    const roundCuts: { k: number; wh: number }[] = [];
    for (const { breach, excess } of now) {
      const sens = view.sensitivity(breach, linearisedAt);
      let rest = excess;
      for (const c of roundCuts) rest -= c.wh * effectPerWh(placed, sens, c.k);
      if (rest <= 0 && !last) continue;
      const candidates: { k: number; e: number }[] = [];
      for (let k = 0; k < matches.length; k++) {
        if (!cuttable[k] || (volume[k] as number) === 0) continue;
        const e = effectPerWh(placed, sens, k);
        if (e > 0) candidates.push({ k, e });
      }
      candidates.sort(
        (a, b) =>
          CUT_CLASS_ORDER[(matches[a.k] as Match).cutClass] - CUT_CLASS_ORDER[(matches[b.k] as Match).cutClass] ||
          b.e * (volume[b.k] as number) - a.e * (volume[a.k] as number) ||
          compareMatches(matches[a.k] as Match, matches[b.k] as Match),
      );
      const reason = describeBreach(breach, firmValue.get(breach.key));
      for (const { k, e } of candidates) {
        const v = volume[k] as number;
        // Last round: the screen has erred too often; cut all worsening volume.
        const wh = last ? v : Math.min(v, Math.ceil(rest / e));
        cut(k, wh, reason);
        roundCuts.push({ k, wh });
        rest -= wh * e;
        if (rest <= 0 && !last) break;
      }
    }
    // A round that found nothing to cut will not do better next time: go to the fallback.
    if (roundCuts.length === 0) break;
    point = view.check(injectionW(placed, volume));
    acSolves++;
  }
  const still = brokenLimits(point, firmValue)[0];
  if (limits.converged && (still !== undefined || !point.converged)) {
    // The firm-only schedule fits the effective limits by construction.
    cutAll(still === undefined ? 'power flow of the schedule does not converge' : describeBreach(still.breach, firmValue.get(still.breach.key)));
  }

  const kept: Match[] = [];
  const curtailed: Curtailment[] = [];
  const order = matches.map((_, k) => k).sort((a, b) => compareMatches(matches[a] as Match, matches[b] as Match));
  for (const k of order) {
    const m = matches[k] as Match;
    const v = volume[k] as number;
    if (v > 0) kept.push(v === m.energyWh ? m : { ...m, energyWh: v });
    const c = cuts[k] as { wh: number; reason: string };
    if (c.wh > 0) {
      const rec: Curtailment = { ask: m.ask, bid: m.bid, energyWh: c.wh, reason: c.reason };
      if (m.contractId !== undefined) rec.contractId = m.contractId;
      curtailed.push(rec);
    }
  }
  return { matches: kept, curtailed, alerts: limits.alerts, acSolves };
}

export interface FirmLimits {
  /** What the firm schedule breaks by itself. */
  alerts: GridAlert[];
  /** Effective limit of each such breach: its firm-only value (flexible volume may not worsen it). */
  firmValue: Map<string, number>;
  /** False when even the firm schedule's power flow diverges. */
  converged: boolean;
}

/** Checks the firm-only schedule (no flexible volume at all). */
export function firmOnlyLimits(view: GridView, placed: PlacedSchedule): FirmLimits {
  const point = view.check(injectionW(placed, null));
  const alerts: GridAlert[] = [];
  const firmValue = new Map<string, number>();
  if (!point.converged) alerts.push(divergenceAlert());
  for (const b of point.breaches) {
    firmValue.set(b.key, b.value);
    alerts.push(alertOf(b));
  }
  return { alerts, firmValue, converged: point.converged };
}

/** Breaches beyond their effective limits, most broken (relative to the limit) first, ties by key. */
export function brokenLimits(p: AcPoint, firmValue: ReadonlyMap<string, number>): { breach: LimitBreach; excess: number }[] {
  return p.breaches
    .map((breach) => ({ breach, excess: breach.sign * (breach.value - (firmValue.get(breach.key) ?? breach.limit)) }))
    .filter((x) => x.excess > 0)
    .sort((a, b) => b.excess / Math.abs(b.breach.limit || 1) - a.excess / Math.abs(a.breach.limit || 1) || compareIds(a.breach.key, b.breach.key));
}

/** `line 7 current 412.0 A > 400.0 A`; for a limit the firm schedule already breaks, says so. */
export function describeBreach(b: LimitBreach, firmValue: number | undefined): string {
  const head = `${b.element} ${label(b.kind)} ${show(b, b.value)} ${b.sign > 0 ? '>' : '<'} ${show(b, b.limit)}`;
  return firmValue === undefined ? head : `${head} (firm schedule alone: ${show(b, firmValue)})`;
}

function label(kind: LimitBreach['kind']): string {
  return kind === 'current' ? 'current' : kind === 'apparent' || kind === 'pcc' ? 'apparent power' : 'voltage';
}

function show(b: LimitBreach, v: number): string {
  if (b.unit === 'mA') return `${(v / 1000).toFixed(1)} A`;
  if (b.unit === 'VA') return `${(v / 1000).toFixed(1)} kVA`;
  return `${(v / 100_000).toFixed(5)} pu`;
}

function alertOf(b: LimitBreach): GridAlert {
  return { kind: b.kind, element: b.element, value: b.value, limit: b.limit, unit: b.unit, message: `firm schedule alone: ${describeBreach(b, undefined)}` };
}

function divergenceAlert(): GridAlert {
  return { kind: 'not_converged', element: 'feeder', value: 0, limit: 0, unit: '', message: 'the power flow of the firm schedule alone does not converge' };
}
