import { importError } from './importError.ts';
import type { Token } from './matlabTokens.ts';

/**
 * Values in a MATLAB case file: numeric matrix literals, cell arrays of strings, and scalar
 * expressions (`Vbase = mpc.bus(1, BASE_KV) * 1e3;`). Scalars only: this is enough for the
 * conversions case files do after their matrices, and anything else is refused, never guessed.
 */
export interface MatrixLiteral {
  rows: number[][];
  rowLines: number[];
  line: number;
}

/** What an expression may read: local variables (and MATPOWER's index names) and the case. */
export interface Scope {
  vars: ReadonlyMap<string, number>;
  baseMva: number | null;
  matrix(name: string): MatrixLiteral | undefined;
}

const SPECIAL: Record<string, number> = { Inf: Infinity, inf: Infinity, NaN: NaN, nan: NaN, pi: Math.PI };

/** A `[ ... ]` literal of numbers: rows end at `;` or a newline, elements at spaces or commas. */
export function parseMatrix(tokens: Token[], source: string, what: string): MatrixLiteral {
  const open = tokens[0];
  const close = tokens[tokens.length - 1];
  if (open?.text !== '[' || close?.text !== ']') {
    throw importError(source, open?.line ?? null, `${what}: expected a matrix literal [ ... ]`);
  }
  const rows: number[][] = [];
  const rowLines: number[] = [];
  let row: number[] = [];
  let rowLine = open.line;
  let afterComma = true;
  const endRow = (): void => {
    if (row.length > 0) {
      rows.push(row);
      rowLines.push(rowLine);
    }
    row = [];
    afterComma = true;
  };
  for (let k = 1; k < tokens.length - 1; k++) {
    const t = tokens[k] as Token;
    if (t.kind === 'eol' || t.text === ';') {
      endRow();
      continue;
    }
    if (t.text === ',') {
      afterComma = true;
      continue;
    }
    if (row.length === 0) rowLine = t.line;
    let sign = 1;
    let tok = t;
    if ((t.text === '-' || t.text === '+') && t.kind === 'punct') {
      // `1 -2` is two elements, `1 - 2` or `1-2` is arithmetic, which a data row should not hold.
      const next = tokens[k + 1];
      if (!(t.spaceBefore || afterComma || row.length === 0) || next === undefined || next.spaceBefore) {
        throw importError(source, t.line, `${what}: expected a number, found arithmetic ('${t.text}') in a data row`);
      }
      sign = t.text === '-' ? -1 : 1;
      tok = next;
      k++;
    }
    let value: number | undefined;
    if (tok.kind === 'num') value = Number(tok.text);
    else if (tok.kind === 'ident') value = SPECIAL[tok.text];
    if (value === undefined) {
      throw importError(source, tok.line, `${what}: expected a number, found '${tok.text}'`);
    }
    const after = tokens[k + 1];
    if (after !== undefined && after.kind === 'punct' && !after.spaceBefore && ['*', '/', '^', '.*', './', '.^', '(', "'"].includes(after.text)) {
      throw importError(source, after.line, `${what}: expected a number, found an expression ('${tok.text}${after.text}...') in a data row`);
    }
    row.push(sign * value);
    afterComma = false;
  }
  endRow();
  return { rows, rowLines, line: open.line };
}

/** A `{ 'a'; 'b' }` cell array of strings (MATPOWER's genfuel, gentype, bus_name). */
export function parseStringCell(tokens: Token[], source: string, what: string): string[] {
  const open = tokens[0];
  if (open?.text !== '{' || tokens[tokens.length - 1]?.text !== '}') {
    throw importError(source, open?.line ?? null, `${what}: expected a cell array { 'text'; ... }`);
  }
  const out: string[] = [];
  for (const t of tokens.slice(1, -1)) {
    if (t.kind === 'str') out.push(t.text);
    else if (!(t.kind === 'eol' || t.text === ';' || t.text === ',')) {
      throw importError(source, t.line, `${what}: expected a quoted string, found '${t.text}'`);
    }
  }
  return out;
}

/** Thrown inside expression evaluation; the caller turns it into a GRID_IMPORT error with context. */
export class ExpressionError extends Error {}

/**
 * Evaluates `tokens[from..to)` as a scalar expression: numbers, + - * / ^ (and the dotted forms),
 * unary minus, parentheses, names from the scope, `sqrt(x)`, `mpc.baseMVA` and `mpc.M(i, j)`.
 * With `factorOnly`, only one operand (a number, a name or a parenthesised expression) is read,
 * so that `A / (b * c)` can never be misread as `(A / b) * c`.
 */
export function evaluate(tokens: Token[], scope: Scope, factorOnly = false): number {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const take = (): Token => {
    const t = tokens[pos++];
    if (t === undefined) throw new ExpressionError('expression ends too early');
    return t;
  };
  const expect = (text: string): void => {
    const t = take();
    if (t.text !== text) throw new ExpressionError(`expected '${text}', found '${t.text}'`);
  };
  const isOp = (...ops: string[]): boolean => {
    const t = peek();
    return t !== undefined && t.kind === 'punct' && ops.includes(t.text);
  };

  const expr = (): number => {
    let v = term();
    while (isOp('+', '-')) v = take().text === '+' ? v + term() : v - term();
    return v;
  };
  const term = (): number => {
    let v = unary();
    while (isOp('*', '/', '.*', './')) {
      const op = take().text;
      const w = unary();
      v = op === '*' || op === '.*' ? v * w : v / w;
    }
    return v;
  };
  const unary = (): number => {
    if (isOp('-')) {
      take();
      return -unary();
    }
    if (isOp('+')) {
      take();
      return unary();
    }
    return power();
  };
  const power = (): number => {
    const base = primary();
    if (isOp('^', '.^')) {
      take();
      return base ** unary();
    }
    return base;
  };
  const index = (): number => {
    const v = expr();
    if (!Number.isInteger(v) || v < 1) throw new ExpressionError(`index ${v} is not a positive integer`);
    return v;
  };
  const primary = (): number => {
    const t = take();
    if (t.kind === 'num') return Number(t.text);
    if (t.text === '(') {
      const v = expr();
      expect(')');
      return v;
    }
    if (t.kind !== 'ident') throw new ExpressionError(`unexpected '${t.text}'`);
    if (t.text === 'mpc') {
      expect('.');
      const field = take().text;
      if (field === 'baseMVA') {
        if (scope.baseMva === null) throw new ExpressionError('mpc.baseMVA is used before it is set');
        return scope.baseMva;
      }
      const m = scope.matrix(field);
      if (m === undefined) throw new ExpressionError(`mpc.${field} is not a matrix defined before this line`);
      expect('(');
      const r = index();
      expect(',');
      const c = index();
      expect(')');
      const v = m.rows[r - 1]?.[c - 1];
      if (v === undefined) throw new ExpressionError(`mpc.${field}(${r}, ${c}) is outside the matrix`);
      return v;
    }
    if (t.text === 'sqrt' && isOp('(')) {
      take();
      const v = expr();
      expect(')');
      return Math.sqrt(v);
    }
    const v = scope.vars.get(t.text) ?? SPECIAL[t.text];
    if (v === undefined) throw new ExpressionError(`'${t.text}' is not a number or a variable set earlier`);
    return v;
  };

  const v = factorOnly ? unary() : expr();
  const rest = peek();
  if (rest !== undefined) throw new ExpressionError(`unexpected '${rest.text}' after the expression`);
  return v;
}
