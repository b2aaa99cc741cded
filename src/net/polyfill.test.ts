import { describe, expect, it } from 'vitest';
import './polyfill.ts';

type Resolvers = { promise: Promise<number>; resolve: (v: number) => void; reject: (e: unknown) => void };
const withResolvers = (): Resolvers => (Promise as unknown as { withResolvers: () => Resolvers }).withResolvers();

describe('Promise.withResolvers polyfill', () => {
  it('returns a promise with its resolve and reject', async () => {
    const ok = withResolvers();
    ok.resolve(42);
    await expect(ok.promise).resolves.toBe(42);
    const bad = withResolvers();
    bad.reject(new Error('no'));
    await expect(bad.promise).rejects.toThrow('no');
  });
});
