/**
 * What a household battery does, by its policy:
 * - 'self-consumption': it serves its own household only, behind the meter: it charges from the
 *   household's surplus and covers its need, within its power and SoC limits. The no-trading
 *   baseline runs every battery so (there is no one else to serve).
 * - 'peak-shaving': the same for its household, and in a market it also sells its spare energy
 *   (what it holds beyond the household's habitual need until the morning) to the neighbours at
 *   the top of the evening demand, where the local price is expected to be highest
 *   (agents/household.ts `spareOfferWh`); that shaves the PCC's evening peak.
 */
import { type BatterySpec, type BatteryState, batteryLimits } from './battery.ts';

export type BatteryPolicy = 'self-consumption' | 'peak-shaving';

/** A battery with its policy and the interval it steps in. */
export interface BatteryController {
  spec: BatterySpec;
  policy: BatteryPolicy;
  intervalMinutes: number;
}

/**
 * The AC energy the battery takes (positive) or gives (negative) in one interval to serve its
 * household, whose production minus consumption is `netWh`: all of a surplus it can store, all
 * of a need it can cover.
 */
export function selfConsumptionWh(controller: BatteryController, state: BatteryState, netWh: number): number {
  const limits = batteryLimits(controller.spec, state, controller.intervalMinutes);
  // 0 − x, not −x: no −0 when the battery can give nothing.
  return netWh >= 0 ? Math.min(Math.round(netWh), limits.maxChargeWh) : 0 - Math.min(Math.round(-netWh), limits.maxDischargeWh);
}
