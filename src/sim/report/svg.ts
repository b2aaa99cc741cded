/**
 * Inline SVG charts for the HTML report, generated here so that the file needs no script, font
 * or stylesheet from anywhere else. Colours and line widths are set as attributes, so the charts
 * print as they show.
 */
import { escapeHtml, formatNumber } from './format.ts';

export interface LineSeries {
  label: string;
  /** One value per interval in the chart's unit; null leaves a gap. */
  values: ReadonlyArray<number | null>;
  color: string;
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  unit: string;
  startMs: readonly number[];
  intervalMs: number;
  /** Axis labels in local time: minutes east of UTC. */
  utcOffsetMinutes: number;
  series: readonly LineSeries[];
}

const WIDTH = 760;
const HEIGHT = 250;
const M = { left: 62, right: 24, top: 40, bottom: 30 };

const MAX_POINTS = 1000;

const px = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Lines at interval midpoints over a time axis, with a zero line when values change sign. */
export function lineChart(spec: LineChartSpec): string {
  const { startMs, intervalMs } = spec;
  const n = startMs.length;
  const t0 = startMs[0] ?? 0;
  const t1 = (startMs[n - 1] ?? 0) + intervalMs;
  const { bucket, label: meanLabel } = bucketFor(n, intervalMs);
  // Points to draw: [time at the middle of the span, value or null for a gap].
  const points = spec.series.map((s) => {
    const out: Array<[number, number | null]> = [];
    for (let k = 0; k < n; k += bucket) {
      out.push([(startMs[k] ?? 0) + (Math.min(bucket, n - k) * intervalMs) / 2, meanOf(s.values.slice(k, k + bucket))]);
    }
    return out;
  });
  let vMin = 0;
  let vMax = 0;
  for (const [, v] of points.flat()) {
    if (v !== null && v < vMin) vMin = v;
    if (v !== null && v > vMax) vMax = v;
  }
  const [lo, hi, ticks] = niceScale(vMin, vMax);
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = (ms: number): number => M.left + ((ms - t0) / Math.max(1, t1 - t0)) * plotW;
  const y = (v: number): number => M.top + (1 - (v - lo) / (hi - lo)) * plotH;

  const parts: string[] = [];
  for (const v of ticks) {
    parts.push(`<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="${v === 0 ? '#555' : '#e3e3e3'}" stroke-width="1"/>`);
    parts.push(`<text x="${M.left - 6}" y="${px(y(v) + 4)}" text-anchor="end" class="tick">${escapeHtml(formatNumber(v, decimalsFor(ticks)))}</text>`);
  }
  for (const t of timeTicks(t0, t1, spec.utcOffsetMinutes)) {
    parts.push(`<line x1="${px(x(t.ms))}" x2="${px(x(t.ms))}" y1="${M.top}" y2="${HEIGHT - M.bottom}" stroke="#eee" stroke-width="1"/>`);
    parts.push(`<text x="${px(x(t.ms))}" y="${HEIGHT - M.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(t.label)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999" stroke-width="1"/>`);
  spec.series.forEach((s, i) => {
    let d = '';
    let pen = false;
    for (const [ms, v] of points[i] ?? []) {
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x(ms))} ${px(y(v))}`;
      pen = true;
    }
    if (d !== '') {
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round"${s.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
  });
  parts.push(legend(spec.series, M.left, 30));
  parts.push(`<text x="${M.left}" y="14" class="title">${escapeHtml(spec.title)}</text>`);
  const unit = bucket > 1 ? `${spec.unit}, means per ${meanLabel}` : spec.unit;
  parts.push(`<text x="${WIDTH - M.right}" y="14" text-anchor="end" class="tick">${escapeHtml(unit)}</text>`);
  return svg(spec.title, WIDTH, HEIGHT, parts);
}

export interface BarPanel {
  title: string;
  baseline: number | null;
  trading: number | null;
  /** Shown beside each bar; "n/a" for null. */
  format: (v: number) => string;
}

/** Panels side by side, each comparing the baseline's value with the trading run's. */
export function comparisonChart(title: string, panels: readonly BarPanel[]): string {
  const panelW = (WIDTH - 20) / Math.max(1, panels.length);
  const parts: string[] = [`<text x="10" y="14" class="title">${escapeHtml(title)}</text>`];
  const height = 118;
  panels.forEach((p, i) => {
    const x0 = 10 + i * panelW;
    const labelW = 70;
    const valueW = 64;
    const barMax = panelW - labelW - valueW - 16;
    const top = Math.max(0, p.baseline ?? 0, p.trading ?? 0);
    parts.push(`<text x="${px(x0)}" y="40" class="subtitle">${escapeHtml(p.title)}</text>`);
    const rows: Array<[string, number | null, string]> = [
      ['Baseline', p.baseline, '#9a9a9a'],
      ['Trading', p.trading, '#1f6fb5'],
    ];
    rows.forEach(([label, v, color], r) => {
      const yRow = 52 + r * 28;
      const w = v === null || top === 0 ? 0 : (Math.max(0, v) / top) * barMax;
      parts.push(`<text x="${px(x0)}" y="${yRow + 14}" class="tick">${label}</text>`);
      parts.push(`<rect x="${px(x0 + labelW)}" y="${yRow}" width="${px(w)}" height="20" fill="${color}"/>`);
      parts.push(`<text x="${px(x0 + labelW + w + 6)}" y="${yRow + 14}" class="value">${escapeHtml(v === null ? 'n/a' : p.format(v))}</text>`);
    });
  });
  return svg(title, WIDTH, height, parts);
}

/**
 * More points than the plot has pixels only bloat the file (a year is 35,000 intervals): beyond
 * MAX_POINTS, each point is the mean over a span that divides a day or is whole days, so that
 * the daily cycle does not alias into the curve.
 */
function bucketFor(n: number, intervalMs: number): { bucket: number; label: string } {
  const hour = 3_600_000;
  const spans: Array<[number, string]> = [
    [hour, '1 h'],
    [3 * hour, '3 h'],
    [6 * hour, '6 h'],
    [24 * hour, 'day'],
    [7 * 24 * hour, 'week'],
  ];
  if (n <= MAX_POINTS) return { bucket: 1, label: '' };
  for (const [ms, label] of spans) {
    if (ms % intervalMs === 0 && (n * intervalMs) / ms <= MAX_POINTS) return { bucket: ms / intervalMs, label };
  }
  const bucket = Math.ceil(n / MAX_POINTS);
  return { bucket, label: `${bucket} intervals` };
}

function meanOf(values: ReadonlyArray<number | null>): number | null {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (v !== null) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

function svg(title: string, width: number, height: number, parts: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

function legend(series: readonly LineSeries[], x0: number, yBase: number): string {
  let x = x0;
  const out: string[] = [];
  for (const s of series) {
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${yBase - 4}" y2="${yBase - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${yBase}" class="tick">${escapeHtml(s.label)}</text>`);
    x += 40 + s.label.length * 6.6;
  }
  return out.join('');
}

