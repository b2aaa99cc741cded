/**
 * `report.html`: one self-contained file (inline CSS and SVG, no script, no external font or
 * stylesheet) that reads on screen and prints. Every piece of text from the run (scenario,
 * microgrid and member names) goes through escapeHtml.
 */
import { GridLedgerError } from '../../errors.ts';
import { FIGURE_ROWS, coin, escapeHtml as e, formatNumber, kw, kwh, loading, percent, ratio, signed } from './format.ts';
import type { Figures, MicrogridReport, Report } from './schema.ts';
import type { Curves, ReportSeries } from './series.ts';
import { comparisonChart, lineChart, type LineSeries } from './svg.ts';

const COLORS = { trading: '#1f6fb5', baseline: '#8a8a8a', consumption: '#c0392b', pv: '#e09a00', wind: '#2a9d8f', traded: '#7b4fa0', price: '#444' };

export function renderHtml(report: Report, series: ReportSeries): string {
  const names = report.microgrids.map((m) => m.name);
  if (series.microgrids.length !== names.length || series.microgrids.some((s, i) => s.name !== names[i])) {
    throw new GridLedgerError('REPORT_SERIES_MISMATCH', 'the series do not belong to this report (microgrids differ)');
  }
  const ctx = { intervalMs: series.intervalMs, utcOffsetMinutes: report.meta.utc_offset_minutes };
  const body = [
    header(report),
    summary(report),
    `<section><h2>City</h2>${chartsFor('City', report.city, report.baseline, series.city, ctx, false)}${overview(report)}</section>`,
    ...report.microgrids.map((m, i) => microgridSection(m, series.microgrids[i] ?? series.city, ctx)),
    footer(report),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GridLedger report: ${e(report.meta.scenario)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

interface ChartContext {
  intervalMs: number;
  utcOffsetMinutes: number;
}

function header(r: Report): string {
  const m = r.meta;
  const start = m.start_ms === null ? 'n/a' : `${new Date(m.start_ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<header>
<h1>City report: ${e(m.scenario)}</h1>
<p class="meta">Seed <b>${e(String(m.seed))}</b> · ${m.days} day${m.days === 1 ? '' : 's'} from ${e(start)} · ${m.intervals} intervals of ${e(formatNumber(m.interval_minutes, 0))} min ·
${r.microgrids.length} microgrid${r.microgrids.length === 1 ? '' : 's'}, ${r.members} members · ${e(m.generated_by)}</p>
${m.partial === true ? '<p class="verdict bad">Partial run: stopped early; the figures cover the intervals completed until then.</p>' : ''}${m.mode === 'offchain' ? '<p class="verdict bad">Off-chain run: trades cleared by the market code without the chains.</p>' : ''}
</header>`;
}

function summary(r: Report): string {
  const worse = r.members_worse_off;
  const verdict =
    worse === 0
      ? `<p class="verdict good">No member pays more than without local trading (all ${r.members}).</p>`
      : `<p class="verdict bad"><b>${worse}</b> of ${r.members} members pay more than without local trading (marked in the member tables).</p>`;
  return `<section><h2>Summary: with trading vs the no-trading baseline</h2>${verdict}${figuresTable(r.city, r.baseline)}</section>`;
}

function figuresTable(trading: Figures, baseline: Figures): string {
  const rows = FIGURE_ROWS.map(
    (row) =>
      `<tr><th scope="row">${e(row.label)}</th><td class="unit">${e(row.unit)}</td><td class="num">${e(row.show(baseline))}</td>` +
      `<td class="num"><b>${e(row.show(trading))}</b></td><td class="num change">${e(row.change(trading, baseline))}</td></tr>`,
  ).join('');
  return `<table class="figures"><thead><tr><th>Figure</th><th>Unit</th><th class="num">Baseline</th><th class="num">Trading</th><th class="num">Change</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chartsFor(name: string, trading: Figures, baseline: Figures, c: Curves, ctx: ChartContext, withPrice: boolean): string {
  const base = { startMs: c.startMs, intervalMs: ctx.intervalMs, utcOffsetMinutes: ctx.utcOffsetMinutes };
  const toKw = (xs: readonly number[]): number[] => xs.map((v) => v / 1000);
  const load = lineChart({
    ...base,
    title: `${name}: net PCC import (import − export)`,
    unit: 'kW',
    series: [
      { label: 'Baseline (no trading)', values: toKw(c.baselineNetImportW), color: COLORS.baseline, dashed: true },
      { label: 'Trading', values: toKw(c.netImportW), color: COLORS.trading },
    ],
  });
  const flows: LineSeries[] = [
    { label: 'Consumption', values: toKw(c.consumptionW), color: COLORS.consumption },
    { label: 'PV', values: toKw(c.pvW), color: COLORS.pv },
    { label: 'Wind', values: toKw(c.windW), color: COLORS.wind },
    { label: 'Traded between members', values: toKw(c.localTradedW), color: COLORS.traded, dashed: true },
  ].filter((s) => s.label === 'Consumption' || s.values.some((v) => v !== 0));
  const production = lineChart({ ...base, title: `${name}: production and consumption (trading run)`, unit: 'kW', series: flows });
  const kpis = comparisonChart(`${name}: baseline vs trading`, [
    { title: 'Self-sufficiency (%)', baseline: baseline.self_sufficiency, trading: trading.self_sufficiency, format: (v) => `${percent(v)} %` },
    { title: 'Peak-to-average of PCC import', baseline: baseline.peak_to_average, trading: trading.peak_to_average, format: (v) => ratio(v) },
  ]);
  const charts = [load, production, kpis];
  if (withPrice) {
    charts.push(
      lineChart({
        ...base,
        title: `${name}: clearing price (gaps: nothing cleared)`,
        unit: 'coin/kWh',
        series: [{ label: 'Clearing price', values: c.priceUcPerKwh.map((p) => (p === null ? null : p / 1_000_000)), color: COLORS.price }],
      }),
    );
  }
  return charts.map((svg) => `<figure class="chart">${svg}</figure>`).join('\n');
}

function overview(r: Report): string {
  const rows = r.microgrids
    .map(
      (m) =>
        `<tr><th scope="row">${e(m.name)}</th><td class="num">${m.members.length}</td>` +
        `<td class="num">${e(percent(m.baseline.self_sufficiency))} → <b>${e(percent(m.self_sufficiency))}</b></td>` +
        `<td class="num">${e(ratio(m.baseline.peak_to_average))} → <b>${e(ratio(m.peak_to_average))}</b></td>` +
        `<td class="num">${e(kw(m.baseline.peak_import_w))} → <b>${e(kw(m.peak_import_w))}</b></td>` +
        `<td class="num">${e(kwh(m.local_traded_wh))}</td><td class="num">${e(kwh(m.curtailed_wh))}</td>` +
        `<td class="num">${e(loading(m.max_line_loading_pct))}</td>` +
        `<td class="num${m.members_worse_off > 0 ? ' bad' : ''}">${m.members_worse_off}</td></tr>`,
    )
    .join('');
  return `<h3>Microgrids (baseline → trading)</h3><table class="overview"><thead><tr><th>Microgrid</th><th class="num">Members</th>
<th class="num">Self-suff. %</th><th class="num">Peak/avg</th><th class="num">Peak import kW</th><th class="num">Traded kWh</th>
<th class="num">Curtailed kWh</th><th class="num">Max load %</th><th class="num">Worse off</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function microgridSection(m: MicrogridReport, c: Curves, ctx: ChartContext): string {
  const finality = (ms: number | null): string => (ms === null ? 'n/a' : `${formatNumber(ms, 0)} ms`);
  const chain = `<dl class="chain">
<div><dt>Height</dt><dd>${m.height}</dd></div><div><dt>Blocks</dt><dd>${m.blocks}</dd></div>
<div><dt>Transactions</dt><dd>${m.transactions}</dd></div><div><dt>Finality mean</dt><dd>${e(finality(m.finality_mean_ms))}</dd></div>
<div><dt>Finality p50</dt><dd>${e(finality(m.finality_p50_ms))}</dd></div><div><dt>Minted</dt><dd>${e(coin(m.minted_uc))} coin</dd></div>
<div><dt>Treasury</dt><dd>${e(coin(m.treasury_uc))} coin</dd></div></dl>`;
  return `<section class="microgrid"><h2>Microgrid ${e(m.name)}</h2>
<h3>Chain</h3>${chain}
<h3>Figures</h3>${figuresTable(m, m.baseline)}
${chartsFor(m.name, m, m.baseline, c, ctx, true)}
<h3>Members’ bills</h3>${membersTable(m)}
</section>`;
}

function membersTable(m: MicrogridReport): string {
  const rows = m.members
    .map(
      (p) =>
        `<tr${p.worse_off ? ' class="worse"' : ''}><th scope="row">${e(p.id)}${p.worse_off ? ' <span class="flag">worse off</span>' : ''}</th>` +
        `<td class="num">${p.bus}</td><td class="num">${e(coin(p.baseline_bill_uc))}</td><td class="num">${e(coin(p.bill_uc))}</td>` +
        `<td class="num change">${e(signed((p.bill_uc - p.baseline_bill_uc) / 1_000_000, 2))}</td>` +
        `<td class="num">${e(kwh(p.sold_wh))}</td><td class="num">${e(kwh(p.bought_wh))}</td><td class="num">${e(coin(p.minted_uc))}</td></tr>`,
    )
    .join('');
  return `<p class="note">Bill = paid − earned over the run, in coin (negative: the member earned more than it paid).
Sold and bought: energy traded with other members.</p>
<table class="members"><thead><tr><th>Member</th><th class="num">Bus</th><th class="num">Baseline bill</th><th class="num">Trading bill</th>
<th class="num">Change</th><th class="num">Sold kWh</th><th class="num">Bought kWh</th><th class="num">Minted coin</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function footer(r: Report): string {
  const run =
    r.run === undefined
      ? ''
      : `<p>This run: ${e(formatNumber(r.run.wall_ms / 1000, 1))} s wall time${
          r.run.intervals_per_s === null ? '' : `, ${e(formatNumber(r.run.intervals_per_s, 1))} intervals per second`
        }.</p>`;
  return `<footer>
<h2>How to read this</h2>
<ul>
<li><b>Baseline</b>: the same scenario (same households, weather and seed) with no local trading: every shortfall bought from and every surplus sold to the main grid.</li>
<li><b>Self-sufficiency</b> = 1 − PCC import ÷ consumption. <b>Self-consumption</b> = 1 − PCC export ÷ local production.</li>
<li><b>Peak-to-average</b>: the highest interval of net PCC import (import − export) over its mean over the whole run; n/a when the microgrid exports more than it imports. Lower means a smoother load on the main grid.</li>
<li>Energy closes exactly in every interval: production + PCC import = consumption + PCC export + losses + storage losses + storage change.</li>
<li>Times on chart axes are local (UTC${r.meta.utc_offset_minutes >= 0 ? '+' : '−'}${e(offsetLabel(r.meta.utc_offset_minutes))}); each point is the mean power over one interval.</li>
</ul>
${run}
</footer>`;
}

function offsetLabel(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1b1b;
  background: #fff; max-width: 800px; margin: 24px auto; padding: 0 16px; font-size: 14px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1f6fb5; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; margin: 0; }
.verdict { padding: 8px 12px; border-radius: 4px; margin: 8px 0 12px; }
.verdict.good { background: #e6f4ea; border-left: 4px solid #2e7d32; }
.verdict.bad { background: #fde8e7; border-left: 4px solid #c62828; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #bbb; font-weight: 600; background: #f6f7f9; }
tbody th { font-weight: normal; }
.num { text-align: right; }
td.num, tbody th { white-space: nowrap; }
table.overview, table.members { font-size: 13px; }
table.overview th, table.overview td, table.members th, table.members td { padding: 3px 5px; }
.unit { color: #666; }
.change { color: #444; }
td.bad { color: #c62828; font-weight: 600; }
tr.worse td, tr.worse th { background: #fde8e7; }
.flag { display: inline-block; font-size: 11px; color: #fff; background: #c62828; border-radius: 3px; padding: 0 4px; margin-left: 4px; }
.note { color: #555; font-size: 13px; margin: 4px 0; }
figure.chart { margin: 10px 0 14px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: inherit; fill: #333; }
svg .tick { font-size: 11px; }
svg .value { font-size: 12px; font-weight: 600; }
svg .title { font-size: 13px; font-weight: 600; }
svg .subtitle { font-size: 12px; font-weight: 600; }
dl.chain { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 4px 0 8px; }
dl.chain div { min-width: 90px; }
dl.chain dt { color: #666; font-size: 12px; }
dl.chain dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
footer { margin-top: 28px; color: #333; font-size: 13px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  section.microgrid { break-before: page; }
  figure.chart, table.figures, dl.chain { break-inside: avoid; }
  tr { break-inside: avoid; }
  .verdict, tr.worse td, tr.worse th, thead th, .flag { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
