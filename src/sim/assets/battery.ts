/**
 * A home battery in integer Wh. Energy is counted at the AC side (what the meter sees) and in the
 * cells (`storedWh`); efficiencies are integers in parts per million so every step is exact
 * integer arithmetic:
 *
 *   charging   a Wh at AC:  stored += floor(a * etaC / 1e6),  loss = a - stored increase
 *   discharging d Wh at AC: stored -= ceil(d * 1e6 / etaD),   loss = stored decrease - d
 *
 * so in every step acWh (positive = charge) = stored change + loss, exactly.
 */

export interface BatterySpec {
  capacityWh: number;
  maxChargeW: number;
  maxDischargeW: number;
  /** Charging efficiency, AC to cells, parts per million. */
  chargeEfficiencyPpm: number;
  /** Discharging efficiency, cells to AC, parts per million. */
  dischargeEfficiencyPpm: number;
  /** State-of-charge window kept for battery life, Wh. */
  minSocWh: number;
  maxSocWh: number;
}

export interface BatteryState {
  storedWh: number;
}

export interface BatteryStep {
  state: BatteryState;
  /** Energy actually taken (positive) or delivered (negative) at the AC side. */
  actualWh: number;
  lossWh: number;
}

const PPM = 1_000_000;

export interface BatterySizing {
  capacityKwh: number;
  powerKw: number;
  /** Round trip AC to AC, split equally (sqrt) between charging and discharging. */
  roundTripEfficiency: number;
  minSocFraction: number;
  maxSocFraction: number;
}

export const DEFAULT_BATTERY_SIZING: Omit<BatterySizing, 'capacityKwh' | 'powerKw'> = {
  roundTripEfficiency: 0.9,
  minSocFraction: 0.05,
  maxSocFraction: 0.95,
};

export function batterySpec(s: BatterySizing): BatterySpec {
  if (!(s.roundTripEfficiency > 0 && s.roundTripEfficiency <= 1)) throw new RangeError(`round-trip efficiency must be in (0, 1], got ${s.roundTripEfficiency}`);
  if (!(s.minSocFraction >= 0 && s.minSocFraction < s.maxSocFraction && s.maxSocFraction <= 1)) throw new RangeError('SoC window must satisfy 0 <= min < max <= 1');
  const oneWay = Math.round(Math.sqrt(s.roundTripEfficiency) * PPM);
  const capacityWh = Math.round(s.capacityKwh * 1000);
  const powerW = Math.round(s.powerKw * 1000);
  return {
    capacityWh,
    maxChargeW: powerW,
    maxDischargeW: powerW,
    chargeEfficiencyPpm: oneWay,
    dischargeEfficiencyPpm: oneWay,
    minSocWh: Math.round(capacityWh * s.minSocFraction),
    maxSocWh: Math.round(capacityWh * s.maxSocFraction),
  };
}

/** Energy (Wh) a power limit allows in an interval. */
function powerLimitWh(w: number, intervalMinutes: number): number {
  return Math.floor((w * intervalMinutes) / 60);
}

export interface BatteryLimits {
  /** Most AC energy the battery can take in this interval. */
  maxChargeWh: number;
  /** Most AC energy the battery can deliver in this interval. */
  maxDischargeWh: number;
}

export function batteryLimits(spec: BatterySpec, state: BatteryState, intervalMinutes: number): BatteryLimits {
  const room = Math.max(0, spec.maxSocWh - state.storedWh);
  const available = Math.max(0, state.storedWh - spec.minSocWh);
  // a * eta / 1e6 <= room (no AC energy that would only become loss), and ceil(d * 1e6 / eta) <= available.
  // Operands stay below 2^53 and the quotients' fractions above 1e-6, so floor/ceil of the IEEE
  // quotient equal the exact integer ones.
  const byRoom = Math.floor((room * PPM) / spec.chargeEfficiencyPpm);
  const byCharge = Math.floor((available * spec.dischargeEfficiencyPpm) / PPM);
  return {
    maxChargeWh: Math.max(0, Math.min(powerLimitWh(spec.maxChargeW, intervalMinutes), byRoom)),
    maxDischargeWh: Math.max(0, Math.min(powerLimitWh(spec.maxDischargeW, intervalMinutes), byCharge)),
  };
}

/**
 * Execute a request (Wh at AC; positive = charge, negative = discharge) for one interval, limited
 * by power and the SoC window. Pure: returns the new state.
 */
export function stepBattery(spec: BatterySpec, state: BatteryState, requestWh: number, intervalMinutes: number): BatteryStep {
  if (!Number.isSafeInteger(requestWh)) throw new RangeError(`battery request must be an integer Wh, got ${requestWh}`);
  const limits = batteryLimits(spec, state, intervalMinutes);
  if (requestWh > 0 && limits.maxChargeWh > 0) {
    const ac = Math.min(requestWh, limits.maxChargeWh);
    const stored = Math.floor((ac * spec.chargeEfficiencyPpm) / PPM);
    return { state: { storedWh: state.storedWh + stored }, actualWh: ac, lossWh: ac - stored };
  }
  if (requestWh < 0 && limits.maxDischargeWh > 0) {
    const ac = Math.min(-requestWh, limits.maxDischargeWh);
    const drawn = Math.ceil((ac * PPM) / spec.dischargeEfficiencyPpm);
    return { state: { storedWh: state.storedWh - drawn }, actualWh: -ac, lossWh: drawn - ac };
  }
  return { state, actualWh: 0, lossWh: 0 };
}
