import type { Branch, Bus, FeederModel, Load, StaticGen } from '../model.ts';
import { finishModel } from './finishModel.ts';
import { importError } from './importError.ts';
import { splitStatements, tokenize, type Statement, type Token } from './matlabTokens.ts';
import { evaluate, ExpressionError, parseMatrix, parseStringCell, type MatrixLiteral, type Scope } from './matlabValues.ts';
import { COLUMN_NAMES, DEFINE_CONSTANTS, INDEX_FUNCTIONS, MIN_COLUMNS } from './matpowerColumns.ts';

/**
 * MATPOWER case files (version 2; baseMVA, bus, gen, branch in MW, MVAr and p.u.) to the feeder
 * model. The file is read statement by statement, the way MATLAB would run it, so that a file
 * which converts its matrices after defining them (MATPOWER's own case33bw.m keeps kW and ohms
 * and divides in code) is read as MATLAB would read it, or refused with the line that cannot be
 * followed: never read silently wrong.
 */

type Table = 'bus' | 'gen' | 'branch';

/** Case fields with no bearing on a power flow: costs, OPF extras, names. */
const IGNORED_FIELDS = new Set([
  'gencost', 'areas', 'bus_name', 'branch_name', 'gen_name', 'gentype', 'A', 'l', 'u', 'N', 'fparm', 'H',
  'Cw', 'z0', 'zl', 'zu', 'userfcn', 'softlims',
]);

const KW_COLUMNS: Record<string, number[]> = { bus: [3, 4, 5, 6], gen: [2, 3, 4, 5, 9, 10] };
const CONVERSION_HELP =
  'the conversions this importer applies are kW to MW (`/ 1e3`) on power columns and ohm to p.u. ' +
  '(`/ (Vbase^2 / Sbase)`) on BR_R and BR_X, each as `mpc.M(:, COLS) = mpc.M(:, COLS) / FACTOR;`';

interface CaseState {
  name: string | null;
  version: string | null;
  baseMva: number | null;
  matrices: Map<string, MatrixLiteral>;
  genfuel: string[] | null;
  vars: Map<string, number>;
}

export function parseMatpower(text: string, source: string): FeederModel {
  const state: CaseState = { name: null, version: null, baseMva: null, matrices: new Map(), genfuel: null, vars: new Map() };
  for (const st of splitStatements(tokenize(text, source), source)) interpret(st, state, source);
  return buildModel(state, source);
}

function statementText(tokens: Token[]): string {
  const s = tokens
    .filter((t) => t.kind !== 'eol')
    .map((t, k) => (k > 0 && t.spaceBefore ? ' ' : '') + (t.kind === 'str' ? `'${t.text}'` : t.text))
    .join('');
  return s.length > 90 ? `${s.slice(0, 87)}...` : s;
}

function scopeOf(state: CaseState): Scope {
  return { vars: state.vars, baseMva: state.baseMva, matrix: (name) => state.matrices.get(name) };
}

function evaluateAt(tokens: Token[], state: CaseState, source: string, line: number, what: string, factorOnly = false): number {
  try {
    return evaluate(tokens, scopeOf(state), factorOnly);
  } catch (e) {
    if (e instanceof ExpressionError) {
      throw importError(source, line, `cannot evaluate ${what} '${statementText(tokens)}': ${e.message}`);
    }
    throw e;
  }
}

