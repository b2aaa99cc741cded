import { describe, expect, it } from 'vitest';
import { lineChart, niceScale } from './svg.ts';

const QUARTER = 900_000;

function chart(values: Array<number | null>): string {
  return lineChart({
    title: 'T',
    unit: 'kW',
    startMs: values.map((_, k) => k * QUARTER),
    intervalMs: QUARTER,
    utcOffsetMinutes: 0,
    series: [{ label: 'a', values, color: '#000' }],
  });
}

const pathOf = (svg: string): string => /<path d="([^"]*)"/.exec(svg)?.[1] ?? '';

describe('lineChart', () => {
  it('draws one point per interval, and a gap for null', () => {
    const d = pathOf(chart([1, 2, null, 4]));
    expect(d.match(/[ML]/g)).toEqual(['M', 'L', 'M']);
  });

  it('draws long runs as means over spans that divide a day', () => {
    // 2000 quarter hours = 500 h: 1 h means give 500 points (<= 1000)
    const svg = chart(Array.from({ length: 2000 }, (_, k) => (k % 4 === 0 ? 8 : 0)));
    expect(pathOf(svg).match(/[ML]/g)?.length).toBe(500);
    expect(svg).toContain('kW, means per 1 h');
    // each hour's mean is 8/4 = 2: the axis reaches 2 (ticks 0, 0.5, ... 2), not 8
    expect(svg).toContain('>2.0</text>');
    expect(svg).not.toContain('>8</text>');
  });

  it('labels midnights with the date when the run is longer than a day', () => {
    const svg = chart(Array.from({ length: 96 * 3 }, () => 1));
    expect(svg).toContain('>01-02</text>'); // the epoch's second day
    expect(chart(Array.from({ length: 96 }, () => 1))).toContain('>12:00</text>');
  });
});

describe('niceScale', () => {
  it('picks round axis ticks', () => {
    // range 7.3 / 5 = 1.46 -> step 2
    expect(niceScale(0, 7.3)).toEqual([0, 8, [0, 2, 4, 6, 8]]);
    // range 5.7 / 5 = 1.14 -> step 2, from -2
    expect(niceScale(-1.5, 4.2)).toEqual([-2, 6, [-2, 0, 2, 4, 6]]);
    // flat zero gets a unit range
    expect(niceScale(0, 0)).toEqual([0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]]);
  });
});
