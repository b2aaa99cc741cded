/**
 * `npm run bench [-- FILTER]`: runs every `*.bench.ts` under src/ and bench/ whose figure names
 * contain FILTER, printing one JSON line per figure (DESIGN.md section 7).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './harness.ts';
import { machine } from './harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';

function benchFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...benchFiles(full));
    else if (entry.name.endsWith('.bench.ts')) out.push(full);
  }
  return out;
}

const host = machine();
let ran = 0;
for (const file of [...benchFiles(path.join(root, 'src')), ...benchFiles(path.join(root, 'bench'))]) {
  const mod = (await import(pathToFileURL(file).href)) as { benchmarks?: Benchmark[] };
  for (const b of mod.benchmarks ?? []) {
    if (filter !== '' && !b.names.some((n) => n.includes(filter))) continue;
    process.stderr.write(`bench: ${b.names.join(', ')} (${path.relative(root, file)})\n`);
    for (const fig of await b.run()) {
      if (filter !== '' && !fig.name.includes(filter) && !b.names.some((n) => n.includes(filter))) continue;
      process.stdout.write(`${JSON.stringify({ ...fig, machine: host })}\n`);
    }
    ran++;
  }
}
if (ran === 0) {
  process.stderr.write(`bench: no benchmark matches "${filter}"\n`);
  process.exitCode = 1;
}