function interpret(st: Statement, state: CaseState, source: string): void {
  const t = st.tokens;
  const at = (k: number): string | undefined => t[k]?.text;
  const refuse = (why: string): never => {
    throw importError(source, st.line, `'${statementText(t)}': ${why}`);
  };

  if (at(0) === 'function') {
    const eq = t.findIndex((x) => x.text === '=');
    state.name = t[eq >= 0 ? eq + 1 : 1]?.text ?? null;
    return;
  }
  if (t.length === 1 && (at(0) === 'end' || at(0) === 'return')) return;
  if (t.length === 1 && at(0) === 'define_constants') {
    for (const [k, v] of DEFINE_CONSTANTS) state.vars.set(k, v);
    return;
  }
  if (at(0) === '[') {
    // [PQ, PV, REF, ...] = idx_bus;  binds MATPOWER's column numbers by position.
    const close = t.findIndex((x) => x.text === ']');
    const fn = at(close + 1) === '=' && t.length === close + 3 ? INDEX_FUNCTIONS[at(close + 2) ?? ''] : undefined;
    if (fn === undefined) refuse('not a MATPOWER index assignment such as [PQ, PV, ...] = idx_bus');
    const names = t.slice(1, close).filter((x) => x.kind !== 'eol' && x.text !== ',');
    if (names.some((x) => x.kind !== 'ident') || names.length > (fn as number[]).length) refuse('unexpected names on the left side');
    names.forEach((n, k) => state.vars.set(n.text, (fn as number[])[k] as number));
    return;
  }
  if (at(0) === 'mpc' && at(1) === '.' && t[2]?.kind === 'ident') {
    const field = t[2].text;
    if (at(3) === '=') {
      assignField(field, t.slice(4), st, state, source);
      return;
    }
    if (at(3) === '(') {
      applyConversion(st, state, source);
      return;
    }
    refuse('assigns into mpc in a way this importer does not follow');
  }
  if (t[0]?.kind === 'ident' && at(1) === '=' && at(2) !== '=') {
    state.vars.set(t[0].text, evaluateAt(t.slice(2), state, source, st.line, `the value of ${t[0].text}`));
    return;
  }
  refuse('statement not understood (a MATPOWER case file holds data, index names and unit conversions only)');
}

function assignField(field: string, rhs: Token[], st: Statement, state: CaseState, source: string): void {
  if (field === 'version') {
    const v = rhs[0];
    if (rhs.length !== 1 || v === undefined || (v.kind !== 'str' && v.kind !== 'num')) {
      throw importError(source, st.line, "mpc.version: expected a string such as '2'");
    }
    state.version = v.text;
    return;
  }
  if (field === 'baseMVA') {
    const v = evaluateAt(rhs, state, source, st.line, 'mpc.baseMVA');
    if (!(Number.isFinite(v) && v > 0)) throw importError(source, st.line, `mpc.baseMVA: expected a positive number, found ${v}`);
    state.baseMva = v;
    return;
  }
  if (field === 'bus' || field === 'gen' || field === 'branch') {
    const first = state.matrices.get(field);
    if (first !== undefined) throw importError(source, st.line, `mpc.${field} is set a second time (first at line ${first.line})`);
    state.matrices.set(field, parseMatrix(rhs, source, `mpc.${field}`));
    return;
  }
  if (field === 'genfuel') {
    state.genfuel = parseStringCell(rhs, source, 'mpc.genfuel');
    return;
  }
  if (IGNORED_FIELDS.has(field)) return;
  if (field === 'dcline') throw importError(source, st.line, 'mpc.dcline: DC lines are not supported by the feeder model');
  throw importError(source, st.line, `mpc.${field} is not a case field this importer knows (expected version, baseMVA, bus, gen, branch)`);
}

/** `mpc.M(:, COLS)` starting at t[k]: the matrix name, its columns, and the index after `)`. */
function columnRef(t: Token[], k: number, state: CaseState): { matrix: string; cols: number[]; next: number } | null {
  if (t[k]?.text !== 'mpc' || t[k + 1]?.text !== '.' || t[k + 2]?.kind !== 'ident') return null;
  if (t[k + 3]?.text !== '(' || t[k + 4]?.text !== ':' || t[k + 5]?.text !== ',') return null;
  const matrix = (t[k + 2] as Token).text;
  let j = k + 6;
  const sel: Token[] = [];
  if (t[j]?.text === '[') {
    j++;
    while (j < t.length && t[j]?.text !== ']') {
      const x = t[j] as Token;
      if (x.text !== ',') sel.push(x);
      j++;
    }
    j++;
  } else if (t[j] !== undefined) {
    sel.push(t[j] as Token);
    j++;
  }
  if (t[j]?.text !== ')' || sel.length === 0) return null;
  const cols: number[] = [];
  for (const x of sel) {
    const v = x.kind === 'num' ? Number(x.text) : x.kind === 'ident' ? state.vars.get(x.text) : undefined;
    if (v === undefined || !Number.isInteger(v) || v < 1) return null;
    cols.push(v);
  }
  return { matrix, cols, next: j + 1 };
}

