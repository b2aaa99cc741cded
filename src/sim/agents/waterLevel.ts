/**
 * Water-filling: the level T at which the parts of a curve above it add up to a given amount,
 * sum_j max(0, v_j − T) = amount. Used to put a limited energy where a curve is highest, which
 * flattens its top: each value above T gets v_j − T.
 */
export function waterLevel(values: readonly number[], amount: number): number {
  if (!(amount >= 0)) throw new RangeError(`water-filling needs a non-negative amount, got ${amount}`);
  const s = values.filter((v) => v > 0).sort((a, b) => b - a);
  let above = 0;
  for (let i = 0; i < s.length; i++) {
    const top = s[i] as number;
    const next = s[i + 1] ?? 0;
    // Lowering the level from `top` to `next` adds (i + 1) × (top − next) above it.
    const more = (i + 1) * (top - next);
    if (above + more >= amount) return top - (amount - above) / (i + 1);
    above += more;
  }
  return 0;
}
