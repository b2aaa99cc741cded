/**
 * `gridledger sim init` and `sim run` as a user runs them (chains in worker threads): the example
 * scenario, the report files and summary, the same report for the same seed, and Ctrl-C leaving a
 * consistent partial report.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/sim/report/schema.ts';
import { smallScenarioInput } from '../../src/sim/runner/smallCity.fixture.ts';
import { parseScenarioText } from '../../src/sim/scenario.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/gridledger.js');
const dir = mkdtempSync(path.join(tmpdir(), 'gl-sim-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withoutRun(file: string): string {
  const { run: _run, ...rest } = reportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return JSON.stringify(rest);
}

describe('gridledger sim', () => {
  it('init writes the commented example scenario once, and refuses to overwrite it', () => {
    const file = path.join(dir, 'city.json');
    const first = cli('sim', 'init', file);
    expect(first.code).toBe(0);
    const scenario = parseScenarioText(readFileSync(file, 'utf8'), file);
    expect(scenario.microgrids.map((m) => m.name)).toEqual(['north', 'centre', 'south']);
    expect(readFileSync(file, 'utf8')).toContain('"_comment"');
    const again = cli('sim', 'init', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('SCENARIO_EXISTS');
  }, 60_000);

  it('run writes report.json and report.html, prints the summary, and the same seed gives the same report', () => {
    const file = path.join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(smallScenarioInput()));
    const a = cli('sim', 'run', '--scenario', file, '--out', path.join(dir, 'a'));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('members worse off than the baseline');
    expect(a.stdout).toMatch(/mini\s+baseline/);
    expect(existsSync(path.join(dir, 'a', 'report.html'))).toBe(true);
    const report = reportSchema.parse(JSON.parse(readFileSync(path.join(dir, 'a', 'report.json'), 'utf8')));
    expect(report.meta).toMatchObject({ scenario: 'small', mode: 'chain', intervals: 24 });
    expect(report.run?.wall_ms).toBeGreaterThan(0);
    expect(report.microgrids[0]?.transactions).toBeGreaterThan(0);
    const b = cli('sim', 'run', '--scenario', file, '--out', path.join(dir, 'b'));
    expect(b.code, b.stderr).toBe(0);
    expect(withoutRun(path.join(dir, 'b', 'report.json'))).toBe(withoutRun(path.join(dir, 'a', 'report.json')));
  }, 240_000);

  it('stops on Ctrl-C and writes a consistent partial report', async () => {
    const file = path.join(dir, 'week.json');
    writeFileSync(file, JSON.stringify({ ...smallScenarioInput(), name: 'week', days: 7 }));
    const out = path.join(dir, 'week');
    const child = spawn(process.execPath, [bin, 'sim', 'run', '--scenario', file, '--out', out], { cwd: repo });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('simulating: 1/168')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited before any progress: ${stderr}`)));
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('stopped early: partial report');
    const report = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')));
    expect(report.meta.partial).toBe(true);
    expect(report.meta.intervals).toBeGreaterThan(0);
    expect(report.meta.intervals).toBeLessThan(168);
    const c = report.city;
    expect(c.local_production_wh + c.pcc_import_wh).toBe(c.consumption_wh + c.pcc_export_wh + c.losses_wh + c.storage_losses_wh + c.storage_delta_wh);
    expect(c.consumption_wh).toBe(report.baseline.consumption_wh);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
  }, 120_000);
});
