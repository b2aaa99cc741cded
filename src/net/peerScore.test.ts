import { describe, expect, it } from 'vitest';
import { createScoreBook, PENALTY_POINTS } from './peerScore.ts';

function book(banScore = -100) {
  const clock = { t: 1_000_000 };
  const b = createScoreBook({ banScore, banMs: 60_000, scoreHalfLifeMs: 10_000, now: () => clock.t });
  return { b, clock };
}

describe('peer scores', () => {
  it('subtracts each reason’s points and bans at the ban score', () => {
    const { b } = book();
    expect(b.score('p')).toBe(0);
    expect(b.penalize('p', 'invalid-signature')).toBe(false);
    expect(b.score('p')).toBe(-PENALTY_POINTS['invalid-signature']);
    expect(b.isBanned('p')).toBe(false);
    expect(b.penalize('p', 'invalid-signature')).toBe(true);
    expect(b.isBanned('p')).toBe(true);
    expect(b.penalize('p', 'unwanted')).toBe(false); // already banned: not banned again
    expect(b.isBanned('other')).toBe(false);
  });

  it('halves a score every half-life, so rare mistakes never add up to a ban', () => {
    const { b, clock } = book();
    b.penalize('p', 'invalid-message');
    clock.t += 10_000;
    expect(b.score('p')).toBeCloseTo(-PENALTY_POINTS['invalid-message'] / 2, 9);
    for (let i = 0; i < 100; i++) {
      clock.t += 20_000;
      b.penalize('p', 'invalid-message');
    }
    expect(b.isBanned('p')).toBe(false);
    clock.t += 1_000_000;
    expect(b.score('p')).toBe(0);
  });

  it('ends a ban after banMs and starts the peer again from 0', () => {
    const { b, clock } = book();
    b.penalize('p', 'malformed-frame');
    expect(b.banRemainingMs('p')).toBe(60_000);
    clock.t += 59_999;
    expect(b.isBanned('p')).toBe(true);
    expect(b.banRemainingMs('p')).toBe(1);
    clock.t += 1;
    expect(b.isBanned('p')).toBe(false);
    expect(b.banRemainingMs('p')).toBe(0);
    expect(b.score('p')).toBe(0);
  });
});
