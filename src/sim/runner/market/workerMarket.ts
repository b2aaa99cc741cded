/**
 * A microgrid's chain in a worker thread (chainWorker.ts), seen from the main thread as a
 * MarketBackend: each method posts a request and resolves with the worker's reply. The worker
 * loads the TypeScript sources through tsx, as the command-line entry point does.
 */
import { Worker } from 'node:worker_threads';
import { GridLedgerError } from '../../../errors.ts';
import type { ContractPlan } from '../../agents/contracts.ts';
import type { City } from '../city.ts';
import type { ClearingOutcome, MarketBackend, MarketOutcome, SubmitBatch } from './backend.ts';
import { startAllOrNone } from './backend.ts';
import { chainMarketSpec, createChainMarket, type ChainMarketSpec } from './chain.ts';

export type WorkerRequest =
  | { id: number; method: 'openContracts'; arg: readonly ContractPlan[] }
  | { id: number; method: 'submit'; arg: SubmitBatch }
  | { id: number; method: 'clear'; arg: number }
  | { id: number; method: 'settle'; arg: number }
  | { id: number; method: 'outcome'; arg: number }
  | { id: number; method: 'close'; arg: null };

/** id −1: the worker's start (its chain is up, or it failed to start). */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { code: string; message: string } };

type Method = WorkerRequest['method'];
type ArgOf<M extends Method> = Extract<WorkerRequest, { method: M }>['arg'];

/** The microgrids' chains, each in its own worker thread (`threads`) or all in this thread. */
export async function createChainMarkets(city: City, opts: { threads: boolean }): Promise<MarketBackend[]> {
  const specs = city.microgrids.map((mg) => chainMarketSpec(city, mg));
  return startAllOrNone(specs.map((spec) => (opts.threads ? createWorkerChainMarket(spec) : createChainMarket(spec))));
}

export async function createWorkerChainMarket(spec: ChainMarketSpec): Promise<MarketBackend> {
  const entry = new URL('./chainWorker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { spec } });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let exited = false;
  const failAll = (e: unknown): void => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(new GridLedgerError(reply.error.code, `microgrid "${spec.name}": ${reply.error.message}`));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    exited = true;
    failAll(new GridLedgerError('SIM_WORKER_EXITED', `microgrid "${spec.name}": its chain's worker thread exited (code ${code})`));
  });
  const ready = new Promise<unknown>((resolve, reject) => waiting.set(-1, { resolve, reject }));
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }

  function call<M extends Method>(method: M, arg: ArgOf<M>): Promise<unknown> {
    if (exited) return Promise.reject(new GridLedgerError('SIM_WORKER_EXITED', `microgrid "${spec.name}": its chain's worker thread has exited`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, arg });
    });
  }

  return {
    mode: 'chain',
    openContracts: async (contracts) => {
      await call('openContracts', contracts);
    },
    submit: async (batch) => {
      await call('submit', batch);
    },
    clear: async (k) => (await call('clear', k)) as ClearingOutcome,
    settle: async (k) => {
      await call('settle', k);
    },
    outcome: async (n) => (await call('outcome', n)) as MarketOutcome,
    close: async () => {
      if (exited) return;
      try {
        await call('close', null);
      } finally {
        await worker.terminate();
      }
    },
  };
}
