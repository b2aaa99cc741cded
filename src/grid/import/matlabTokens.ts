import { importError } from './importError.ts';

/**
 * A tokenizer for the subset of MATLAB that case files use: numbers, names, strings, brackets,
 * operators; `%` comments, `%{ ... %}` block comments and `...` continuations removed. Newlines
 * are kept as tokens because they end statements and matrix rows.
 */
export type TokenKind = 'num' | 'ident' | 'str' | 'punct' | 'eol';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** Whitespace precedes the token: in a matrix, `1 -2` is two elements and `1-2` one. */
  spaceBefore: boolean;
}

/** One statement: the tokens between `;`, `,` or a newline at bracket depth 0. */
export interface Statement {
  line: number;
  tokens: Token[];
}

const TWO_CHAR = new Set(['.*', './', '.^', ".'", '==', '~=', '<=', '>=', '&&', '||']);
const ONE_CHAR = new Set(['[', ']', '{', '}', '(', ')', ';', ',', '=', '.', ':', '+', '-', '*', '/', '\\', '^', '<', '>', '&', '|', '~', '@', '!']);
const NUMBER_RE = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

export function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let space = false;
  const push = (kind: TokenKind, tokenText: string): void => {
    tokens.push({ kind, text: tokenText, line, spaceBefore: space });
    space = false;
  };
  const skipToEol = (): void => {
    while (i < text.length && text[i] !== '\n') i++;
  };
  const atLineStart = (pos: number): boolean => {
    let k = pos - 1;
    while (k >= 0 && (text[k] === ' ' || text[k] === '\t')) k--;
    return k < 0 || text[k] === '\n';
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      push('eol', '\n');
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      space = true;
      i++;
      continue;
    }
    if (c === '%') {
      // A block comment is `%{` alone on its line, up to a line holding only `%}`.
      if (text[i + 1] === '{' && atLineStart(i) && /^%\{[ \t\r]*(\n|$)/.test(text.slice(i, i + 8))) {
        const start = line;
        for (;;) {
          skipToEol();
          if (i >= text.length) throw importError(source, start, 'block comment %{ is never closed by %}');
          i++;
          line++;
          const rest = text.slice(i).match(/^[ \t]*%\}[ \t\r]*(\n|$)/);
          if (rest !== null) {
            i += rest[0].length - (rest[1] === '\n' ? 1 : 0);
            break;
          }
        }
        continue;
      }
      skipToEol();
      continue;
    }
    if (c === '.' && text.startsWith('...', i)) {
      // Continuation: the rest of the line is a comment and the newline is not a statement end.
      skipToEol();
      if (i < text.length) {
        i++;
        line++;
      }
      space = true;
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const transposeContext =
      prev !== undefined && !space && (prev.kind === 'ident' || prev.kind === 'num' || [')', ']', '}', "'", ".'"].includes(prev.text));
    if ((c === "'" && !transposeContext) || c === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        const d = text[j];
        if (d === undefined || d === '\n') throw importError(source, line, `string starting with ${c} is not closed on its line`);
        if (d === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += d;
        j++;
      }
      push('str', value);
      i = j + 1;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    const num = /[0-9.]/.test(c) ? NUMBER_RE.exec(text) : null;
    if (num !== null) {
      push('num', num[0]);
      i += num[0].length;
      continue;
    }
    IDENT_RE.lastIndex = i;
    const ident = IDENT_RE.exec(text);
    if (ident !== null) {
      push('ident', ident[0]);
      i += ident[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      push('punct', two);
      i += 2;
      continue;
    }
    if (ONE_CHAR.has(c) || c === "'") {
      push('punct', c);
      i++;
      continue;
    }
    throw importError(source, line, `unexpected character ${JSON.stringify(c)}`);
  }
  return tokens;
}

const OPEN: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

/** Splits tokens into statements; inside brackets, `;` and newlines stay (they separate rows). */
export function splitStatements(tokens: Token[], source: string): Statement[] {
  const out: Statement[] = [];
  const stack: Token[] = [];
  let current: Token[] = [];
  const flush = (): void => {
    const first = current[0];
    if (first !== undefined) out.push({ line: first.line, tokens: current });
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && OPEN[t.text] !== undefined) stack.push(t);
    else if (t.kind === 'punct' && [']', '}', ')'].includes(t.text)) {
      const open = stack.pop();
      if (open === undefined || OPEN[open.text] !== t.text) {
        throw importError(source, t.line, `unbalanced '${t.text}'${open === undefined ? '' : ` (line ${open.line} opened '${open.text}')`}`);
      }
    }
    if (stack.length === 0 && (t.kind === 'eol' || (t.kind === 'punct' && (t.text === ';' || t.text === ',')))) {
      flush();
      continue;
    }
    current.push(t);
  }
  const open = stack[0];
  if (open !== undefined) throw importError(source, open.line, `'${open.text}' opened here is never closed (file truncated?)`);
  flush();
  return out;
}
