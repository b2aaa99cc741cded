/**
 * `gridledger demo` (what `npm start` runs): the embedded demo city (defaultScenario: three
 * microgrids on bundled low-voltage feeders, one day of 15-minute intervals, each microgrid its
 * own 4-validator chain), then the summary table and out/demo/report.json + report.html.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { defaultScenario } from '../sim/scenario.ts';
import { runAndReport } from './sim.ts';

const flags = z.object({ out: z.string().min(1), processes: z.boolean().optional(), offchain: z.boolean().optional() });

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the city demo: three microgrids trading through their own chains for one simulated day, against a no-trading baseline')
    .option('--out <dir>', 'folder for report.json and report.html', 'out/demo')
    .option('--processes', 'run each validator as its own node process (homes and logs in DIR/nodes, replaced on each run)')
    .option('--offchain', 'INTERIM: clear and settle with the market code directly, without chains')
    .action(async (raw: unknown) => {
      const parsed = flags.safeParse(raw);
      if (!parsed.success) throw new GridLedgerError('CLI_BAD_FLAG', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const { out, processes, offchain } = parsed.data;
      if (processes === true && offchain === true) throw new GridLedgerError('CLI_BAD_FLAG', '--processes and --offchain exclude each other: processes run chains');
      await runAndReport(defaultScenario(), { outDir: out, baseDir: process.cwd(), mode: offchain === true ? 'offchain' : processes === true ? 'processes' : 'chain' });
    });
}
