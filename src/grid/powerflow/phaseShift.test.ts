import { describe, expect, it } from 'vitest';
import { rotorFromDeg } from './phaseShift.ts';

describe('rotorFromDeg', () => {
  it('gives the exact √3/2 and 1/2 constants for multiples of 30°', () => {
    const h = Math.sqrt(3) / 2;
    expect(rotorFromDeg(0)).toEqual({ re: 1, im: 0 });
    expect(rotorFromDeg(150)).toEqual({ re: -h, im: 0.5 });
    expect(rotorFromDeg(-150)).toEqual({ re: -h, im: -0.5 });
    expect(rotorFromDeg(330)).toEqual({ re: h, im: -0.5 });
    expect(rotorFromDeg(-30)).toEqual({ re: h, im: -0.5 });
    expect(rotorFromDeg(90)).toEqual({ re: 0, im: 1 });
    expect(rotorFromDeg(180)).toEqual({ re: -1, im: 0 });
    expect(rotorFromDeg(720 + 60)).toEqual({ re: 0.5, im: h });
  });

  it('matches cos and sin to 1e-15 for other angles, with unit magnitude', () => {
    for (let deg = -725; deg <= 725; deg += 0.37) {
      const r = rotorFromDeg(deg);
      const rad = (deg * Math.PI) / 180;
      expect(Math.abs(r.re - Math.cos(rad))).toBeLessThan(1e-14);
      expect(Math.abs(r.im - Math.sin(rad))).toBeLessThan(1e-14);
      expect(Math.abs(r.re * r.re + r.im * r.im - 1)).toBeLessThan(1e-15);
    }
  });
});
