/**
 * Worker-thread entry: one microgrid's chain (chain.ts) in its own thread, so the city's chains
 * use every core. The main thread sends method calls of MarketBackend and gets their results
 * (workerMarket.ts has the other end and the message shapes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isGridLedgerError } from '../../../errors.ts';
import type { MarketBackend } from './backend.ts';
import { createChainMarket, type ChainMarketSpec } from './chain.ts';
import type { WorkerReply, WorkerRequest } from './workerMarket.ts';

const port = parentPort;
if (port === null) throw new Error('chainWorker.ts runs only as a worker thread');

function failure(e: unknown): { code: string; message: string } {
  if (isGridLedgerError(e)) return { code: e.code, message: e.message };
  return { code: 'SIM_WORKER_FAILED', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

async function dispatch(market: MarketBackend, req: WorkerRequest): Promise<unknown> {
  switch (req.method) {
    case 'openContracts':
      return market.openContracts(req.arg);
    case 'submit':
      return market.submit(req.arg);
    case 'clear':
      return market.clear(req.arg);
    case 'settle':
      return market.settle(req.arg);
    case 'outcome':
      return market.outcome(req.arg);
    case 'close':
      return market.close();
  }
}

let market: MarketBackend;
try {
  market = await createChainMarket((workerData as { spec: ChainMarketSpec }).spec);
} catch (e) {
  port.postMessage({ id: -1, ok: false, error: failure(e) } satisfies WorkerReply);
  throw e;
}
// One call at a time, in the order sent: the main thread awaits each.
let queue = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage({ id: req.id, ok: true, value: await dispatch(market, req) } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ id: req.id, ok: false, error: failure(e) } satisfies WorkerReply);
    }
  });
});
port.postMessage({ id: -1, ok: true, value: null } satisfies WorkerReply);
