/** What solvePowerFlow returns; ids are the source file's own, quantities in kW, kvar, kA, p.u. */
export interface PowerFlowResult {
  case: string;
  /** False when the sweep stopped at maxIter or diverged: the fields then hold the last iterate. */
  converged: boolean;
  /** Sweeps after the no-load start. */
  iterations: number;
  /** Largest real or reactive power mismatch at a bus, p.u. on baseMva. */
  maxMismatchPu: number;
  /** Branches that close loops (0: radial). */
  loops: number;
  /** In model order. */
  buses: BusResult[];
  /** In model order, out-of-service branches included with zero flows. */
  branches: BranchResult[];
  /** Total active and reactive losses: series and shunt (iron, charging) of every branch. */
  lossKw: number;
  lossKvar: number;
  /** Exchange with the main grid at the slack bus, positive = import. */
  pcc: { bus: number; pKw: number; qKvar: number; sKva: number; limitKva: number | null };
  /** Over energized buses, the slack included. */
  vmin: { pu: number; bus: number };
  vmax: { pu: number; bus: number };
  /** Load at buses that no in-service path connects to the slack, kW. */
  unservedKw: number;
  violations: PowerFlowViolation[];
}

export interface BusResult {
  id: number;
  vmPu: number;
  vaDeg: number;
  /** The complex voltage itself (for sensitivities, which must not go through angles). */
  vRePu: number;
  vImPu: number;
  /** False when out of service or cut off from the slack: voltage 0. */
  energized: boolean;
}

export interface BranchResult {
  kind: 'line' | 'trafo';
  id: number;
  from: number;
  to: number;
  /** True when it carries current (in service, both ends energized). */
  inService: boolean;
  /** Power into the branch at each end. */
  pFromKw: number;
  qFromKvar: number;
  pToKw: number;
  qToKvar: number;
  iFromKa: number;
  iToKa: number;
  /** As DESIGN.md section 7 defines it per rating kind; null without a rating. */
  loadingPct: number | null;
  lossKw: number;
  lossKvar: number;
}

export type PowerFlowViolation =
  | { kind: 'overload'; branchKind: 'line' | 'trafo'; id: number; from: number; to: number; loadingPct: number }
  | { kind: 'voltage_low' | 'voltage_high'; bus: number; vmPu: number; limitPu: number }
  | { kind: 'pcc'; bus: number; sKva: number; limitKva: number };
