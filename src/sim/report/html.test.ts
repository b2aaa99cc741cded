import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { buildReport } from './build.ts';
import { baselineCity, tradingCity } from './city.fixture.ts';
import { renderHtml } from './html.ts';
import { buildSeries } from './series.ts';

const META = { scenario: 'two <feeders> & "more"', seed: 'abc', days: 1, generatedBy: 'gridledger test' };

function render(): string {
  const trading = tradingCity();
  const baseline = baselineCity();
  for (const run of [trading, baseline]) {
    const m = run.microgrids[0]?.members.find((p) => p.memberId === 'a');
    if (m !== undefined) m.memberId = '<b>';
  }
  return renderHtml(buildReport(trading, baseline, META), buildSeries(trading, baseline));
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('renderHtml', () => {
  const html = render();

  it('draws one inline SVG per chart: 3 for the city, 4 per microgrid', () => {
    // city: net PCC import, production and consumption, baseline-vs-trading bars; a microgrid adds
    // the clearing price
    expect(count(html, '<svg ')).toBe(3 + 4 * 2);
    expect(count(html, '</svg>')).toBe(count(html, '<svg '));
    expect(count(html, '<figure class="chart">')).toBe(11);
  });

  it('is self-contained', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
  });

  it('escapes text from the run', () => {
    expect(html).toContain('<th scope="row">&#60;b&#62; <span class="flag">worse off</span></th>');
    expect(html).not.toContain('<b> <span');
    expect(html).toContain('two &#60;feeders&#62; &#38; &#34;more&#34;');
    expect(html).not.toContain('two <feeders>');
  });

  it('highlights the worse-off members', () => {
    expect(count(html, '<tr class="worse">')).toBe(2);
    expect(html).toContain('2</b> of 5 members pay more');
  });

  it('balances its structural tags', () => {
    for (const tag of ['section', 'table', 'tr', 'figure', 'svg', 'dl', 'header', 'footer']) {
      expect(count(html, `<${tag}>`) + count(html, `<${tag} `), tag).toBe(count(html, `</${tag}>`));
    }
  });

  it('refuses series of another city', () => {
    const trading = tradingCity();
    const baseline = baselineCity();
    const series = buildSeries(trading, baseline);
    series.microgrids.reverse();
    expect(() => renderHtml(buildReport(trading, baseline, META), series)).toThrow(GridLedgerError);
  });
});
