/**
 * The summary printed at the end of `sim run` and `npm start`: one aligned table, two rows (baseline,
 * trading) per microgrid and for the city, then the chains. Plain text with units in the header.
 */
import { coin, formatNumber, kw, kwh, loading, percent, ratio } from './format.ts';
import type { Figures, Report } from './schema.ts';

interface Column {
  head: string;
  unit: string;
  cell: (f: Figures) => string;
}

const COLUMNS: readonly Column[] = [
  { head: 'consumed', unit: 'kWh', cell: (f) => kwh(f.consumption_wh) },
  { head: 'produced', unit: 'kWh', cell: (f) => kwh(f.local_production_wh) },
  { head: 'traded', unit: 'kWh', cell: (f) => kwh(f.local_traded_wh) },
  { head: 'import', unit: 'kWh', cell: (f) => kwh(f.pcc_import_wh) },
  { head: 'export', unit: 'kWh', cell: (f) => kwh(f.pcc_export_wh) },
  { head: 'self-suff', unit: '%', cell: (f) => percent(f.self_sufficiency) },
  { head: 'peak imp', unit: 'kW', cell: (f) => kw(f.peak_import_w) },
  { head: 'peak/avg', unit: '', cell: (f) => ratio(f.peak_to_average) },
  { head: 'bills', unit: 'coin', cell: (f) => coin(f.bills_uc) },
  { head: 'minted', unit: 'coin', cell: (f) => coin(f.minted_uc) },
  { head: 'max load', unit: '%', cell: (f) => loading(f.max_line_loading_pct) },
];

export function renderSummaryTable(report: Report): string {
  const entries: Array<[string, Figures, Figures]> = [
    ...report.microgrids.map((m): [string, Figures, Figures] => [m.name, m, m.baseline]),
    ['city', report.city, report.baseline],
  ];
  const rows: string[][] = [
    ['', '', ...COLUMNS.map((c) => c.head)],
    ['', '', ...COLUMNS.map((c) => c.unit)],
  ];
  const firstBody = rows.length;
  for (const [name, trading, baseline] of entries) {
    rows.push([name, 'baseline', ...COLUMNS.map((c) => c.cell(baseline))]);
    rows.push(['', 'trading', ...COLUMNS.map((c) => c.cell(trading))]);
  }
  const lines = align(rows, 2);
  const rule = '-'.repeat(lines[0]?.length ?? 0);
  lines.splice(firstBody, 0, rule);

  const chains = align(
    [
      ['chain', 'height', 'blocks', 'txs', 'finality p50 ms', 'finality mean ms'],
      ...report.microgrids.map((m) => [
        m.name,
        String(m.height),
        String(m.blocks),
        String(m.transactions),
        m.finality_p50_ms === null ? 'n/a' : formatNumber(m.finality_p50_ms, 0),
        m.finality_mean_ms === null ? 'n/a' : formatNumber(m.finality_mean_ms, 0),
      ]),
    ],
    1,
  );
  const worse = `members worse off than the baseline: ${report.members_worse_off} of ${report.members}`;
  return [...lines, '', ...chains, '', worse].join('\n') + '\n';
}

/** Left-aligned text columns (the first `textColumns`), right-aligned numbers, two spaces apart. */
function align(rows: readonly string[][], textColumns: number): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i < textColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