/**
 * `mpc.M(:, COLS) = mpc.M(:, COLS) / FACTOR;` (or `* FACTOR`): applied only when it is one of the
 * unit conversions case files are known to do; any other assignment into mpc is refused.
 */
function applyConversion(st: Statement, state: CaseState, source: string): void {
  const t = st.tokens;
  const refuse = (why: string): never => {
    throw importError(source, st.line, `'${statementText(t)}' assigns into mpc after its matrices: ${why}; ${CONVERSION_HELP}`);
  };
  const lhs = columnRef(t, 0, state);
  if (lhs === null || t[lhs.next]?.text !== '=') return refuse('not a whole-column assignment mpc.M(:, COLS) = ...');
  const rhs = columnRef(t, lhs.next + 1, state);
  if (rhs === null || rhs.matrix !== lhs.matrix || rhs.cols.join() !== lhs.cols.join()) {
    return refuse('the right side does not scale the same columns');
  }
  const opTok = t[rhs.next];
  const op = opTok?.text === '/' || opTok?.text === './' ? '/' : opTok?.text === '*' || opTok?.text === '.*' ? '*' : null;
  if (op === null) return refuse('not a scaling by one factor');
  const factor = evaluateAt(t.slice(rhs.next + 1), state, source, st.line, 'the conversion factor', true);
  const m = state.matrices.get(lhs.matrix);
  if (m === undefined) return refuse(`mpc.${lhs.matrix} is not defined before this line`);
  const divisor = op === '/' ? factor : 1 / factor;
  const within = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.abs(b);

  const kwColumns = KW_COLUMNS[lhs.matrix];
  const isKwToMw = kwColumns !== undefined && lhs.cols.every((c) => kwColumns.includes(c)) && within(divisor, 1000);
  let isImpedance = false;
  if (lhs.matrix === 'branch' && (lhs.cols.every((c) => c === 3 || c === 4) || lhs.cols.every((c) => c === 5))) {
    // ohm -> p.u. divides R and X by Zbase; siemens -> p.u. multiplies B by it.
    const zbaseWanted = lhs.cols[0] === 5 ? 1 / divisor : divisor;
    const bus = state.matrices.get('bus');
    if (bus === undefined || state.baseMva === null) return refuse('an impedance conversion needs mpc.bus and mpc.baseMVA first');
    const baseKvById = new Map(bus.rows.map((r) => [r[0], r[9]]));
    for (const [k, row] of m.rows.entries()) {
      for (const end of [row[0], row[1]]) {
        const kv = baseKvById.get(end);
        if (kv === undefined) return refuse(`branch row at line ${m.rowLines[k]} names bus ${end}, which mpc.bus lacks`);
        if (!within(zbaseWanted, (kv * kv) / state.baseMva)) {
          return refuse(
            `the factor ${zbaseWanted} is not the base impedance baseKV^2/baseMVA = ${(kv * kv) / state.baseMva} ohm of bus ${end} (branch row at line ${m.rowLines[k]})`,
          );
        }
      }
    }
    isImpedance = true;
  }
  if (!isKwToMw && !isImpedance) return refuse(`scaling columns ${lhs.cols.join(', ')} of mpc.${lhs.matrix} by ${op} ${factor} is not a known unit conversion`);
  for (const [k, row] of m.rows.entries()) {
    for (const c of lhs.cols) {
      const v = row[c - 1];
      if (v === undefined) throw importError(source, m.rowLines[k] ?? st.line, `mpc.${lhs.matrix} row has no column ${c}, which line ${st.line} converts`);
      row[c - 1] = op === '/' ? v / factor : v * factor;
    }
  }
}

