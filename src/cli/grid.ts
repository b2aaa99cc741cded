/**
 * `gridledger grid pf --case FILE [--json]`: the AC power flow of a feeder file (DESIGN.md
 * section 7). The JSON fields are a contract other tools rely on; the table is for people.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { loadFeeder } from '../grid/import/feederFile.ts';
import type { FeederModel } from '../grid/model.ts';
import type { PowerFlowResult } from '../grid/powerflow/result.ts';
import { solvePowerFlow } from '../grid/powerflow/solve.ts';

const flagsSchema = z.object({ case: z.string().min(1), json: z.boolean().optional() });

export function registerGridCommands(program: Command): void {
  const grid = program.command('grid').description('feeder models and AC power flow');
  grid
    .command('pf')
    .description('AC power flow of a MATPOWER .m (version 2, MW and p.u.) or pandapower .json feeder')
    .requiredOption('--case <file>', 'feeder file (.m or .json)')
    .option('--json', 'print the result as JSON: {converged, iterations, loss_kw, loss_kvar, vmin_pu, vmin_bus, buses, branches}')
    .action((raw: unknown) => {
      const parsed = flagsSchema.safeParse(raw);
      if (!parsed.success) throw new GridLedgerError('CLI_BAD_FLAG', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const model = loadFeeder(parsed.data.case);
      const result = solvePowerFlow(model);
      process.stdout.write(parsed.data.json === true ? `${JSON.stringify(pfJson(result))}\n` : pfTable(model, result));
    });
}

export interface PfJson {
  converged: boolean;
  iterations: number;
  loss_kw: number;
  loss_kvar: number;
  vmin_pu: number;
  vmin_bus: number;
  buses: { id: number; vm_pu: number; va_deg: number }[];
  branches: { kind: 'line' | 'trafo'; from: number; to: number; p_from_kw: number; q_from_kvar: number; loading_pct: number | null }[];
}

/** The DESIGN.md section 7 JSON: buses and branches in the file's order, ids the file's own. */
export function pfJson(r: PowerFlowResult): PfJson {
  return {
    converged: r.converged,
    iterations: r.iterations,
    loss_kw: r.lossKw,
    loss_kvar: r.lossKvar,
    vmin_pu: r.vmin.pu,
    vmin_bus: r.vmin.bus,
    buses: r.buses.map((b) => ({ id: b.id, vm_pu: b.vmPu, va_deg: b.vaDeg })),
    branches: r.branches.map((b) => ({ kind: b.kind, from: b.from, to: b.to, p_from_kw: b.pFromKw, q_from_kvar: b.qFromKvar, loading_pct: b.loadingPct })),
  };
}

const SHOWN = 5;
const pad = (s: string, n: number): string => s.padStart(n);

/** A readable summary: losses, the PCC, the lowest voltages, the most loaded branches, violations. */
export function pfTable(model: FeederModel, r: PowerFlowResult): string {
  const out: string[] = [];
  const energized = r.buses.filter((b) => b.energized);
  out.push(`${model.name}: ${model.buses.length} buses, ${model.branches.length} branches (${r.loops} closing loops), base ${model.baseMva} MVA`);
  out.push(
    r.converged
      ? `converged in ${r.iterations} iterations (largest mismatch ${r.maxMismatchPu.toExponential(1)} p.u.)`
      : `NOT CONVERGED after ${r.iterations} iterations (largest mismatch ${r.maxMismatchPu.toExponential(1)} p.u.): the figures below are the last iterate`,
  );
  out.push(`losses ${r.lossKw.toFixed(3)} kW, ${r.lossKvar.toFixed(3)} kvar; PCC at bus ${r.pcc.bus}: import ${r.pcc.pKw.toFixed(3)} kW, ${r.pcc.qKvar.toFixed(3)} kvar`);
  out.push(`voltage ${r.vmin.pu.toFixed(5)} p.u. (bus ${r.vmin.bus}) to ${r.vmax.pu.toFixed(5)} p.u. (bus ${r.vmax.bus})`);
  if (r.unservedKw > 0) out.push(`unserved: ${r.unservedKw.toFixed(3)} kW on buses cut off from the slack`);

  out.push('', 'lowest voltages', `${pad('bus', 8)} ${pad('vm_pu', 9)} ${pad('va_deg', 10)}`);
  for (const b of [...energized].sort((a, c) => a.vmPu - c.vmPu || a.id - c.id).slice(0, SHOWN)) {
    out.push(`${pad(String(b.id), 8)} ${pad(b.vmPu.toFixed(5), 9)} ${pad(b.vaDeg.toFixed(3), 10)}`);
  }

  const rated = r.branches.filter((b) => b.inService && b.loadingPct !== null);
  out.push('', rated.length > 0 ? 'most loaded branches' : 'largest flows (no branch has a rating)');
  out.push(`${pad('kind', 6)} ${pad('from', 6)} ${pad('to', 6)} ${pad('p_from_kw', 11)} ${pad('q_from_kvar', 12)} ${pad('loading_%', 10)}`);
  const ranked = rated.length > 0
    ? [...rated].sort((a, c) => (c.loadingPct as number) - (a.loadingPct as number))
    : r.branches.filter((b) => b.inService).sort((a, c) => Math.abs(c.pFromKw) - Math.abs(a.pFromKw));
  for (const b of ranked.slice(0, SHOWN)) {
    out.push(
      `${pad(b.kind, 6)} ${pad(String(b.from), 6)} ${pad(String(b.to), 6)} ${pad(b.pFromKw.toFixed(3), 11)} ${pad(b.qFromKvar.toFixed(3), 12)} ${pad(b.loadingPct === null ? '-' : b.loadingPct.toFixed(2), 10)}`,
    );
  }

  out.push('', r.violations.length === 0 ? 'no limit violations' : `${r.violations.length} limit violations:`);
  for (const v of r.violations.slice(0, 10)) {
    if (v.kind === 'overload') out.push(`  ${v.branchKind} ${v.from}-${v.to} loaded ${v.loadingPct.toFixed(1)} %`);
    else if (v.kind === 'pcc') out.push(`  PCC at bus ${v.bus}: ${v.sKva.toFixed(1)} kVA over the ${v.limitKva} kVA limit`);
    else out.push(`  bus ${v.bus}: ${v.vmPu.toFixed(4)} p.u. ${v.kind === 'voltage_low' ? 'below' : 'above'} ${v.limitPu}`);
  }
  if (r.violations.length > 10) out.push(`  ... and ${r.violations.length - 10} more`);
  return `${out.join('\n')}\n`;
}
