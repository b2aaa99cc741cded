/**
 * The unit complex number e^{j·deg} built with + − × ÷ and √ only, so that a transformer's phase
 * shift and the slack angle are bit-identical on every validator (DESIGN.md section 4: Math.sin
 * and Math.cos may differ between V8 releases).
 *
 * The angle is split into the nearest multiple of 30° (an exact table from √3/2 and 1/2) and a
 * remainder of at most ±15°, whose cos and sin come from fixed Taylor polynomials (|x| ≤ 0.262 rad:
 * the first omitted terms are below 1e-19). Multiples of 30° (Dyn5's 150°, Dyn11's 330°, ...)
 * have a zero remainder and come out as the exact table entry.
 */
export interface Rotor {
  re: number;
  im: number;
}

const HALF_SQRT3 = Math.sqrt(3) / 2;

/** cos and sin of k·30°, k = 0..11. */
const TABLE: readonly (readonly [number, number])[] = [
  [1, 0],
  [HALF_SQRT3, 0.5],
  [0.5, HALF_SQRT3],
  [0, 1],
  [-0.5, HALF_SQRT3],
  [-HALF_SQRT3, 0.5],
  [-1, 0],
  [-HALF_SQRT3, -0.5],
  [-0.5, -HALF_SQRT3],
  [0, -1],
  [0.5, -HALF_SQRT3],
  [HALF_SQRT3, -0.5],
];

const RAD_PER_DEG = Math.PI / 180;

export function rotorFromDeg(deg: number): Rotor {
  const k = Math.round(deg / 30);
  const rest = deg - k * 30;
  const sector = ((k % 12) + 12) % 12;
  const base = TABLE[sector] ?? [1, 0];
  if (rest === 0) return { re: base[0], im: base[1] };
  const x = rest * RAD_PER_DEG;
  const x2 = x * x;
  // Horner form of the Taylor series up to x^16 (cos) and x^17 (sin).
  const c =
    1 +
    x2 *
      (-1 / 2 +
        x2 *
          (1 / 24 +
            x2 *
              (-1 / 720 +
                x2 * (1 / 40320 + x2 * (-1 / 3628800 + x2 * (1 / 479001600 + x2 * (-1 / 87178291200 + x2 / 20922789888000)))))));
  const s =
    x *
    (1 +
      x2 *
        (-1 / 6 +
          x2 *
            (1 / 120 +
              x2 *
                (-1 / 5040 +
                  x2 * (1 / 362880 + x2 * (-1 / 39916800 + x2 * (1 / 6227020800 + x2 * (-1 / 1307674368000 + x2 / 355687428096000))))))));
  return { re: base[0] * c - base[1] * s, im: base[0] * s + base[1] * c };
}
