/**
 * Ambient air temperature for the PV temperature derating: a yearly cosine (coldest mid-January)
 * plus a daily cosine peaking at 15:00 local solar time. Deterministic; it only shapes efficiency.
 */
import { dayOfYearUtc, MS_PER_DAY } from './time.ts';

export interface TemperatureParams {
  annualMeanC: number;
  /** Half the difference between the warmest and the coldest month's mean. */
  annualAmplitudeC: number;
  /** Half the typical day-night difference. */
  dailyAmplitudeC: number;
}

/** Germany: mean ~9.5 °C, January ~0.5 °C, July ~18.5 °C. */
export const CENTRAL_EUROPE_TEMPERATURE: TemperatureParams = { annualMeanC: 9.5, annualAmplitudeC: 9, dailyAmplitudeC: 4.5 };

export function ambientTemperatureC(ms: number, longitudeDeg: number, p: TemperatureParams): number {
  const doy = dayOfYearUtc(ms);
  const solarHour = ((((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 3_600_000 + longitudeDeg / 15 + 24) % 24;
  return (
    p.annualMeanC -
    p.annualAmplitudeC * Math.cos((2 * Math.PI * (doy - 15)) / 365) +
    p.dailyAmplitudeC * Math.cos((2 * Math.PI * (solarHour - 15)) / 24)
  );
}
