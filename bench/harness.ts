import os from 'node:os';

/** One measured figure, printed as one JSON line by `npm run bench`. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  [context: string]: unknown;
}

/** A benchmark: `names` lists every figure name it emits, so FILTER can select it by any of them. */
export interface Benchmark {
  names: string[];
  run(): Promise<Figure[]> | Figure[];
}

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/**
 * Times `fn` repeatedly (after warm-up) and returns the median: this machine has 2 noisy cores,
 * so a median over many runs is the figure to quote, never one run.
 */
export function timeMedian(fn: () => unknown, opts: { minRuns?: number; minMs?: number; warmup?: number } = {}): Timing {
  const minRuns = opts.minRuns ?? 20;
  const minMs = opts.minMs ?? 500;
  const warmup = opts.warmup ?? 3;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= 100_000) break;
  }
  samples.sort((a, b) => a - b);
  return {
    medianMs: samples[Math.floor(samples.length / 2)] ?? Number.NaN,
    minMs: samples[0] ?? Number.NaN,
    maxMs: samples[samples.length - 1] ?? Number.NaN,
    runs: samples.length,
  };
}

/** What the figures were measured on; every figure carries it. */
export function machine(): { cpus: number; cpu_model: string; node: string } {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpu_model: cpus[0]?.model ?? 'unknown', node: process.version };
}
