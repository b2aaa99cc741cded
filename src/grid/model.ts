/**
 * The feeder model every grid computation works on: buses, branches (lines and transformers as
 * one pi model), loads, static generators and the slack bus (the PCC with the main grid).
 *
 * Electrical parameters are in per unit on the model's `baseMva` and each bus's `baseKv`, so the
 * solver needs no unit handling; importers convert from ohms, kW, nF and transformer nameplates.
 * Ids are the source file's own (MATPOWER bus number, pandapower DataFrame index): results are
 * reported in them. Element order is the source's order and is significant for determinism.
 */
export interface FeederModel {
  name: string;
  /** System power base (MVA) of all per-unit values. */
  baseMva: number;
  /** Network frequency; used only by importers (line charging from capacitance). */
  fHz: number;
  buses: Bus[];
  branches: Branch[];
  loads: Load[];
  sgens: StaticGen[];
  slack: Slack;
}

export interface Bus {
  id: number;
  name?: string;
  /** Base (and nominal) voltage, kV line-to-line. */
  baseKv: number;
  vMinPu: number;
  vMaxPu: number;
  inService: boolean;
}

/** The PCC: fixed voltage magnitude and angle; it balances the feeder. */
export interface Slack {
  bus: number;
  vmPu: number;
  vaDeg: number;
  /** Optional import/export limit at the PCC, kVA. */
  limitKva?: number;
}

/** Constant-power consumption at a bus (positive = consumed). */
export interface Load {
  id: number;
  bus: number;
  pKw: number;
  qKvar: number;
  inService: boolean;
  name?: string;
}

/** Constant-power static generator (PV, wind, battery inverter), positive = injected. */
export interface StaticGen {
  id: number;
  bus: number;
  pKw: number;
  qKvar: number;
  kind: 'pv' | 'wind' | 'battery' | 'other';
  inService: boolean;
  name?: string;
}

/**
 * A branch as a general pi model with an ideal transformer at the from side (MATPOWER's branch
 * model, with asymmetric shunts so that pandapower's transformer T equivalent maps exactly):
 *
 *   from --[ 1/(tap * e^{j shift}) : 1 ]-- series (r + jx) -- to
 *   shunt (gFrom + j bFrom) at the from side (after the ideal transformer), (gTo + j bTo) at to.
 *
 * A line has tap = 1 and shift = 0. `shiftDeg` is positive when the to-side voltage lags
 * (MATPOWER's sign); pandapower's shift_degree maps to it with the sign the importer documents.
 */
export interface Branch {
  kind: 'line' | 'trafo';
  /** Index in the source's own table (line, trafo or branch row). */
  id: number;
  from: number;
  to: number;
  rPu: number;
  xPu: number;
  gFromPu: number;
  bFromPu: number;
  gToPu: number;
  bToPu: number;
  tap: number;
  shiftDeg: number;
  inService: boolean;
  rating: BranchRating | null;
  name?: string;
}

/** How loading_pct is defined for a branch, as the source tool defines it (DESIGN.md section 7). */
export type BranchRating =
  /** pandapower line: larger end current over maxIKa (already × df × parallel). */
  | { kind: 'current'; maxIKa: number }
  /** pandapower transformer: larger of end current × rated kV × √3 over snMva. */
  | { kind: 'trafo'; snMva: number; fromRatedKv: number; toRatedKv: number }
  /** MATPOWER: larger end apparent power over rateA. */
  | { kind: 'apparent'; mva: number };
