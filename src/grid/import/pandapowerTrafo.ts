/**
 * A two-winding transformer from its nameplate to the model's branch, exactly as pandapower's
 * power flow builds it with trafo_model "t" (build_branch.py: _calc_tap_from_dataframe,
 * _calc_nominal_ratio_from_dataframe, _calc_r_x_from_dataframe, _calc_y_from_dataframe,
 * _wye_delta): everything is referred to the low-voltage side; the T equivalent (leakage
 * impedance split between the windings, magnetising admittance with the iron losses in the
 * middle) becomes a pi by star-delta, and the ideal transformer (off-nominal ratio and phase
 * shift) sits at the high-voltage (from) end.
 *
 * Not consensus code: runs once at import, so Math.sin/cos/atan are fine here.
 */
export interface TapChanger {
  side: 'hv' | 'lv';
  neutral: number;
  pos: number;
  stepPercent: number;
  stepDegree: number;
  /** 'ratio' changes the voltage (with an angle if stepDegree != 0); 'ideal' only shifts the phase. */
  type: 'ratio' | 'ideal';
}

export interface TrafoNameplate {
  snMva: number;
  vnHvKv: number;
  vnLvKv: number;
  vkPercent: number;
  vkrPercent: number;
  pfeKw: number;
  i0Percent: number;
  shiftDegree: number;
  parallel: number;
  /** Share of the leakage resistance and reactance on the HV side (pandapower default 0.5). */
  leakageRatioHvR: number;
  leakageRatioHvX: number;
  /** Up to two tap changers, applied in order as pandapower does. */
  taps: TapChanger[];
}

export interface TrafoPi {
  rPu: number;
  xPu: number;
  gFromPu: number;
  bFromPu: number;
  gToPu: number;
  bToPu: number;
  tap: number;
  /** Positive: the LV side lags (pandapower's shift_degree 150 puts a Dyn5 LV side at -150°). */
  shiftDeg: number;
}

const DEG = Math.PI / 180;

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};

/** The tap-adjusted rated voltages and the total phase shift (degrees). */
export function applyTaps(t: TrafoNameplate): { vnHv: number; vnLv: number; shiftDeg: number } {
  let vnHv = t.vnHvKv;
  let vnLv = t.vnLvKv;
  let shift = t.shiftDegree;
  for (const tap of t.taps) {
    const diff = tap.pos - tap.neutral;
    const direction = tap.side === 'hv' ? 1 : -1;
    if (tap.type === 'ideal') {
      if (tap.stepDegree !== 0 && tap.stepPercent !== 0) throw new RangeError('both tap_step_degree and tap_step_percent set for an ideal phase shifter');
      shift +=
        tap.stepDegree !== 0
          ? direction * diff * tap.stepDegree
          : direction * 2 * (Math.asin((diff * tap.stepPercent) / 100 / 2) / DEG);
      continue;
    }
    const u1 = tap.side === 'hv' ? vnHv : vnLv;
    const du = (u1 * tap.stepPercent * diff) / 100;
    const a = tap.stepDegree * DEG;
    const re = u1 + du * Math.cos(a);
    const im = du * Math.sin(a);
    const u = Math.sqrt(re * re + im * im);
    if (tap.side === 'hv') vnHv = u;
    else vnLv = u;
    shift += Math.atan((direction * im) / re) / DEG;
  }
  return { vnHv, vnLv, shiftDeg: shift };
}

export function trafoToPi(t: TrafoNameplate, hvBusKv: number, lvBusKv: number, baseMva: number): TrafoPi {
  const { vnHv, vnLv, shiftDeg } = applyTaps(t);
  const tap = vnHv / vnLv / (hvBusKv / lvBusKv);

  // Series impedance on the LV bus base, the tap-adjusted LV voltage referred to it.
  const tapLv = (vnLv / lvBusKv) ** 2 * baseMva;
  const zSc = (t.vkPercent / 100 / t.snMva) * tapLv;
  const rSc = (t.vkrPercent / 100 / t.snMva) * tapLv;
  const r = rSc / t.parallel;
  const x = (Math.sign(zSc) * Math.sqrt(zSc * zSc - rSc * rSc)) / t.parallel;

  // Magnetising admittance: iron losses as conductance, the rest of i0 as inductive susceptance.
  const baseZ = (lvBusKv * lvBusKv) / baseMva;
  const pfeMw = t.pfeKw / 1000;
  const ymMva = (t.i0Percent / 100) * t.snMva;
  const bMva = -Math.sqrt(Math.max(ymMva * ymMva - pfeMw * pfeMw, 0));
  const scale = (baseZ * t.parallel) / (t.vnLvKv * t.vnLvKv) / (vnLv / t.vnLvKv) ** 2;
  const g = pfeMw * scale;
  const b = bMva * scale;

  if (g === 0 && b === 0) return { rPu: r, xPu: x, gFromPu: 0, bFromPu: 0, gToPu: 0, bToPu: 0, tap, shiftDeg };
  // Star (za on HV, zb on LV, zc magnetising to ground) to delta.
  const za: C = [r * t.leakageRatioHvR, x * t.leakageRatioHvX];
  const zb: C = [r * (1 - t.leakageRatioHvR), x * (1 - t.leakageRatioHvX)];
  const zc = div([1, 0], [g, b]);
  const zSum = add(add(mul(za, zb), mul(za, zc)), mul(zb, zc));
  const zab = div(zSum, zc);
  const yFrom = div([1, 0], div(zSum, zb));
  const yTo = div([1, 0], div(zSum, za));
  return { rPu: zab[0], xPu: zab[1], gFromPu: yFrom[0], bFromPu: yFrom[1], gToPu: yTo[0], bToPu: yTo[1], tap, shiftDeg };
}