/** A range widened to round numbers, with 4-6 round ticks in it. */
export function niceScale(min: number, max: number): [number, number, number[]] {
  if (min === max) {
    min = min === 0 ? 0 : Math.min(0, min);
    max = max === 0 ? 1 : Math.max(0, max);
  }
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  // Ticks as whole multiples of the step, trimmed of binary noise (3 × 0.2 = 0.6000000000000001).
  const tidy = (v: number): number => Number(v.toPrecision(12));
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(tidy(k * step));
  return [tidy(first * step), tidy(last * step), ticks];
}

function decimalsFor(ticks: readonly number[]): number {
  const step = Math.abs((ticks[1] ?? 1) - (ticks[0] ?? 0));
  return step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
}

/** Ticks on whole local hours or days, at most about 9 of them. */
function timeTicks(t0: number, t1: number, offsetMin: number): Array<{ ms: number; label: string }> {
  const hour = 3_600_000;
  const span = t1 - t0;
  const stepH = [1, 2, 3, 4, 6, 12, 24, 48, 72, 168, 336, 720].find((h) => span / (h * hour) <= 9) ?? 720;
  const offset = offsetMin * 60_000;
  const step = stepH * hour;
  const first = Math.ceil((t0 + offset) / step) * step - offset;
  const out: Array<{ ms: number; label: string }> = [];
  for (let ms = first; ms <= t1; ms += step) {
    const local = new Date(ms + offset).toISOString();
    const time = local.slice(11, 16);
    // Over more than a day, midnights carry the date (month-day) so that days can be told apart.
    out.push({ ms, label: span > 24 * hour && time === '00:00' ? local.slice(5, 10) : time });
  }
  return out;
}
