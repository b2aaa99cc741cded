/**
 * Import lint (part of `npm run lint`): the layer rules of DESIGN.md section 3, and no import
 * cycles between source files. Type-only imports may cross into lower layers' types for
 * consensus, which "imports nothing of ours but types".
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

// Direct permissions; each layer may also use what its permitted layers may use.
const direct: Record<string, string[]> = {
  grid: [],
  market: ['grid'],
  ledger: ['market', 'grid'],
  consensus: [],
  net: [],
  node: ['ledger', 'consensus', 'net'],
  sim: ['node', 'ledger', 'grid'],
  api: ['node'],
  cli: ['*'],
};
const typeOnlyExtra: Record<string, string[]> = { consensus: ['ledger'], net: ['consensus', 'ledger'] };

function closure(layer: string, seen = new Set<string>()): Set<string> {
  for (const d of direct[layer] ?? []) {
    if (!seen.has(d)) {
      seen.add(d);
      closure(d, seen);
    }
  }
  return seen;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(full));
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const layerOf = (file: string): string => path.relative(src, file).split(path.sep)[0] ?? '';
const isTest = (f: string): boolean => /\.(test|bench)\.ts$/.test(f);
const importRe = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;

// The pure cores never touch files, sockets, processes or clocks of their own (DESIGN.md
// section 3). The one exception is the importers' file helper, which only the shell calls.
const pureLayers = new Set(['grid', 'market', 'ledger', 'consensus']);
const ioModules = /^\s*import\s+[^'"]*?from\s+['"](node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram|timers)['"]/gm;
const ioAllowed = new Set([path.join('grid', 'import', 'feederFile.ts')]);

const problems: string[] = [];
const graph = new Map<string, string[]>();
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const from = layerOf(file);
  const edges: string[] = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[3] ?? m[4];
    if (spec === undefined) continue;
    const typeOnly = m[2] !== undefined;
    const target = path.resolve(path.dirname(file), spec);
    if (!target.startsWith(src)) continue;
    const to = layerOf(target);
    if (!typeOnly) edges.push(target);
    if (to === from || to.endsWith('.ts') || isTest(file)) continue; // src/errors.ts etc. are shared
    if (['cli', 'api', 'sim', 'web'].includes(to) && direct[from]?.includes('*') !== true) {
      problems.push(`${path.relative(root, file)}: nothing may import ${to}/ (imports ${spec})`);
      continue;
    }
    const allowed = direct[from]?.includes('*') === true || closure(from).has(to) || (typeOnly && (typeOnlyExtra[from] ?? []).includes(to));
    if (!allowed) problems.push(`${path.relative(root, file)}: ${from}/ may not import ${to}/ (imports ${spec})`);
  }
  const rel = path.relative(src, file);
  if (pureLayers.has(from) && !isTest(file) && !ioAllowed.has(rel)) {
    for (const m of text.matchAll(ioModules)) problems.push(`${path.relative(root, file)}: ${from}/ is pure and may not import node:${m[2]}`);
  }
  graph.set(file, edges);
}

// Cycle detection over value imports (depth-first, colours).
const colour = new Map<string, 1 | 2>();
const stack: string[] = [];
function visit(f: string): void {
  colour.set(f, 1);
  stack.push(f);
  for (const t of graph.get(f) ?? []) {
    if (!graph.has(t)) continue;
    if (colour.get(t) === 1) {
      const cyc = stack.slice(stack.indexOf(t)).concat(t).map((x) => path.relative(root, x));
      problems.push(`import cycle: ${cyc.join(' -> ')}`);
    } else if (colour.get(t) === undefined) visit(t);
  }
  stack.pop();
  colour.set(f, 2);
}
for (const f of [...graph.keys()].sort()) if (colour.get(f) === undefined) visit(f);

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exit(1);
}
process.stdout.write(`imports: ${graph.size} files follow the layer rules, no cycles\n`);
