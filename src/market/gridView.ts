/**
 * What the market's grid check needs from the grid engine, in the market's terms: an AC check of
 * a schedule (net injection per bus, on top of the feeder's own loads and generation) that lists
 * broken limits as integers, and the linear sensitivity of one broken limit to injections.
 */
export interface LimitBreach {
  /** Stable identity of the limit, e.g. `line:7:current`, used to match breaches across solves. */
  key: string;
  kind: 'current' | 'apparent' | 'voltage_high' | 'voltage_low' | 'pcc';
  /** Human name of the element, e.g. `line 7`, `bus 18`, `PCC`. */
  element: string;
  /** Integer decision value and limit in `unit` (mA, 1e-5 pu, VA). */
  value: number;
  limit: number;
  unit: 'mA' | '1e-5 pu' | 'VA';
  /**
   * +1 when the value must come down to the limit (current, PCC, high voltage), -1 when it must
   * come up (low voltage). excess = sign × (value − limit) > 0 while broken.
   */
  sign: 1 | -1;
}

export interface AcOutcome {
  converged: boolean;
  breaches: LimitBreach[];
}

/** The outcome together with the solved state the sensitivities are taken at. */
export interface AcPoint extends AcOutcome {
  readonly state: unknown;
}

export interface GridView {
  nBus: number;
  /** Feeder bus id -> index 0..nBus-1, or -1 when the bus is not in the feeder. */
  busIndex(bus: number): number;
  /** Runs the AC power flow of the schedule (W per bus index, + injects) and checks every limit. */
  check(injectionW: Float64Array): AcPoint;
  /**
   * d(sign × value)/d(injection W at a bus index), balanced by the PCC, at the solved point
   * (positive: injecting there worsens the breach). Computed lazily per bus.
   */
  sensitivity(breach: LimitBreach, at: AcPoint): (busIndex: number) => number;
}