function requireMatrix(state: CaseState, table: Table, source: string): MatrixLiteral {
  const m = state.matrices.get(table);
  if (m === undefined) throw importError(source, null, `mpc.${table} is missing (a version 2 case needs baseMVA, bus, gen and branch)`);
  // MATLAB needs equal rows; the odd one out is the row that differs from most others.
  const counts = new Map<number, number>();
  for (const row of m.rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
  const width = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
  for (const [k, row] of m.rows.entries()) {
    if (row.length !== width) {
      throw importError(source, m.rowLines[k] ?? m.line, `mpc.${table} row has ${row.length} columns, the other rows ${width}`);
    }
  }
  if (m.rows.length > 0 && width < MIN_COLUMNS[table]) {
    throw importError(
      source,
      m.rowLines[0] ?? m.line,
      `mpc.${table} rows have ${width} columns, expected at least ${MIN_COLUMNS[table]} (${COLUMN_NAMES[table].slice(0, MIN_COLUMNS[table]).join(' ')})`,
    );
  }
  return m;
}

/** Reads column `c` (1-based) of a row, finite, with a message naming table, line and column. */
function cell(m: MatrixLiteral, k: number, c: number, table: Table, source: string): number {
  const v = m.rows[k]?.[c - 1] as number;
  if (!Number.isFinite(v)) {
    throw importError(source, m.rowLines[k] ?? m.line, `mpc.${table} column ${c} (${COLUMN_NAMES[table][c - 1] ?? '?'}) is ${v}, expected a finite number`);
  }
  return v;
}

const FUEL_KIND: Record<string, StaticGen['kind']> = { solar: 'pv', pv: 'pv', wind: 'wind', battery: 'battery', storage: 'battery', ess: 'battery' };

function buildModel(state: CaseState, source: string): FeederModel {
  if (state.version === null) throw importError(source, null, "mpc.version is missing (expected mpc.version = '2')");
  if (state.version !== '2') throw importError(source, null, `mpc.version is '${state.version}', expected '2' (version 1 cases are not supported)`);
  if (state.baseMva === null) throw importError(source, null, 'mpc.baseMVA is missing (expected the system MVA base, e.g. mpc.baseMVA = 10;)');
  const baseMva = state.baseMva;
  const busM = requireMatrix(state, 'bus', source);
  const genM = requireMatrix(state, 'gen', source);
  const branchM = requireMatrix(state, 'branch', source);
  const where = (m: MatrixLiteral, k: number): number => m.rowLines[k] ?? m.line;

  const buses: Bus[] = [];
  const loads: Load[] = [];
  const busType = new Map<number, number>();
  const busRow = new Map<number, number>();
  let slackRow: number | null = null;
  for (let k = 0; k < busM.rows.length; k++) {
    const c = (col: number): number => cell(busM, k, col, 'bus', source);
    const id = c(1);
    const type = c(2);
    if (!Number.isInteger(id) || id < 1) throw importError(source, where(busM, k), `bus number ${id} is not a positive integer`);
    if (busType.has(id)) throw importError(source, where(busM, k), `bus ${id} is listed twice (first at line ${where(busM, busRow.get(id) as number)})`);
    if (![1, 2, 3, 4].includes(type)) throw importError(source, where(busM, k), `bus ${id}: BUS_TYPE ${type}, expected 1 (PQ), 3 (reference) or 4 (isolated)`);
    if (type === 2) {
      throw importError(
        source,
        where(busM, k),
        `bus ${id} is a PV bus (BUS_TYPE 2, voltage-controlled), which the distribution power flow does not model; make it a PQ bus (type 1) so its generator is a fixed P/Q injection`,
      );
    }
    if (c(5) !== 0 || c(6) !== 0) {
      throw importError(source, where(busM, k), `bus ${id}: shunt GS=${c(5)} BS=${c(6)} (constant impedance) is not supported by the feeder model; only GS = BS = 0`);
    }
    const baseKv = c(10);
    if (!(baseKv > 0)) throw importError(source, where(busM, k), `bus ${id}: BASE_KV ${baseKv}, expected a positive voltage in kV`);
    const vMaxPu = c(12);
    const vMinPu = c(13);
    if (!(vMinPu > 0 && vMinPu <= vMaxPu)) throw importError(source, where(busM, k), `bus ${id}: VMIN ${vMinPu} and VMAX ${vMaxPu}, expected 0 < VMIN <= VMAX`);
    if (type === 3) {
      if (slackRow !== null) throw importError(source, where(busM, k), `bus ${id} is a second reference bus (type 3) after bus ${busM.rows[slackRow]?.[0]}; exactly one is supported`);
      slackRow = k;
    }
    busType.set(id, type);
    busRow.set(id, k);
    buses.push({ id, baseKv, vMinPu, vMaxPu, inService: type !== 4 });
    const pd = c(3);
    const qd = c(4);
    if (pd !== 0 || qd !== 0) loads.push({ id, bus: id, pKw: pd * 1000, qKvar: qd * 1000, inService: type !== 4 });
  }
  if (slackRow === null) throw importError(source, busM.line, 'no reference bus (BUS_TYPE 3) in mpc.bus; the feeder needs one slack bus');
  const slackBus = cell(busM, slackRow, 1, 'bus', source);
  let slackVm: number | null = null;

  const sgens: StaticGen[] = [];
  for (let k = 0; k < genM.rows.length; k++) {
    const c = (col: number): number => cell(genM, k, col, 'gen', source);
    const bus = c(1);
    if (!busType.has(bus)) throw importError(source, where(genM, k), `generator on bus ${bus}, which mpc.bus does not list`);
    const inService = c(8) > 0;
    if (bus === slackBus) {
      // The reference bus's generator sets the voltage; its Pg is a starting value, not an injection.
      if (inService && slackVm === null) slackVm = c(6);
      continue;
    }
    const fuel = state.genfuel?.[k]?.toLowerCase();
    const kind = fuel === undefined ? 'other' : (FUEL_KIND[fuel] ?? 'other');
    sgens.push({ id: k + 1, bus, pKw: c(2) * 1000, qKvar: c(3) * 1000, kind, inService });
  }

  const branches: Branch[] = [];
  const kvOf = (id: number): number => (buses[busRow.get(id) as number] as Bus).baseKv;
  for (let k = 0; k < branchM.rows.length; k++) {
    const c = (col: number): number => cell(branchM, k, col, 'branch', source);
    const from = c(1);
    const to = c(2);
    for (const end of [from, to]) {
      if (!busType.has(end)) throw importError(source, where(branchM, k), `branch ${k + 1} ends at bus ${end}, which mpc.bus does not list`);
    }
    if (from === to) throw importError(source, where(branchM, k), `branch ${k + 1} connects bus ${from} to itself`);
    const r = c(3);
    const x = c(4);
    if (r === 0 && x === 0) throw importError(source, where(branchM, k), `branch ${k + 1} (${from}-${to}) has zero impedance (BR_R = BR_X = 0); merge the buses instead`);
    const b = c(5);
    const rateA = c(6);
    if (rateA < 0) throw importError(source, where(branchM, k), `branch ${k + 1}: RATE_A ${rateA}, expected >= 0 MVA (0 = no limit)`);
    const ratio = c(9);
    if (ratio < 0) throw importError(source, where(branchM, k), `branch ${k + 1}: TAP ${ratio}, expected >= 0 (0 = line)`);
    const shift = c(10);
    const isTrafo = ratio !== 0 || shift !== 0 || kvOf(from) !== kvOf(to);
    branches.push({
      kind: isTrafo ? 'trafo' : 'line',
      id: k + 1,
      from,
      to,
      rPu: r,
      xPu: x,
      gFromPu: 0,
      bFromPu: b / 2,
      gToPu: 0,
      bToPu: b / 2,
      tap: ratio === 0 ? 1 : ratio,
      shiftDeg: shift,
      inService: c(11) !== 0,
      rating: rateA === 0 ? null : { kind: 'apparent', mva: rateA },
    });
  }

  return finishModel(
    {
      name: state.name ?? (source.split(/[\\/]/).pop() ?? source).replace(/\.m$/, ''),
      baseMva,
      // MATPOWER files do not carry the frequency; it matters only to importers (line charging).
      fHz: 50,
      buses,
      branches,
      loads,
      sgens,
      slack: { bus: slackBus, vmPu: slackVm ?? cell(busM, slackRow, 8, 'bus', source), vaDeg: cell(busM, slackRow, 9, 'bus', source) },
    },
    source,
  );
}
