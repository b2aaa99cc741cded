/**
 * Just enough Edwards25519 arithmetic (BigInt, exact, deterministic) to judge a public key before
 * it is registered on chain: is it a canonical encoding of a point on the curve, and is that
 * point of small order? Signature verification itself is Node's (keys.ts).
 */
export const P = 2n ** 255n - 19n;
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function mod(a: bigint): bigint {
  const r = a % P;
  return r >= 0n ? r : r + P;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function inv(a: bigint): bigint {
  return pow(a, P - 2n);
}

export interface Point {
  x: bigint;
  y: bigint;
}

/** The y coordinate of an encoding (little-endian, sign bit of x cleared), possibly >= P. */
export function encodedY(bytes: Uint8Array): bigint {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? (bytes[i] ?? 0) & 0x7f : (bytes[i] ?? 0));
  return y;
}

/** RFC 8032 section 5.1.3 decoding, strict: y must be < P; null if not a point. */
export function decodePoint(bytes: Uint8Array): Point | null {
  if (bytes.length !== 32) return null;
  const y = encodedY(bytes);
  if (y >= P) return null;
  const sign = ((bytes[31] ?? 0) >> 7) & 1;
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return null;
  if (x === 0n && sign === 1) return null;
  if (Number(x & 1n) !== sign) x = mod(-x);
  return { x, y };
}

/** Affine twisted Edwards addition (a = -1), complete on this curve. */
export function addPoints(a: Point, b: Point): Point {
  const t = mod(D * a.x * b.x * a.y * b.y);
  return {
    x: mod((a.x * b.y + a.y * b.x) * inv(1n + t)),
    y: mod((a.y * b.y + a.x * b.x) * inv(1n - t)),
  };
}

export function isIdentity(p: Point): boolean {
  return p.x === 0n && p.y === 1n;
}

/** [8]P is the identity: the point lies in the small (torsion) subgroup. */
export function isSmallOrder(p: Point): boolean {
  let q = p;
  for (let i = 0; i < 3; i++) q = addPoints(q, q);
  return isIdentity(q);
}
