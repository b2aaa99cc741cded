/** Test helpers (tests only): hand-written orders, random books, an independent AC check of results. */
import fc from 'fast-check';
import type { FeederModel } from '../grid/model.ts';
import type { PowerFlowResult } from '../grid/powerflow/result.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import type { Order, OrderBook, Side } from './order.ts';
import type { ClearingResult } from './result.ts';
import { energyToPowerW } from './schedule.ts';

export function order(side: Side, id: string, energyWh: number, priceUcPerKwh: number, extra: Partial<Order> = {}): Order {
  return { id, side, owner: id, bus: 1, energyWh, priceUcPerKwh, flexible: false, interval: 0, ...extra };
}

export interface BookShape {
  maxOrders?: number;
  buses?: readonly number[];
  maxEnergyWh?: number;
}

/** Random books with clashing prices (small price range) so ties and equal limits are common. */
export function arbitraryBook(shape: BookShape = {}): fc.Arbitrary<OrderBook> {
  const buses = shape.buses ?? [1];
  const one = fc.record({
    side: fc.constantFrom<Side>('ask', 'bid'),
    bus: fc.constantFrom(...buses),
    energyWh: fc.integer({ min: 1, max: shape.maxEnergyWh ?? 5000 }),
    priceUcPerKwh: fc.integer({ min: 0, max: 40 }).map((p) => p * 10_000),
    flexible: fc.boolean(),
  });
  return fc.array(one, { maxLength: shape.maxOrders ?? 30 }).map((list) => ({
    orders: list.map((o, i) => ({ ...o, id: `o${String(i).padStart(3, '0')}`, owner: `m${i}`, interval: 0 })),
    deliveries: [],
  }));
}

/**
 * The schedule a result implies, rebuilt from the book and the result's trades (independently of
 * the grid check's own bookkeeping: firm orders in full, flexible ones by their trades), solved
 * by the AC power flow.
 */
export function solveResult(feeder: FeederModel, orders: readonly Order[], r: ClearingResult, intervalMin = 15): PowerFlowResult {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const wh = new Map<number, number>();
  const add = (bus: number, e: number): void => {
    wh.set(bus, (wh.get(bus) ?? 0) + e);
  };
  for (const o of orders) if (!o.flexible) add(o.bus, o.side === 'ask' ? o.energyWh : -o.energyWh);
  for (const t of r.trades) {
    const ask = byId.get(t.ask) as Order;
    const bid = byId.get(t.bid) as Order;
    if (ask.flexible) add(ask.bus, t.energyWh);
    if (bid.flexible) add(bid.bus, -t.energyWh);
  }
  const injections = [...wh.entries()].sort((a, b) => a[0] - b[0]).map(([bus, e]) => ({ bus, pKw: energyToPowerW(e, intervalMin) / 1000 }));
  return solvePowerFlow(feeder, { injections });
}

/**
 * What an independent AC solve of the result finds over its limits, beyond the integer rounding
 * of the decision, and not excused by an alert (an alerted limit may stay at its firm-only
 * value). Empty when the result fits.
 */
export function acProblems(feeder: FeederModel, orders: readonly Order[], r: ClearingResult): string[] {
  const pf = solveResult(feeder, orders, r);
  if (!pf.converged) return r.alerts.some((a) => a.kind === 'not_converged') ? [] : ['power flow does not converge'];
  const alerted = new Map(r.alerts.map((a) => [a.element, a]));
  const problems: string[] = [];
  for (const v of pf.violations) {
    if (v.kind === 'overload') {
      const a = alerted.get(`${v.branchKind} ${v.id}`);
      // Values and limits are whole units (a transformer's 10 kV side is rated about 9238 mA:
      // 1 mA is 0.011 %), hence the tolerances.
      const allowed = a === undefined ? 100.03 : ((a.value + 1) / (a.limit - 1)) * 100;
      if (v.loadingPct > allowed) problems.push(`${v.branchKind} ${v.id} at ${v.loadingPct} % > ${allowed} %`);
    } else if (v.kind === 'pcc') {
      problems.push(`PCC ${v.sKva} kVA > ${v.limitKva} kVA`);
    } else {
      const a = alerted.get(`bus ${v.bus}`);
      const e5 = v.vmPu * 1e5;
      const ok = a === undefined ? Math.abs(v.vmPu - v.limitPu) < 0.5e-5 : v.kind === 'voltage_high' ? e5 <= a.value + 0.5 : e5 >= a.value - 0.5;
      if (!ok) problems.push(`bus ${v.bus} at ${v.vmPu} pu beyond ${v.limitPu} pu`);
    }
  }
  return problems;
}
