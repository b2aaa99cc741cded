import { describe, expect, it } from 'vitest';
import { applyTaps, trafoToPi, type TrafoNameplate } from './pandapowerTrafo.ts';

// Kerber's 160 kVA 10/0.4 kV Dyn5 (pandapower standard type), on a 1 MVA base.
const T160: TrafoNameplate = {
  snMva: 0.16, vnHvKv: 10, vnLvKv: 0.4, vkPercent: 4, vkrPercent: 1.2, pfeKw: 0.38, i0Percent: 0.26,
  shiftDegree: 150, parallel: 1, leakageRatioHvR: 0.5, leakageRatioHvX: 0.5, taps: [],
};

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const inv = (a: C): C => [a[0] / (a[0] ** 2 + a[1] ** 2), -a[1] / (a[0] ** 2 + a[1] ** 2)];

/** Two-port admittances [Y11, Y12, Y22] of a T: za from node 1, zb from node 2, ym to ground in the middle. */
function tTwoPort(za: C, zb: C, ym: C): [C, C, C] {
  const ya = inv(za);
  const yb = inv(zb);
  const ymid = inv(add(add(ya, yb), ym)); // eliminate the middle node (Kron reduction)
  return [sub(ya, mul(mul(ya, ya), ymid)), sub([0, 0], mul(mul(ya, yb), ymid)), sub(yb, mul(mul(yb, yb), ymid))];
}

describe('trafoToPi', () => {
  const pi = trafoToPi(T160, 10, 0.4, 1);

  // By hand from the nameplate, referred to 0.4 kV and 1 MVA:
  // z = 0.04 / 0.16 = 0.25, r = 0.012 / 0.16 = 0.075, x = sqrt(0.25^2 - 0.075^2) = 0.238485;
  // g = 0.38 kW / 1 MVA = 0.00038, |y0| = 0.0026 * 0.16 = 0.000416, b = -sqrt(|y0|^2 - g^2).
  const r = 0.075;
  const x = Math.sqrt(0.25 ** 2 - 0.075 ** 2);
  const g = 0.00038;
  const b = -Math.sqrt(0.000416 ** 2 - g ** 2);

  it('keeps nominal ratio and the Dyn5 shift', () => {
    expect(pi.tap).toBe(1);
    expect(pi.shiftDeg).toBe(150);
  });

  it('is close to the series impedance with the magnetising admittance split in half', () => {
    expect(pi.rPu).toBeCloseTo(r, 4);
    expect(pi.xPu).toBeCloseTo(x, 4);
    expect(pi.gFromPu + pi.gToPu).toBeCloseTo(g, 6);
    expect(pi.bFromPu + pi.bToPu).toBeCloseTo(b, 6);
  });

  it('is exactly the T equivalent seen from its two ends', () => {
    const [y11, y12, y22] = tTwoPort([r / 2, x / 2], [r / 2, x / 2], [g, b]);
    const ys = inv([pi.rPu, pi.xPu]);
    const p11 = add(ys, [pi.gFromPu, pi.bFromPu]);
    const p22 = add(ys, [pi.gToPu, pi.bToPu]);
    for (const [got, want] of [[p11, y11], [sub([0, 0], ys), y12], [p22, y22]] as [C, C][]) {
      expect(Math.hypot(got[0] - want[0], got[1] - want[1])).toBeLessThan(1e-12 * Math.hypot(want[0], want[1]));
    }
  });

  it('puts unequal leakage shares into unequal end shunts', () => {
    const skew = trafoToPi({ ...T160, leakageRatioHvR: 0.3, leakageRatioHvX: 0.3 }, 10, 0.4, 1);
    const [y11, , y22] = tTwoPort([0.3 * r, 0.3 * x], [0.7 * r, 0.7 * x], [g, b]);
    const ys = inv([skew.rPu, skew.xPu]);
    expect(add(ys, [skew.gFromPu, skew.bFromPu])[0]).toBeCloseTo(y11[0], 12);
    expect(add(ys, [skew.gToPu, skew.bToPu])[1]).toBeCloseTo(y22[1], 12);
    expect(skew.gFromPu).not.toBeCloseTo(skew.gToPu, 8);
  });

  it('divides impedance and multiplies admittance by the number in parallel', () => {
    const two = trafoToPi({ ...T160, parallel: 2, pfeKw: 0, i0Percent: 0 }, 10, 0.4, 1);
    expect(two.rPu).toBeCloseTo(r / 2, 12);
    expect(two.gFromPu).toBe(0);
  });

  it('gives the off-nominal ratio where rated and bus voltages differ', () => {
    expect(trafoToPi({ ...T160, vnHvKv: 10.5 }, 10, 0.4, 1).tap).toBeCloseTo(1.05, 12);
    // Rated LV above the bus voltage: ratio below 1 and the impedance referred up by (0.42/0.4)^2.
    const lv = trafoToPi({ ...T160, vnLvKv: 0.42, pfeKw: 0, i0Percent: 0 }, 10, 0.4, 1);
    expect(lv.tap).toBeCloseTo(0.4 / 0.42, 12);
    expect(lv.rPu).toBeCloseTo(r * (0.42 / 0.4) ** 2, 12);
  });
});

describe('applyTaps', () => {
  const tap = { neutral: 0, stepDegree: 0, type: 'ratio' as const };
  it('moves the rated voltage of the tapped side by pos x step', () => {
    expect(applyTaps({ ...T160, taps: [{ ...tap, side: 'hv', pos: 2, stepPercent: 2.5 }] }).vnHv).toBeCloseTo(10.5, 12);
    expect(applyTaps({ ...T160, taps: [{ ...tap, side: 'lv', pos: -1, stepPercent: 2.5, neutral: 0 }] }).vnLv).toBeCloseTo(0.39, 12);
    expect(applyTaps({ ...T160, taps: [{ ...tap, side: 'hv', pos: 3, neutral: 3, stepPercent: 2.5 }] }).vnHv).toBe(10);
  });

  it('adds an ideal phase shifter step to the shift, with the sign of the side', () => {
    const ideal = { ...tap, type: 'ideal' as const, stepPercent: 0, stepDegree: 5, pos: 2 };
    expect(applyTaps({ ...T160, taps: [{ ...ideal, side: 'hv' }] }).shiftDeg).toBeCloseTo(160, 12);
    expect(applyTaps({ ...T160, taps: [{ ...ideal, side: 'lv' }] }).shiftDeg).toBeCloseTo(140, 12);
  });

  it('turns a ratio step with an angle into a voltage and a shift', () => {
    // du = 10 kV x 10 % at 90 degrees: |u| = sqrt(10^2 + 1^2), shift + atan(1/10).
    const out = applyTaps({ ...T160, taps: [{ ...tap, side: 'hv', pos: 1, stepPercent: 10, stepDegree: 90 }] });
    expect(out.vnHv).toBeCloseTo(Math.sqrt(101), 12);
    expect(out.shiftDeg).toBeCloseTo(150 + (Math.atan(0.1) * 180) / Math.PI, 10);
  });
});
