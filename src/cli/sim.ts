/**
 * `gridledger sim init FILE` (the commented example scenario) and `gridledger sim run --scenario
 * FILE --out DIR` (DESIGN.md section 7): the city run, its report files and the summary table.
 * A progress bar goes to stderr when it is a terminal (plain progress lines otherwise); Ctrl-C
 * stops after the interval in progress and writes a partial report (a second Ctrl-C exits at
 * once). With --processes each validator is a `node start` process, home and log in DIR/nodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { renderSummaryTable } from '../sim/report/table.ts';
import { runCity, type RunMode } from '../sim/runner/run.ts';
import { writeReport } from '../sim/runner/output.ts';
import { parseScenarioText, type Scenario, writeExampleScenario } from '../sim/scenario.ts';

const runFlags = z.object({
  scenario: z.string().min(1),
  out: z.string().min(1),
  processes: z.boolean().optional(),
  offchain: z.boolean().optional(),
});

export const GENERATED_BY = `gridledger ${packageVersion()}`;

export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('city simulations: microgrids of households trading through their chains');
  sim
    .command('init')
    .description('write the commented example scenario (the demo city) to FILE; an existing file is not overwritten')
    .argument('<file>', 'scenario file to write (JSON; keys starting with "_" are comments)')
    .action((file: string) => {
      writeExampleScenario(file);
      process.stdout.write(`wrote ${file}: edit it, then run  gridledger sim run --scenario ${file} --out out/${path.basename(file, path.extname(file))}\n`);
    });
  sim
    .command('run')
    .description('run a scenario with trading and its no-trading baseline; write DIR/report.json and DIR/report.html and print a summary')
    .requiredOption('--scenario <file>', 'scenario file (see `sim init`)')
    .requiredOption('--out <dir>', 'folder for report.json and report.html (created if missing)')
    .option('--processes', "run each validator as its own node process (homes and logs in DIR/nodes, replaced on each run)")
    .option('--offchain', 'INTERIM: clear and settle with the market code directly, without chains (the report says mode "offchain")')
    .action(async (raw: unknown) => {
      const parsed = runFlags.safeParse(raw);
      if (!parsed.success) throw new GridLedgerError('CLI_BAD_FLAG', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const flags = parsed.data;
      if (flags.processes === true && flags.offchain === true) throw new GridLedgerError('CLI_BAD_FLAG', '--processes and --offchain exclude each other: processes run chains');
      const scenario = readScenario(flags.scenario);
      const mode: RunMode = flags.offchain === true ? 'offchain' : flags.processes === true ? 'processes' : 'chain';
      await runAndReport(scenario, { outDir: flags.out, baseDir: path.dirname(path.resolve(flags.scenario)), mode });
    });
}

function readScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GridLedgerError('SCENARIO_UNREADABLE', `cannot read the scenario ${file}`, { cause: e });
  }
  return parseScenarioText(text, file);
}

export interface RunAndReportOptions {
  outDir: string;
  baseDir: string;
  mode: RunMode;
}

/** Runs a scenario with progress and Ctrl-C handling, writes the report, prints the summary. */
export async function runAndReport(scenario: Scenario, opts: RunAndReportOptions): Promise<void> {
  let stopping = false;
  const onSigint = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping after the interval in progress (Ctrl-C again to quit at once) ...\n');
  };
  process.on('SIGINT', onSigint);
  const progress = createProgress();
  try {
    const result = await runCity(scenario, {
      baseDir: opts.baseDir,
      mode: opts.mode,
      processesDir: path.join(opts.outDir, 'nodes'),
      generatedBy: GENERATED_BY,
      shouldStop: () => stopping,
      onProgress: progress.update,
      nowMs: () => performance.now(),
    });
    progress.stop();
    const written = writeReport(opts.outDir, result.report, result.series);
    process.stdout.write(renderSummaryTable(result.report));
    if (result.report.meta.mode === 'offchain') process.stdout.write('\nNOTE: off-chain interim run: trades were cleared and settled by the market code without chains.\n');
    if (result.partial) {
      process.stdout.write(`\nstopped early: partial report of ${result.intervals} of ${scenarioIntervals(scenario)} intervals\n`);
      process.exitCode = 130;
    }
    process.stdout.write(`\nwrote ${written.jsonFile} and ${written.htmlFile}\n`);
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}

function scenarioIntervals(s: Scenario): number {
  return (s.days * 1440) / s.intervalMinutes;
}

interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A bar on a terminal; otherwise a line at every tenth of the run. */
function createProgress(): Progress {
  if (process.stderr.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'simulating {bar} {value}/{total} intervals | {duration_formatted} elapsed, ~{eta_formatted} left', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = Math.floor((done * 10) / total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`simulating: ${done}/${total} intervals\n`);
      }
    },
    stop() {},
  };
}

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data.version : 'unknown';
}
