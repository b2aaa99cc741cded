import { describe, expect, it } from 'vitest';
import { buildReport } from './build.ts';
import { baselineCity, tradingCity } from './city.fixture.ts';
import { renderSummaryTable } from './table.ts';

describe('renderSummaryTable', () => {
  const text = renderSummaryTable(buildReport(tradingCity(), baselineCity(), { scenario: 's', seed: 1, days: 1, generatedBy: 't' }));
  const lines = text.split('\n');

  it('has a baseline and a trading row for each microgrid and the city', () => {
    for (const name of ['north', 'south', 'city']) {
      const i = lines.findIndex((l) => l.startsWith(`${name} `));
      expect(i, name).toBeGreaterThan(0);
      expect(lines[i]).toContain('baseline');
      expect(lines[i + 1]).toMatch(/^\s+trading/);
    }
  });

  it('shows units and the figures in them', () => {
    expect(lines[1]).toMatch(/kWh.*%.*kW.*coin/);
    const northTrading = lines[lines.findIndex((l) => l.startsWith('north ')) + 1] ?? '';
    // consumption 4.5 kWh, production 2.8, self-sufficiency 2220/4500 = 49.3 %, peak 5.3 kW,
    // peak/avg of the import 1330/570 = 2.33, bills 0.60 coin, max loading 72.3 % (72.25
    // rounded half up by toFixed)
    expect(northTrading.trim().split(/\s+/)).toEqual(['trading', '4.5', '2.8', '1.0', '2.3', '0.5', '49.3', '5.3', '2.33', '0.60', '0.04', '72.3']);
    const southTrading = lines[lines.findIndex((l) => l.startsWith('south ')) + 1] ?? '';
    expect(southTrading.trim().split(/\s+/)[8]).toBe('2.35'); // a net exporter: 910 / 387.5 of its import
  });

  it('aligns its columns', () => {
    const table = lines.slice(0, lines.indexOf(''));
    const widths = new Set(table.map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('lists the chains and the members worse off', () => {
    expect(text).toMatch(/north\s+57\s+55\s+412\s+640\s+821/);
    expect(text).toContain('members worse off than the baseline: 2 of 5');
  });
});
