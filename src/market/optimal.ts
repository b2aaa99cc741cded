/**
 * Optimal mode (off-chain what-if, `market clear --mode optimal`): after the contract deliveries,
 * accept orders to maximise welfare Σ bid × Wh − Σ ask × Wh subject to the balance of traded
 * energy and the feeder's limits linearised with the grid engine's sensitivities, as an LP solved
 * by HiGHS. Limits enter by constraint generation: solve, AC-check the rounded result, add each
 * broken limit as a linear row at the checked point, or, when its row is already there (the
 * linearisation erred), tighten that row by the AC excess; solve again. Whatever the last round
 * leaves broken is cut by the greedy grid check, so the result always holds under the AC check.
 *
 * Prices are the LP's duals: the system price λ (minus the balance row's dual) for firm orders,
 * whose energy flows whether or not it trades, and λ − Σ μ_c a_c,bus for flexible orders at a bus
 * (a_c,bus: row c's coefficient of one Wh injected there). Each trade carries its seller's price
 * and its buyer's. Not consensus: the LP solution depends on the solver's version.
 */
import type { LegacyHighs } from 'highs';
import { GridLedgerError } from '../errors.ts';
import type { ClearOptions } from './clear.ts';
import { assertOneInterval, auctionTotals, DEFAULT_INTERVAL_MIN, deliveriesOf } from './clear.ts';
import { scheduleDeliveries } from './contracts.ts';
import { brokenLimits, curtailToFit, firmOnlyLimits } from './gridCheck.ts';
import type { FirmLimits } from './gridCheck.ts';
import { makeGridView } from './gridViewAc.ts';
import type { Match } from './match.ts';
import { auctionMatch, compareMatches } from './match.ts';
import type { Order, OrderBook } from './order.ts';
import { compareIds } from './order.ts';
import type { ClearingResult, Trade } from './result.ts';
import { firmEnergy } from './schedule.ts';
import { injectionW, placeSchedule } from './scheduleGrid.ts';

/** Solve, check, add or tighten rows: rounds before the greedy check takes over. */
const MAX_LP_ROUNDS = 8;

export interface OptimalOptions extends ClearOptions {
  /** A loaded HiGHS instance (`await highs()`): the market itself loads nothing. */
  solver: Pick<LegacyHighs, 'solve'>;
}

/** One linearised limit: Σ coef[v] × x_v ≤ rhs over the LP's order variables. */
interface LimitRow {
  key: string;
  coef: Float64Array;
  rhs: number;
}

