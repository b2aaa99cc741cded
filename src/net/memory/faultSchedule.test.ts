import { describe, expect, it } from 'vitest';
import * as consensus from '../../consensus/index.ts';
import { sharedVerifier } from './cluster.ts';
import { randomFaultSchedule } from './faultSchedule.ts';
import { BENIGN_LINKS } from './network.ts';
import { createPrng } from './prng.ts';

describe('randomFaultSchedule', () => {
  it('is a function of the seed, and ends with benign links, healed partitions and every node up', () => {
    for (let seed = 0; seed < 50; seed++) {
      const s = randomFaultSchedule(createPrng(seed), 5, 20_000);
      expect(randomFaultSchedule(createPrng(seed), 5, 20_000)).toEqual(s);
      expect(s.healAtMs).toBe(20_000);
      for (const a of s.actions) expect(a.atMs >= 0 && a.atMs <= 20_000).toBe(true);
      const last = s.actions.filter((a) => a.atMs === 20_000);
      expect(last).toContainEqual({ atMs: 20_000, kind: 'links', links: BENIGN_LINKS });
      expect(last).toContainEqual({ atMs: 20_000, kind: 'heal' });
      for (let node = 0; node < 5; node++) expect(last).toContainEqual({ atMs: 20_000, kind: 'restart', node });
      for (const a of s.actions) {
        // each crash has its own restart within 8 s (or at the heal)
        const back = (b: (typeof s.actions)[number]): boolean =>
          b.kind === 'restart' && a.kind === 'crash' && b.node === a.node && b.atMs >= a.atMs && b.atMs <= Math.min(20_000, a.atMs + 8000);
        if (a.kind === 'crash') expect(s.actions.some(back)).toBe(true);
      }
    }
  });
});

describe('sharedVerifier', () => {
  it('answers like the real verifier, remembering only exact bytes that verified', () => {
    const key = consensus.ed25519FromSeed(new Uint8Array(32).fill(3));
    const msg = Buffer.from('hello');
    const sig = key.sign(msg);
    const v = sharedVerifier(consensus.createEd25519Verifier());
    expect(v.verify(key.publicKey, msg, sig)).toBe(true);
    expect(v.verify(key.publicKey, msg, sig)).toBe(true);
    expect(v.verify(key.publicKey, Buffer.from('hellO'), sig)).toBe(false);
    expect(v.verify(key.publicKey, msg, new Uint8Array(64))).toBe(false);
    const other = consensus.ed25519FromSeed(new Uint8Array(32).fill(4));
    expect(v.verify(other.publicKey, msg, sig)).toBe(false);
  });
});
