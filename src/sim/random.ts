/**
 * Seeded pseudo-random numbers for the simulation: xoshiro128** (Blackman and Vigna), seeded
 * through a splitmix-style expansion. Everything the simulator draws comes from one of these, so a scenario's
 * seed fixes every series. Not for consensus code and not for keys.
 *
 * `fork(label)` derives an independent stream from the generator's seed and a label, not from its
 * current position: a household's series does not change when another household draws more.
 */

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  intBelow(n: number): number;
  /** Normal draw (Box-Muller). */
  normal(mean?: number, sd?: number): number;
  /** Weibull draw with shape k and scale c (inverse transform). */
  weibull(shape: number, scale: number): number;
  /** An independent stream named by `label`; the same seed and label always give the same stream. */
  fork(label: string | number): Rng;
}

const TWO_POW_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed. */
function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

function seedWord(seed: number | string): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer or a string, got ${seed}`);
  // Fold the high bits in so seeds above 2^32 still differ.
  return fmix32((seed >>> 0) ^ fmix32(Math.floor(seed / TWO_POW_32) >>> 0));
}

/** Expands one word into the four words of xoshiro's state (a Weyl sequence through a 32-bit mixer, splitmix-style; never all zero). */
function expand(word: number): [number, number, number, number] {
  let x = word >>> 0;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    out.push((z ^ (z >>> 15)) >>> 0);
  }
  const [a = 0, b = 0, c = 0, d = 0] = out;
  return a === 0 && b === 0 && c === 0 && d === 0 ? [1, 0, 0, 0] : [a, b, c, d];
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** The raw xoshiro128** generator over a 4-word state (exported for its reference test vector). */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state.map((w) => w >>> 0) as [number, number, number, number];
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
}

function fromWord(word: number): Rng {
  const uint32 = xoshiro128StarStar(expand(word));
  const next = (): number => uint32() / TWO_POW_32;
  return {
    next,
    uint32,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    intBelow: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`intBelow needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal: (mean = 0, sd = 1) => {
      const u1 = 1 - next(); // (0, 1]: log stays finite
      const u2 = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    weibull: (shape, scale) => scale * Math.pow(-Math.log(1 - next()), 1 / shape),
    fork: (label) => fromWord(hashString(String(label), fmix32(word ^ 0x5bd1e995))),
  };
}

/** A generator for a scenario seed (a safe integer or any string). */
export function createRng(seed: number | string): Rng {
  return fromWord(seedWord(seed));
}
