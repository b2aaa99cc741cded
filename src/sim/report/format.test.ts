import { describe, expect, it } from 'vitest';
import { escapeHtml, formatNumber, signed } from './format.ts';

describe('format', () => {
  it('groups thousands without the locale', () => {
    expect(formatNumber(1234567.891, 2)).toBe('1,234,567.89');
    expect(formatNumber(-1234.5, 1)).toBe('-1,234.5');
    expect(formatNumber(-0.001, 2)).toBe('0.00');
    expect(formatNumber(999, 0)).toBe('999');
  });

  it('signs changes and keeps tiny ones visible', () => {
    expect(signed(1.25, 1)).toBe('+1.3');
    expect(signed(-3, 2)).toBe('-3.00');
    expect(signed(0, 2)).toBe('0.00');
    expect(signed(0.000001, 2)).toBe('+<0.01');
    expect(signed(-0.004, 2)).toBe('-<0.01');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
