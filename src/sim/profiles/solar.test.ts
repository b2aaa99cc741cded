import { describe, expect, it } from 'vitest';
import { clearSkyGhi, planeOfArrayIrradiance, solarNoonUtcMinutes, solarPosition } from './solar.ts';

const LAT = 52.52;
const LON = 13.405;
const DEG = Math.PI / 180;

describe('solar position', () => {
  it('puts the noon sun at 90° - |latitude - declination| at the solstices and equinox', () => {
    for (const [day, decl] of [
      [Date.UTC(2024, 5, 20), 23.44],
      [Date.UTC(2024, 11, 21), -23.44],
      [Date.UTC(2024, 2, 20), 0],
    ] as const) {
      const noon = solarNoonUtcMinutes(day, LON);
      const p = solarPosition(day + noon * 60_000, LAT, LON);
      expect(Math.abs(p.elevationDeg - (90 - Math.abs(LAT - decl)))).toBeLessThan(0.3);
      expect(Math.abs(p.azimuthDeg - 180)).toBeLessThan(0.5);
    }
  });

  it('follows the equation of time (about -14.2 min mid-February, +16.4 min early November)', () => {
    expect(solarPosition(Date.UTC(2024, 1, 11, 12), 0, 0).equationOfTimeMin).toBeCloseTo(-14.2, 0);
    expect(solarPosition(Date.UTC(2024, 10, 3, 12), 0, 0).equationOfTimeMin).toBeCloseTo(16.4, 0);
  });

  it('rises in the east and sets in the west, with the geometric day length', () => {
    const day = Date.UTC(2024, 5, 21);
    let up = 0;
    for (let m = 0; m < 1440; m++) if (solarPosition(day + m * 60_000, LAT, LON).cosZenith > 0) up++;
    const decl = solarPosition(day + 11 * 3_600_000, LAT, LON).declinationDeg * DEG;
    const expectedMinutes = ((2 * Math.acos(-Math.tan(LAT * DEG) * Math.tan(decl))) / DEG / 15) * 60;
    expect(Math.abs(up - expectedMinutes)).toBeLessThan(3);
    expect(solarPosition(day + 4 * 3_600_000, LAT, LON).azimuthDeg).toBeLessThan(90);
    expect(solarPosition(day + 18 * 3_600_000, LAT, LON).azimuthDeg).toBeGreaterThan(270);
  });
});

describe('irradiance', () => {
  it('gives Haurwitz clear-sky irradiance, zero below the horizon', () => {
    expect(clearSkyGhi(1)).toBeCloseTo(1098 * Math.exp(-0.057), 9);
    expect(clearSkyGhi(0)).toBe(0);
    expect(clearSkyGhi(-0.3)).toBe(0);
  });

  it('keeps a horizontal plane equal to global horizontal irradiance', () => {
    const sun = solarPosition(Date.UTC(2024, 5, 21, 9), LAT, LON);
    for (const ghi of [50, 300, clearSkyGhi(sun.cosZenith)]) {
      expect(planeOfArrayIrradiance(ghi, sun, { tiltDeg: 0, azimuthDeg: 180, albedo: 0.2 })).toBeCloseTo(ghi, 9);
    }
  });

  it('favours a south-facing tilted plane at winter noon over a north-facing one', () => {
    const day = Date.UTC(2024, 11, 21);
    const sun = solarPosition(day + solarNoonUtcMinutes(day, LON) * 60_000, LAT, LON);
    const ghi = clearSkyGhi(sun.cosZenith);
    const south = planeOfArrayIrradiance(ghi, sun, { tiltDeg: 60, azimuthDeg: 180, albedo: 0.2 });
    const north = planeOfArrayIrradiance(ghi, sun, { tiltDeg: 60, azimuthDeg: 0, albedo: 0.2 });
    expect(south).toBeGreaterThan(2 * ghi);
    expect(north).toBeLessThan(ghi);
    // Under overcast (low clearness) light is diffuse, so the tilt gains little.
    const overcast = ghi * 0.2;
    expect(planeOfArrayIrradiance(overcast, sun, { tiltDeg: 60, azimuthDeg: 180, albedo: 0.2 })).toBeLessThan(1.2 * overcast);
  });
});
