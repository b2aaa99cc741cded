/** Numerical helpers for the profile models (floating point is fine here: sim is not consensus). */

/** Standard normal CDF via the complementary error function (Numerical Recipes' erfcc, |rel err| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Gamma function (Lanczos approximation, g = 7), for x > 0. */
export function gammaFn(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaFn(1 - x));
  const y = x - 1;
  let a = LANCZOS[0] ?? 0;
  const t = y + 7.5;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (y + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, y + 0.5) * Math.exp(-t) * a;
}

/**
 * A stationary AR(1) series with unit variance: x[0] ~ N(0,1), x[k] = rho x[k-1] + sqrt(1-rho^2) e[k].
 * Drawn from `rng.normal`, so it is fixed by the stream.
 */
export function ar1Series(count: number, rho: number, normal: () => number): Float64Array {
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`AR(1) coefficient must be in [0, 1), got ${rho}`);
  const x = new Float64Array(count);
  const innovation = Math.sqrt(1 - rho * rho);
  let prev = normal();
  for (let k = 0; k < count; k++) {
    if (k > 0) prev = rho * prev + innovation * normal();
    x[k] = prev;
  }
  return x;
}

/** An AR(1) coefficient given per `baseMinutes`, rescaled to a step of `stepMinutes` (rho^(step/base)). */
export function rescaleAutocorrelation(rho: number, baseMinutes: number, stepMinutes: number): number {
  return Math.pow(rho, stepMinutes / baseMinutes);
}

/**
 * The conditional mean of exp(sigma x_t - sigma^2/2) given x_{t-lag} for a unit-variance AR(1)
 * with coefficient rho: the unbiased forecast of a mean-one lognormal factor made `lag` steps ahead.
 */
export function lognormalForecastFactor(xPast: number, sigma: number, rho: number, lag: number): number {
  const r = Math.pow(rho, lag);
  return Math.exp(sigma * r * xPast - (sigma * sigma * r * r) / 2);
}
