import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gridledger-market-'));
const kerber = 'data/feeders/kerber-landnetz-pv.json';

function book(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/gridledger.js', 'market', 'clear', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const congested = book('congested.json', {
  asks: [
    { id: 'bat-a', bus: 3, energy_wh: 12000, price: 150000, flexible: true },
    { id: 'bat-b', bus: 3, energy_wh: 16000, price: 160000, flexible: true },
  ],
  bids: [
    { id: 'h27', bus: 27, energy_wh: 14000, price: 300000 },
    { id: 'h29', bus: 29, energy_wh: 14000, price: 280000 },
  ],
});

describe('gridledger market clear', () => {
  it('prints the DESIGN.md section 7 JSON after the grid check, at the same price as without it', () => {
    const checked = run('--book', congested, '--case', kerber, '--json');
    expect(checked.code).toBe(0);
    const out = JSON.parse(checked.stdout) as Record<string, unknown> & { trades: { price: number }[]; curtailed: { energy_wh: number; reason: string }[] };
    expect(Object.keys(out)).toEqual(['clearing_price', 'matched_wh', 'welfare', 'trades', 'deliveries', 'curtailed', 'alerts']);
    expect(out.clearing_price).toBe(220000);
    expect(out.trades.map((t) => Object.keys(t))).toEqual([
      ['ask', 'bid', 'energy_wh', 'price'],
      ['ask', 'bid', 'energy_wh', 'price'],
      ['ask', 'bid', 'energy_wh', 'price'],
    ]);
    expect(out.curtailed).toHaveLength(1);
    expect(out.curtailed[0]?.reason).toMatch(/^line 1 current/);
    expect(out.matched_wh).toBe(28000 - (out.curtailed[0]?.energy_wh ?? 0));

    const plain = JSON.parse(run('--book', congested, '--json').stdout) as { clearing_price: number; matched_wh: number; curtailed: unknown[] };
    expect(plain.clearing_price).toBe(220000);
    expect(plain.matched_wh).toBe(28000);
    expect(plain.curtailed).toEqual([]);
  });

  it('runs the worked example with its contract: A +3 kWh, B -4 kWh, B\'s last kWh unmatched', () => {
    const worked = book('worked.json', {
      asks: [{ id: 'A-ask', owner: 'A', bus: 2, energy_wh: 3000, price: 200000 }],
      bids: [{ id: 'B-bid', owner: 'B', bus: 3, energy_wh: 4000, price: 300000 }],
      contracts: [{ id: 'c1', seller: 'A', buyer: 'B', seller_bus: 2, buyer_bus: 3, energy_wh: 3000, price: 250000 }],
    });
    const r = run('--book', worked, '--case', 'data/feeders/ieee33.m', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.deliveries).toEqual([{ contract: 'c1', seller: 'A', buyer: 'B', energy_wh: 3000, price: 250000 }]);
    expect(out.trades).toEqual([]);
    expect(out.clearing_price).toBeNull();
  });

  it('adds locational prices in optimal mode', () => {
    const r = run('--book', congested, '--case', kerber, '--mode', 'optimal', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { trades: { price: number; buyer_price: number }[] };
    expect(out.trades.length).toBeGreaterThan(0);
    for (const t of out.trades) expect(t.buyer_price).toBeGreaterThan(t.price);
  });

  it('refuses a bad book with the field path, and a bus the feeder lacks', () => {
    const bad = run('--book', book('bad.json', { asks: [{ id: 'a', bus: 3, energy_wh: 1.5, price: 100 }], bids: [] }), '--json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MARKET_BAD_BOOK.*asks\[0\]\.energy_wh/);
    const notJson = run('--book', book('broken.json', '{"asks": ['));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/is not JSON/);
    const far = run('--book', book('far.json', { asks: [{ id: 'a', bus: 99, energy_wh: 10, price: 1 }], bids: [{ id: 'b', bus: 3, energy_wh: 10, price: 2 }] }), '--case', kerber);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/MARKET_UNKNOWN_BUS.*bus 99/);
  });
});
