/**
 * `gridledger example worked` as a user runs it: a real 4-validator chain in one process, the
 * worked example of DESIGN.md section 2, the JSON of section 7.
 *
 * Hand-worked (the chain's parameters: retail 300,000 µc/kWh, grid fee 20,000 µc/kWh, tax 10 %,
 * mint 50,000 µc/kWh, every transaction 1,000 µc):
 *   the contract moves 3,000 Wh from A to B at 200,000 µc/kWh: B pays A 600,000 µc;
 *   B's remaining 1,000 Wh come from the main grid at retail: 300,000 µc;
 *   B pays grid fee 3 × 20,000 = 60,000 and tax 10 % × 600,000 = 60,000 to the treasury: +120,000;
 *   A is minted 3 kWh × 50,000 = 150,000 µc;
 *   A: +600,000 + 150,000 − 2 transactions = +748,000; B: −600,000 − 120,000 − 300,000 − 2
 *   transactions = −1,022,000; fees: 7 transactions (2 orders, contract create and accept, two
 *   meter readings, the PCC reading) = 7,000 µc.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/gridledger.js');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gridledger example', () => {
  it('worked --json: the hand-worked figures, from a real 4-validator chain', () => {
    const r = cli('example', 'worked', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      trades: [{ seller: 'A', buyer: 'B', energy_wh: 3_000, price: 200_000 }],
      grid: { import_wh: 1_000, export_wh: 0 },
      members: {
        A: { produced_wh: 8_000, consumed_wh: 5_000, sold_wh: 3_000, bought_wh: 0, balance_change: 748_000 },
        B: { produced_wh: 0, consumed_wh: 4_000, sold_wh: 0, bought_wh: 3_000, balance_change: -1_022_000 },
      },
      minted: 150_000,
      fees: 7_000,
      treasury_change: 120_000,
    });
  }, 120_000);

  it('worked: the story with its figures; example: the list', () => {
    const story = cli('example', 'worked');
    expect(story.code).toBe(0);
    expect(story.stdout).toContain('4 validators');
    expect(story.stdout).toContain('the contract delivers 3,000 Wh');
    expect(story.stdout).toContain('balance +748,000 µc');
    expect(story.stdout).toContain('balance −1,022,000 µc');
    const list = cli('example');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^worked\s+the worked example/m);
    const unknown = cli('example', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('EXAMPLE_UNKNOWN');
  }, 120_000);
});
