import { GridLedgerError } from '../../errors.ts';
import type { FeederModel, StaticGen } from '../model.ts';

/**
 * The feeder model as a MATPOWER version 2 case (MW, MVAr, p.u.), readable by MATPOWER itself and
 * by parseMatpower. Numbers are written in JavaScript's shortest round-trip form, so reading the
 * text back gives the same per-unit values; kW are divided by 1000, so loads and generation come
 * back equal up to that division's rounding. Refused (GRID_EXPORT), because MATPOWER cannot hold
 * them: shunt conductance or unequal shunts at the two ends of a branch (pandapower's transformer
 * T equivalent), current or transformer ratings, a PCC limit, a generator on the slack bus. Not
 * kept: names, the frequency, out-of-service loads; several loads on one bus become one
 * (MATPOWER has one Pd per bus).
 */
const FUEL: Record<StaticGen['kind'], string> = { pv: 'solar', wind: 'wind', battery: 'battery', other: 'other' };

const fmt = (x: number): string => String(x);
const row = (values: number[]): string => `\t${values.map(fmt).join('\t')};`;

export function writeMatpower(model: FeederModel): string {
  const refuse = (what: string): never => {
    throw new GridLedgerError('GRID_EXPORT', `${model.name}: ${what} cannot be written as MATPOWER`);
  };
  if (model.slack.limitKva !== undefined) refuse('the PCC limit (slack limitKva)');
  for (const g of model.sgens) if (g.bus === model.slack.bus) refuse(`sgen ${g.id} on the slack bus (MATPOWER's generators there set its voltage)`);
  for (const br of model.branches) {
    const which = `${br.kind} ${br.id} (${br.from}-${br.to})`;
    if (br.gFromPu !== 0 || br.gToPu !== 0 || br.bFromPu !== br.bToPu) refuse(`${which}: shunt conductance or unequal end shunts`);
    if (br.rating !== null && br.rating.kind !== 'apparent') refuse(`${which}: a '${br.rating.kind}' rating (MATPOWER rates branches in MVA)`);
  }

  const pdByBus = new Map<number, [number, number]>();
  for (const l of model.loads) {
    if (!l.inService) continue;
    const [p, q] = pdByBus.get(l.bus) ?? [0, 0];
    pdByBus.set(l.bus, [p + l.pKw, q + l.qKvar]);
  }
  const busRows = model.buses.map((b) => {
    const isSlack = b.id === model.slack.bus;
    const [pKw, qKvar] = pdByBus.get(b.id) ?? [0, 0];
    const type = isSlack ? 3 : b.inService ? 1 : 4;
    return row([b.id, type, pKw / 1000, qKvar / 1000, 0, 0, 1, isSlack ? model.slack.vmPu : 1, isSlack ? model.slack.vaDeg : 0, b.baseKv, 1, b.vMaxPu, b.vMinPu]);
  });

  // Static generators first, so that gen row k holds sgen k; the slack's generator last.
  const zeros = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const genRows = model.sgens.map((g) => {
    const p = g.pKw / 1000;
    const q = g.qKvar / 1000;
    return row([g.bus, p, q, q, q, 1, model.baseMva, g.inService ? 1 : 0, Math.max(p, 0), Math.min(p, 0), ...zeros]);
  });
  genRows.push(row([model.slack.bus, 0, 0, 9999, -9999, model.slack.vmPu, model.baseMva, 1, 9999, -9999, ...zeros]));
  const fuels = [...model.sgens.map((g) => FUEL[g.kind]), 'unknown'];

  const branchRows = model.branches.map((br) => {
    const ratio = br.kind === 'trafo' || br.tap !== 1 || br.shiftDeg !== 0 ? br.tap : 0;
    const rate = br.rating === null ? 0 : br.rating.kind === 'apparent' ? br.rating.mva : 0;
    return row([br.from, br.to, br.rPu, br.xPu, br.bFromPu + br.bToPu, rate, rate, rate, ratio, br.shiftDeg, br.inService ? 1 : 0, -360, 360]);
  });

  const fn = model.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?![A-Za-z])/, 'case_');
  return [
    `function mpc = ${fn}`,
    `% ${model.name}: written by GridLedger (MATPOWER case format version 2, MW, MVAr and p.u.)`,
    "mpc.version = '2';",
    `mpc.baseMVA = ${fmt(model.baseMva)};`,
    '%\tbus_i\ttype\tPd\tQd\tGs\tBs\tarea\tVm\tVa\tbaseKV\tzone\tVmax\tVmin',
    'mpc.bus = [',
    ...busRows,
    '];',
    '%\tbus\tPg\tQg\tQmax\tQmin\tVg\tmBase\tstatus\tPmax\tPmin\t...',
    'mpc.gen = [',
    ...genRows,
    '];',
    '%\tfbus\ttbus\tr\tx\tb\trateA\trateB\trateC\tratio\tangle\tstatus\tangmin\tangmax',
    'mpc.branch = [',
    ...branchRows,
    '];',
    `mpc.genfuel = { ${fuels.map((f) => `'${f}'`).join('; ')} };`,
    '',
  ].join('\n');
}