export function clearOptimal(book: OrderBook, opts: OptimalOptions): ClearingResult {
  const intervalMin = opts.intervalMin ?? DEFAULT_INTERVAL_MIN;
  assertOneInterval(book);
  const delivery = scheduleDeliveries(book.orders, book.deliveries);
  // LP variables: orders with energy left after the contracts, in a fixed order.
  const vars = book.orders
    .map((o, i) => ({ o, capWh: delivery.remainingWh[i] as number }))
    .filter((v) => v.capWh > 0)
    .sort((a, b) => compareIds(a.o.id, b.o.id));
  const rows: LimitRow[] = [];
  const firm = firmEnergy(book.orders, delivery.firmExtra);
  const feeder = opts.feeder;
  const view = feeder === undefined ? undefined : (opts.view ?? makeGridView(feeder));
  let limits: FirmLimits | undefined;
  let lp = solveLp(opts.solver, vars, rows);
  let accepted = roundAccepted(vars, lp.primal);
  let matches = [...delivery.pieces, ...pairAccepted(vars, accepted)];

  for (let round = 0; view !== undefined && feeder !== undefined && round < MAX_LP_ROUNDS; round++) {
    const placed = placeSchedule(view, feeder.name, firm, matches, intervalMin);
    const point = view.check(injectionW(placed, matches.map((m) => m.energyWh)));
    if (point.converged && point.breaches.length === 0) break;
    limits ??= firmOnlyLimits(view, placed);
    if (!point.converged || !limits.converged) break; // nothing to linearise: the greedy check decides
    const broken = brokenLimits(point, limits.firmValue);
    if (broken.length === 0) break;
    for (const { breach, excess } of broken) {
      const existing = rows.find((r) => r.key === breach.key);
      // No flexible volume at all is within every effective limit (firm-only breaches are held at
      // their firm-only value), so each row must admit it: rhs ≥ 0 keeps the LP feasible when the
      // AC excess is more than the linearisation can explain.
      if (existing !== undefined) {
        existing.rhs = Math.max(0, existing.rhs - excess);
        continue;
      }
      // Row: Σ a_v x_v ≤ Σ a_v x_v(now) − excess, a_v = effect of one Wh of order v on the limit.
      // Firm orders flow whether or not they trade: only flexible ones have a coefficient.
      const sens = view.sensitivity(breach, point);
      const coef = new Float64Array(vars.length);
      let now = 0;
      vars.forEach((v, j) => {
        if (!v.o.flexible) return;
        const a = ((60 / intervalMin) * sens(view.busIndex(v.o.bus))) * (v.o.side === 'ask' ? 1 : -1);
        coef[j] = a;
        now += a * (accepted[j] as number);
      });
      rows.push({ key: breach.key, coef, rhs: Math.max(0, now - excess) });
    }
    lp = solveLp(opts.solver, vars, rows);
    accepted = roundAccepted(vars, lp.primal);
    matches = [...delivery.pieces, ...pairAccepted(vars, accepted)];
  }
  // The AC guarantee: what the LP rounds left broken, the greedy check cuts.
  let curtailed: ClearingResult['curtailed'] = [];
  let alerts: ClearingResult['alerts'] = [];
  if (feeder !== undefined && view !== undefined) {
    const fitted = curtailToFit({ feeder, firm, matches, intervalMin, view });
    matches = fitted.matches;
    curtailed = fitted.curtailed;
    alerts = fitted.alerts;
  }

  const priceAt = nodalPrices(vars, rows, lp);
  const byId = new Map(vars.map((v, j) => [v.o.id, j]));
  const trades: Trade[] = matches
    .filter((m) => m.kind === 'auction')
    .sort(compareMatches)
    .map((m) => {
      const s = byId.get(m.ask) as number;
      const b = byId.get(m.bid) as number;
      // Each side individually rational despite LP tolerances: seller ≥ ask, buyer ≤ bid.
      const seller = Math.max(m.askLimitUcPerKwh, Math.floor((priceAt[s] as number) + 1e-6));
      const buyer = Math.min(m.bidLimitUcPerKwh, Math.ceil((priceAt[b] as number) - 1e-6));
      return { ask: m.ask, bid: m.bid, energyWh: m.energyWh, priceUcPerKwh: seller, buyerPriceUcPerKwh: buyer };
    });
  return {
    clearingPriceUcPerKwh: trades.length === 0 ? null : Math.floor(lp.lambda + 1e-6),
    ...auctionTotals(matches),
    trades,
    deliveries: deliveriesOf(book, matches),
    curtailed,
    alerts,
  };
}

interface LpVar {
  o: Order;
  capWh: number;
}

interface LpSolution {
  primal: Float64Array;
  /** System price: minus the balance row's dual, µc/kWh. */
  lambda: number;
  /** Dual of each limit row. */
  mu: Float64Array;
}

function solveLp(solver: OptimalOptions['solver'], vars: readonly LpVar[], rows: readonly LimitRow[]): LpSolution {
  if (vars.length === 0) return { primal: new Float64Array(0), lambda: 0, mu: new Float64Array(rows.length) };
  const text = lpText(vars, rows);
  const r = solver.solve(text, { output_flag: false });
  if (r.Status !== 'Optimal') throw new GridLedgerError('MARKET_LP_FAILED', `the welfare LP ended with status "${r.Status}"`);
  const primal = new Float64Array(vars.length);
  vars.forEach((_, j) => {
    primal[j] = r.Columns[`v${j}`]?.Primal ?? 0;
  });
  const mu = new Float64Array(rows.length);
  let lambda = 0;
  for (const row of r.Rows) {
    if (!('Dual' in row)) continue;
    if (row.Name === 'bal') lambda = -row.Dual;
    else if (row.Name.startsWith('c')) mu[Number(row.Name.slice(1))] = row.Dual;
  }
  return { primal, lambda, mu };
}

