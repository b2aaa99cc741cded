/**
 * What a household battery offers for the next interval, decided from the household's forecast net
 * (production minus consumption) and a price signal. The result is the battery's flexible offer:
 * `chargeWh` it would take (a flexible bid), `dischargeWh` it would deliver (a flexible ask); at
 * most one is non-zero, and both fit the battery's power and SoC limits for the interval.
 *
 * - self-consumption: charge from the forecast surplus, discharge to cover the forecast need.
 * - peak-shaving: charge from surplus as above; when the expected price (or the PCC import forecast)
 *   is high, discharge at full power, also for the neighbours; when the price is low, charge from
 *   the grid up to a target SoC; in between, cover the own need only above a reserve kept for the
 *   peak.
 */
import { type BatterySpec, type BatteryState, batteryLimits } from './battery.ts';

export type BatteryPolicy = 'self-consumption' | 'peak-shaving';

export interface PriceSignal {
  /** Expected clearing or import price for the interval, µc/kWh. */
  expectedPriceUcPerKwh: number;
  /** At or below this the battery charges from the grid (peak-shaving). */
  lowPriceUcPerKwh: number;
  /** At or above this the battery discharges at full power (peak-shaving). */
  highPriceUcPerKwh: number;
  /** Optional forecast import at the PCC, W, and the level above which it counts as a peak. */
  pccImportForecastW?: number;
  pccPeakThresholdW?: number;
}

export interface BatteryDecision {
  chargeWh: number;
  dischargeWh: number;
}

/** A battery with its policy: everything `decideBattery` needs besides the state and the forecasts. */
export interface BatteryController {
  spec: BatterySpec;
  policy: BatteryPolicy;
  intervalMinutes: number;
  /** Peak-shaving: share of usable capacity kept for high-price intervals. */
  reserveFraction: number;
  /** Peak-shaving: grid charging stops at this share of usable capacity. */
  gridChargeTargetFraction: number;
}

export const DEFAULT_PEAK_SHAVING: Pick<BatteryController, 'reserveFraction' | 'gridChargeTargetFraction'> = {
  reserveFraction: 0.4,
  gridChargeTargetFraction: 0.9,
};

const NONE: BatteryDecision = { chargeWh: 0, dischargeWh: 0 };

export function decideBattery(controller: BatteryController, state: BatteryState, forecastNetWh: number, price: PriceSignal): BatteryDecision {
  const { spec } = controller;
  const limits = batteryLimits(spec, state, controller.intervalMinutes);
  if (forecastNetWh > 0) return { chargeWh: Math.min(Math.round(forecastNetWh), limits.maxChargeWh), dischargeWh: 0 };
  const needWh = Math.round(-forecastNetWh);
  if (controller.policy === 'self-consumption') return { chargeWh: 0, dischargeWh: Math.min(needWh, limits.maxDischargeWh) };

  const usable = spec.maxSocWh - spec.minSocWh;
  const socShare = usable > 0 ? (state.storedWh - spec.minSocWh) / usable : 0;
  const peak =
    price.expectedPriceUcPerKwh >= price.highPriceUcPerKwh ||
    (price.pccImportForecastW !== undefined && price.pccPeakThresholdW !== undefined && price.pccImportForecastW >= price.pccPeakThresholdW);
  if (peak) return { chargeWh: 0, dischargeWh: limits.maxDischargeWh };
  if (price.expectedPriceUcPerKwh <= price.lowPriceUcPerKwh) {
    if (socShare >= controller.gridChargeTargetFraction) return NONE;
    const toTarget = Math.max(0, Math.floor(controller.gridChargeTargetFraction * usable) - (state.storedWh - spec.minSocWh));
    // Cells gain less than the AC energy: ask for enough AC energy to reach the target.
    const acToTarget = Math.ceil((toTarget * 1_000_000) / spec.chargeEfficiencyPpm);
    return { chargeWh: Math.min(acToTarget, limits.maxChargeWh), dischargeWh: 0 };
  }
  if (socShare <= controller.reserveFraction) return NONE;
  const aboveReserveWh = Math.floor(((socShare - controller.reserveFraction) * usable * spec.dischargeEfficiencyPpm) / 1_000_000);
  return { chargeWh: 0, dischargeWh: Math.min(needWh, limits.maxDischargeWh, aboveReserveWh) };
}
