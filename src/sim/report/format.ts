/**
 * Number formatting and the list of figures shown to people, shared by the HTML report and the
 * terminal table. Plain string arithmetic (no toLocaleString) so output does not depend on the
 * machine's locale.
 */
import type { Figures } from './schema.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fixed decimals with thousands separated by commas: 12345.678 -> "12,345.68". */
export function formatNumber(value: number, decimals: number): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '', frac] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return sign + grouped + (frac === undefined ? '' : `.${frac}`);
}

export const kwh = (wh: number): string => formatNumber(wh / 1000, 1);
export const kw = (w: number): string => formatNumber(w / 1000, 1);
export const coin = (uc: number): string => formatNumber(uc / 1_000_000, 2);
export const percent = (ratio: number | null): string => (ratio === null ? 'n/a' : formatNumber(ratio * 100, 1));
export const ratio = (r: number | null): string => (r === null ? 'n/a' : formatNumber(r, 2));
export const loading = (pct: number | null): string => (pct === null ? 'n/a' : formatNumber(pct, 1));

/** A signed change; a non-zero change that rounds to zero shows as "+<0.01", not "0.00". */
export function signed(delta: number, decimals: number): string {
  const step = 10 ** -decimals;
  if (delta !== 0 && Math.abs(delta) < step / 2) return `${delta > 0 ? '+' : '-'}<${step.toFixed(decimals)}`;
  const text = formatNumber(delta, decimals);
  return delta > 0 && !/^0\.?0*$/.test(text) ? `+${text}` : text;
}

export interface FigureRow {
  key: keyof Figures;
  label: string;
  unit: string;
  /** The figure in its display unit, or a string for "n/a". */
  show: (f: Figures) => string;
  /** The change from baseline to trading, in the display unit ("pp" for shares, "%" where relative). */
  change: (trading: Figures, baseline: Figures) => string;
}

const energyRow = (key: keyof Figures & `${string}_wh`, label: string): FigureRow => ({
  key,
  label,
  unit: 'kWh',
  show: (f) => kwh(f[key]),
  change: (t, b) => signed((t[key] - b[key]) / 1000, 1),
});

const shareRow = (key: 'self_sufficiency' | 'self_consumption', label: string): FigureRow => ({
  key,
  label,
  unit: '%',
  show: (f) => percent(f[key]),
  change: (t, b) => {
    const a = t[key];
    const c = b[key];
    return a === null || c === null ? 'n/a' : `${signed((a - c) * 100, 1)} pp`;
  },
});

/** Relative change in %, for peaks, where the aim is stated relative to the baseline. */
function relative(t: number | null, b: number | null): string {
  if (t === null || b === null || b === 0) return 'n/a';
  return `${signed(((t - b) / b) * 100, 1)} %`;
}

/** Every figure of a Figures object, in the order people read them. */
export const FIGURE_ROWS: readonly FigureRow[] = [
  energyRow('consumption_wh', 'Consumption'),
  energyRow('local_production_wh', 'Local production'),
  energyRow('local_traded_wh', 'Traded between members'),
  energyRow('pcc_import_wh', 'PCC import'),
  energyRow('pcc_export_wh', 'PCC export'),
  energyRow('losses_wh', 'Line and transformer losses'),
  energyRow('storage_losses_wh', 'Storage losses'),
  energyRow('storage_delta_wh', 'Storage change'),
  shareRow('self_sufficiency', 'Self-sufficiency'),
  shareRow('self_consumption', 'Self-consumption'),
  {
    key: 'peak_import_w',
    label: 'Peak PCC import',
    unit: 'kW',
    show: (f) => kw(f.peak_import_w),
    change: (t, b) => relative(t.peak_import_w, b.peak_import_w),
  },
  {
    key: 'peak_to_average',
    label: 'Peak-to-average (net PCC import)',
    unit: '',
    show: (f) => ratio(f.peak_to_average),
    change: (t, b) => relative(t.peak_to_average, b.peak_to_average),
  },
  {
    key: 'bills_uc',
    label: 'Members’ bills (paid − earned)',
    unit: 'coin',
    show: (f) => coin(f.bills_uc),
    change: (t, b) => signed((t.bills_uc - b.bills_uc) / 1_000_000, 2),
  },
  { key: 'minted_uc', label: 'Coin minted to producers', unit: 'coin', show: (f) => coin(f.minted_uc), change: (t, b) => signed((t.minted_uc - b.minted_uc) / 1_000_000, 2) },
  { key: 'treasury_uc', label: 'Treasury (fees, tax)', unit: 'coin', show: (f) => coin(f.treasury_uc), change: (t, b) => signed((t.treasury_uc - b.treasury_uc) / 1_000_000, 2) },
  energyRow('curtailed_wh', 'Trades curtailed by the grid check'),
  {
    key: 'max_line_loading_pct',
    label: 'Max line loading',
    unit: '%',
    show: (f) => loading(f.max_line_loading_pct),
    change: (t, b) => {
      const a = t.max_line_loading_pct;
      const c = b.max_line_loading_pct;
      return a === null || c === null ? 'n/a' : `${signed(a - c, 1)} pp`;
    },
  },
];
