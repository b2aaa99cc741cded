/**
 * Sun position and irradiance: where the sun is (NOAA's Fourier-series formulas after Spencer
 * 1971 for declination and the equation of time), what a clear sky delivers on the horizontal
 * (Haurwitz 1945), how global irradiance splits into beam and diffuse (Erbs et al. 1982), and
 * what reaches a tilted module (isotropic sky, Liu and Jordan 1963). Angles in the interfaces are
 * degrees; azimuths are measured from north, clockwise (south = 180).
 */
import { dayOfYearUtc, MS_PER_DAY } from './time.ts';

const DEG = Math.PI / 180;
/** Solar constant, W/m². */
export const SOLAR_CONSTANT = 1367;

export interface SolarPosition {
  /** Cosine of the zenith angle (negative below the horizon). */
  cosZenith: number;
  elevationDeg: number;
  /** From north, clockwise. */
  azimuthDeg: number;
  declinationDeg: number;
  /** Equation of time, minutes (apparent minus mean solar time). */
  equationOfTimeMin: number;
  dayOfYear: number;
}

/** Fractional year in radians for a UTC instant (NOAA's gamma). */
function fractionalYear(ms: number, dayOfYear: number): number {
  const hourUtc = (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 3_600_000;
  return ((2 * Math.PI) / 365) * (dayOfYear - 1 + (hourUtc - 12) / 24);
}

export function equationOfTimeMinutes(gamma: number): number {
  return (
    229.18 *
    (0.000075 + 0.001868 * Math.cos(gamma) - 0.032077 * Math.sin(gamma) - 0.014615 * Math.cos(2 * gamma) - 0.040849 * Math.sin(2 * gamma))
  );
}

export function declinationRad(gamma: number): number {
  return (
    0.006918 -
    0.399912 * Math.cos(gamma) +
    0.070257 * Math.sin(gamma) -
    0.006758 * Math.cos(2 * gamma) +
    0.000907 * Math.sin(2 * gamma) -
    0.002697 * Math.cos(3 * gamma) +
    0.00148 * Math.sin(3 * gamma)
  );
}

/** The sun's position seen from latitude/longitude (degrees, east positive) at a UTC instant. */
export function solarPosition(ms: number, latitudeDeg: number, longitudeDeg: number): SolarPosition {
  const doy = dayOfYearUtc(ms);
  const gamma = fractionalYear(ms, doy);
  const eot = equationOfTimeMinutes(gamma);
  const decl = declinationRad(gamma);
  const minutesUtc = (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 60_000;
  const trueSolarMinutes = minutesUtc + eot + 4 * longitudeDeg;
  const hourAngle = (trueSolarMinutes / 4 - 180) * DEG;
  const lat = latitudeDeg * DEG;
  const cosZ = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
  // Azimuth from south (west positive), shifted to "from north".
  const azFromSouth = Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(lat) - Math.tan(decl) * Math.cos(lat));
  const azimuthDeg = (azFromSouth / DEG + 180 + 360) % 360;
  return {
    cosZenith: cosZ,
    elevationDeg: Math.asin(Math.max(-1, Math.min(1, cosZ))) / DEG,
    azimuthDeg,
    declinationDeg: decl / DEG,
    equationOfTimeMin: eot,
    dayOfYear: doy,
  };
}

/** Solar noon of a UTC day (ms of 00:00 UTC), as minutes after 00:00 UTC. */
export function solarNoonUtcMinutes(dayStartMs: number, longitudeDeg: number): number {
  // The equation of time changes by under 30 s a day: evaluate it at the day's noon.
  const gamma = fractionalYear(dayStartMs + MS_PER_DAY / 2, dayOfYearUtc(dayStartMs));
  return 720 - 4 * longitudeDeg - equationOfTimeMinutes(gamma);
}

/** Extraterrestrial irradiance on a plane normal to the sun, W/m² (eccentricity correction). */
export function extraterrestrialNormal(dayOfYear: number): number {
  return SOLAR_CONSTANT * (1 + 0.033 * Math.cos((2 * Math.PI * dayOfYear) / 365));
}

/** Clear-sky global horizontal irradiance, W/m² (Haurwitz): 1098 cosZ exp(-0.057 / cosZ). */
export function clearSkyGhi(cosZenith: number): number {
  return cosZenith > 0 ? 1098 * cosZenith * Math.exp(-0.057 / cosZenith) : 0;
}

/** Diffuse fraction of global horizontal irradiance from the clearness index kt (Erbs). */
export function erbsDiffuseFraction(kt: number): number {
  if (kt <= 0.22) return 1 - 0.09 * kt;
  if (kt <= 0.8) return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  return 0.165;
}

export interface PlaneOrientation {
  tiltDeg: number;
  /** Module azimuth from north, clockwise (south = 180). */
  azimuthDeg: number;
  /** Ground reflectance. */
  albedo: number;
}

/** Below this cos(zenith) (sun under ~3°) the beam split is unreliable: treat all light as diffuse. */
const LOW_SUN_COS = 0.05;

/**
 * Plane-of-array irradiance (W/m²) from global horizontal irradiance: split into beam and diffuse
 * with Erbs' correlation, then beam by the angle of incidence, sky diffuse isotropic, ground
 * reflected with the albedo.
 */
export function planeOfArrayIrradiance(ghi: number, sun: SolarPosition, plane: PlaneOrientation): number {
  if (ghi <= 0 || sun.cosZenith <= 0) return 0;
  const tilt = plane.tiltDeg * DEG;
  const skyView = (1 + Math.cos(tilt)) / 2;
  const ground = ghi * plane.albedo * ((1 - Math.cos(tilt)) / 2);
  if (sun.cosZenith < LOW_SUN_COS) return ghi * skyView + ground;
  const e0 = extraterrestrialNormal(sun.dayOfYear);
  const kt = Math.min(1, ghi / (e0 * sun.cosZenith));
  const dhi = ghi * erbsDiffuseFraction(kt);
  const dni = Math.min(e0, (ghi - dhi) / sun.cosZenith);
  const sinZ = Math.sqrt(Math.max(0, 1 - sun.cosZenith ** 2));
  const cosIncidence = sun.cosZenith * Math.cos(tilt) + sinZ * Math.sin(tilt) * Math.cos((sun.azimuthDeg - plane.azimuthDeg) * DEG);
  return dni * Math.max(0, cosIncidence) + dhi * skyView + ground;
}