/** CPLEX LP text. Objective in µc × 1000 (price per kWh times Wh). */
function lpText(vars: readonly LpVar[], rows: readonly LimitRow[]): string {
  const out: string[] = ['Maximize', ' obj:'];
  const terms = (list: string[]): void => {
    for (let i = 0; i < list.length; i += 8) out.push(`  ${list.slice(i, i + 8).join(' ')}`);
  };
  terms(vars.map((v, j) => `${v.o.side === 'bid' ? '+' : '-'} ${v.o.priceUcPerKwh} v${j}`));
  out.push('Subject To', ' bal:');
  terms(vars.map((v, j) => `${v.o.side === 'ask' ? '+' : '-'} v${j}`));
  out.push('  = 0');
  rows.forEach((row, c) => {
    const list: string[] = [];
    row.coef.forEach((a, j) => {
      if (a !== 0) list.push(`${a < 0 ? '-' : '+'} ${num(Math.abs(a))} v${j}`);
    });
    if (list.length === 0) return;
    out.push(` c${c}:`);
    terms(list);
    out.push(`  <= ${num(row.rhs)}`);
  });
  out.push('Bounds');
  vars.forEach((v, j) => out.push(` 0 <= v${j} <= ${v.capWh}`));
  out.push('End');
  return out.join('\n');
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(15);
}

/** LP volumes to whole Wh, balanced: the surplus side gives back its least valuable Wh. */
function roundAccepted(vars: readonly LpVar[], primal: Float64Array): number[] {
  const acc = vars.map((v, j) => Math.min(v.capWh, Math.max(0, Math.floor((primal[j] as number) + 1e-6))));
  let askWh = 0;
  let bidWh = 0;
  vars.forEach((v, j) => {
    if (v.o.side === 'ask') askWh += acc[j] as number;
    else bidWh += acc[j] as number;
  });
  const side = askWh > bidWh ? 'ask' : 'bid';
  let surplus = Math.abs(askWh - bidWh);
  // Least valuable first: the dearest asks, the cheapest bids; ties by id, last first.
  const order = vars
    .map((v, j) => j)
    .filter((j) => (vars[j] as LpVar).o.side === side)
    .sort((a, b) => {
      const pa = (vars[a] as LpVar).o.priceUcPerKwh;
      const pb = (vars[b] as LpVar).o.priceUcPerKwh;
      return (side === 'ask' ? pb - pa : pa - pb) || compareIds((vars[b] as LpVar).o.id, (vars[a] as LpVar).o.id);
    });
  for (const j of order) {
    if (surplus === 0) break;
    const give = Math.min(surplus, acc[j] as number);
    acc[j] = (acc[j] as number) - give;
    surplus -= give;
  }
  return acc;
}

/** Accepted volumes paired in merit order (cheapest ask with dearest bid, ties by id). */
function pairAccepted(vars: readonly LpVar[], accepted: readonly number[]): Match[] {
  const asks = vars.map((_, j) => j).filter((j) => (vars[j] as LpVar).o.side === 'ask' && (accepted[j] as number) > 0);
  const bids = vars.map((_, j) => j).filter((j) => (vars[j] as LpVar).o.side === 'bid' && (accepted[j] as number) > 0);
  const at = (j: number): Order => (vars[j] as LpVar).o;
  asks.sort((a, b) => at(a).priceUcPerKwh - at(b).priceUcPerKwh || compareIds(at(a).id, at(b).id));
  bids.sort((a, b) => at(b).priceUcPerKwh - at(a).priceUcPerKwh || compareIds(at(a).id, at(b).id));
  const out: Match[] = [];
  let ai = 0;
  let bi = 0;
  let aLeft = accepted[asks[0] ?? -1] ?? 0;
  let bLeft = accepted[bids[0] ?? -1] ?? 0;
  while (ai < asks.length && bi < bids.length) {
    const ask = at(asks[ai] as number);
    const bid = at(bids[bi] as number);
    const q = Math.min(aLeft, bLeft);
    out.push(auctionMatch(ask, bid, q));
    aLeft -= q;
    bLeft -= q;
    if (aLeft === 0) aLeft = accepted[asks[++ai] ?? -1] ?? 0;
    if (bLeft === 0) bLeft = accepted[bids[++bi] ?? -1] ?? 0;
  }
  return out;
}

/** Price of one more Wh for each variable's order: λ − Σ_c μ_c × (row c's injection coefficient). */
function nodalPrices(vars: readonly LpVar[], rows: readonly LimitRow[], lp: LpSolution): Float64Array {
  const price = new Float64Array(vars.length);
  vars.forEach((v, j) => {
    let p = lp.lambda;
    rows.forEach((row, c) => {
      // Row coefficients are per Wh of the order (bids enter negated): per Wh injected at its bus.
      const perInjectedWh = v.o.side === 'ask' ? (row.coef[j] as number) : -(row.coef[j] as number);
      p -= (lp.mu[c] as number) * perInjectedWh;
    });
    price[j] = p;
  });
  return price;
}
