/**
 * A seeded pseudo-random generator for simulations: xoshiro128** (Blackman and Vigna), its
 * state filled by splitmix32 from one 32-bit seed. Same seed, same sequence, on every machine.
 */
export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An independent generator derived from this one (for a sub-system, so draws don't interleave). */
  fork(): Prng;
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** from an explicit state (not all zero). */
export function xoshiro128ss(s0: number, s1: number, s2: number, s3: number): Prng {
  let a = s0 | 0;
  let b = s1 | 0;
  let c = s2 | 0;
  let d = s3 | 0;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const prng: Prng = {
    nextU32,
    float: () => nextU32() / 2 ** 32,
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor((nextU32() / 2 ** 32) * n);
    },
    between: (min, max) => min + prng.int(max - min + 1),
    chance: (p) => nextU32() / 2 ** 32 < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[prng.int(items.length)] as (typeof items)[number];
    },
    fork: () => createPrng(nextU32()),
  };
  return prng;
}

export function createPrng(seed: number): Prng {
  const sm = splitmix32(seed);
  return xoshiro128ss(sm(), sm(), sm(), sm());
}
