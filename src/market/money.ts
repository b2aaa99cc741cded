import { GridLedgerError } from '../errors.ts';

/**
 * floor(priceUcPerKwh × energyWh / 1000) µc, exact for any safe integers whose result is safe:
 * energyWh is split at 1000 so no intermediate product leaves the safe-integer range first.
 * The one rounding rule for payments and welfare (DESIGN.md section 2, settlement).
 */
export function energyValueUc(priceUcPerKwh: number, energyWh: number): number {
  const kwh = Math.floor(energyWh / 1000);
  const restWh = energyWh - kwh * 1000;
  const value = priceUcPerKwh * kwh + Math.floor((priceUcPerKwh * restWh) / 1000);
  if (!Number.isSafeInteger(value)) {
    throw new GridLedgerError('MARKET_OVERFLOW', `${priceUcPerKwh} µc/kWh × ${energyWh} Wh is beyond exact integer range`);
  }
  return value;
}

/** Sum of integers that must stay exact. */
export function sumSafe(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  if (!Number.isSafeInteger(total)) throw new GridLedgerError('MARKET_OVERFLOW', 'a market total is beyond exact integer range');
  return total;
}
