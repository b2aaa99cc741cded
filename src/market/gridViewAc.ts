/**
 * The market's GridView on the grid engine. Decisions are the engine's consensus grid check
 * (createFeasibilityChecker: AC power flow, integer mA / VA / 1e-5 pu against integer limits, the
 * deciding end of a branch the one with the larger value/limit). Sensitivities come from the
 * engine's buildSensitivities at the solved state of the checked schedule; they only choose what
 * to cut and by how much, the next AC check decides.
 */
import type { FeasibilityViolation } from '../grid/feasibility/feasibility.ts';
import { createFeasibilityChecker } from '../grid/feasibility/feasibility.ts';
import type { FeederModel } from '../grid/model.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';
import type { Sensitivities } from '../grid/sensitivity/sensitivity.ts';
import { buildSensitivities } from '../grid/sensitivity/sensitivity.ts';
import type { AcPoint, GridView, LimitBreach } from './gridView.ts';

/** Screening needs a few digits, not the engine's default 1e-9. */
const SENSITIVITY_REL_TOL = 1e-4;

interface AcState {
  injections: { bus: number; w: number }[];
  /** PCC active and apparent power at the checked point (for the PCC limit's sensitivity). */
  pccW: number;
  pccVa: number;
  sens: Sensitivities | undefined;
}

export function makeGridView(feeder: FeederModel): GridView {
  const checker = createFeasibilityChecker(feeder);
  const busIndex = new Map<number, number>();
  feeder.buses.forEach((b, i) => busIndex.set(b.id, i));
  const branchIndex = new Map<string, number>();
  feeder.branches.forEach((br, k) => branchIndex.set(`${br.kind}:${br.id}`, k));
  const busId = (i: number): number => (feeder.buses[i] as FeederModel['buses'][number]).id;

  const check = (injectionW: Float64Array): AcPoint => {
    const injections: { bus: number; w: number }[] = [];
    for (let i = 0; i < injectionW.length; i++) {
      const w = injectionW[i] as number;
      if (w !== 0) injections.push({ bus: busId(i), w });
    }
    const report = checker(injections);
    const state: AcState = { injections, pccW: report.pcc.pW, pccVa: report.pcc.sVa, sens: undefined };
    return { converged: report.converged, breaches: report.violations.map(toBreach), state };
  };

  const sensitivity = (breach: LimitBreach, at: AcPoint): ((busIndex: number) => number) => {
    const state = at.state as AcState;
    if (state.sens === undefined) {
      const pf = solvePowerFlow(feeder, { injections: state.injections.map((j) => ({ bus: j.bus, pKw: j.w / 1000 })) });
      state.sens = buildSensitivities(feeder, pf, { relTol: SENSITIVITY_REL_TOL });
    }
    const sens = state.sens;
    const [kind, what, id] = breach.key.split(':');
    if (kind === 'branch') {
      const k = branchIndex.get(`${what}:${id}`) as number;
      // value/limit = loading/100 at the deciding end, whose loading the engine's column follows.
      const perPct = (breach.sign * breach.limit) / 100;
      return (i) => perPct * (sens.injection(busId(i)).dLoadingPctPerW[k] as number);
    }
    if (kind === 'bus') {
      const b = busIndex.get(Number(id)) as number;
      return (i) => breach.sign * 1e5 * (sens.injection(busId(i)).dVmPuPerW[b] as number);
    }
    // PCC: |S| moves with P by P/|S| (orders are at unity power factor).
    const share = state.pccVa > 0 ? state.pccW / state.pccVa : 1;
    return (i) => breach.sign * share * sens.injection(busId(i)).dPccPerW;
  };

  return { nBus: feeder.buses.length, busIndex: (bus) => busIndex.get(bus) ?? -1, check, sensitivity };
}

function toBreach(v: FeasibilityViolation): LimitBreach {
  const base = { value: v.value, limit: v.limit };
  switch (v.kind) {
    case 'branch':
      return {
        ...base,
        key: `branch:${v.branchKind ?? 'line'}:${v.id}`,
        kind: v.unit === 'mA' ? 'current' : 'apparent',
        element: `${v.branchKind ?? 'branch'} ${v.id}`,
        unit: v.unit === 'mA' ? 'mA' : 'VA',
        sign: 1,
      };
    case 'voltage_low':
    case 'voltage_high':
      return { ...base, key: `bus:${v.kind}:${v.id}`, kind: v.kind, element: `bus ${v.id}`, unit: '1e-5 pu', sign: v.kind === 'voltage_low' ? -1 : 1 };
    case 'pcc':
      return { ...base, key: 'pcc::', kind: 'pcc', element: 'PCC', unit: 'VA', sign: 1 };
  }
}
