import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import { SeenSet } from './seenSet.ts';

describe('SeenSet', () => {
  it('says whether an id is new, once per id', () => {
    const s = new SeenSet(10);
    expect(s.add('a')).toBe(true);
    expect(s.add('a')).toBe(false);
    expect(s.add('b')).toBe(true);
    expect(s.has('a')).toBe(true);
    expect(s.has('c')).toBe(false);
    expect(s.size).toBe(2);
  });

  it('stays within its capacity by forgetting the oldest ids first', () => {
    const s = new SeenSet(3);
    for (const id of ['a', 'b', 'c', 'd']) s.add(id);
    expect(s.size).toBe(3);
    expect(s.has('a')).toBe(false);
    expect(['b', 'c', 'd'].every((id) => s.has(id))).toBe(true);
    // Forgotten, an id counts as new again.
    expect(s.add('a')).toBe(true);
    expect(s.has('b')).toBe(false);
  });

  it('refuses a capacity below one', () => {
    let code: string | undefined;
    try {
      new SeenSet(0);
    } catch (e) {
      code = isGridLedgerError(e) ? e.code : undefined;
    }
    expect(code).toBe('NET_BAD_OPTIONS');
  });
});
