/**
 * Typed client of the node RPC (server.ts), used by the CLI, the end-to-end tests and the
 * benchmark. Every answer is checked against its schema; an RPC error becomes a GridLedgerError
 * carrying the server's stable code, and a node that does not answer is RPC_UNREACHABLE.
 */
import type { z } from 'zod';
import { GridLedgerError } from '../../errors.ts';
import {
  accountSchema,
  blockSchema,
  clockSchema,
  errorSchema,
  stateValueSchema,
  statusSchema,
  submitBatchResultSchema,
  submitResultSchema,
  txSchema,
} from './schemas.ts';
import type { AccountJson, BlockJson, ClockJson, StateValueJson, StatusJson, SubmitBatchResultJson, SubmitResultJson, TxJson } from './schemas.ts';

export interface RpcClient {
  readonly url: string;
  status(): Promise<StatusJson>;
  /** The latest block without a height. */
  block(height?: number): Promise<BlockJson>;
  account(address: string): Promise<AccountJson>;
  tx(hash: string): Promise<TxJson>;
  /** A refused transaction is a result with code ≠ 0, not an exception. */
  submitTx(tx: Uint8Array, opts?: { wait?: boolean; timeoutMs?: number }): Promise<SubmitResultJson>;
  submitTxs(txs: readonly Uint8Array[]): Promise<SubmitBatchResultJson>;
  /** The committed value (hex) under a raw state key; null when absent. */
  stateKey(key: string): Promise<StateValueJson>;
  /** Moves a steered node's clock forward to `timeMs` (RPC_NOT_FOUND on any other node). */
  advanceClock(timeMs: number): Promise<ClockJson>;
}

export interface RpcClientOptions {
  /** Per request (ms); a waiting submit gets its own wait on top. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createRpcClient(endpoint: { host: string; port: number }, opts: RpcClientOptions = {}): RpcClient {
  const url = `http://${endpoint.host}:${endpoint.port}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call<T>(schema: z.ZodType<T>, method: 'GET' | 'POST', route: string, body?: unknown, extraMs = 0): Promise<T> {
    let res: Response;
    try {
      const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs + extraMs) };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      res = await fetch(`${url}${route}`, init);
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new GridLedgerError(
        timedOut ? 'RPC_TIMEOUT' : 'RPC_UNREACHABLE',
        timedOut ? `the node at ${url} did not answer ${method} ${route} in time` : `no node answers at ${url}: is it running? (gridledger node start --home DIR)`,
        { cause: e },
      );
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new GridLedgerError('RPC_BAD_ANSWER', `${method} ${route}: the node's answer (HTTP ${res.status}) is not JSON`, { cause: e });
    }
    if (!res.ok) {
      const err = errorSchema.safeParse(json);
      if (err.success) throw new GridLedgerError(err.data.error, err.data.message, { details: { code: err.data.code, status: res.status } });
      throw new GridLedgerError('RPC_BAD_ANSWER', `${method} ${route}: HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new GridLedgerError('RPC_BAD_ANSWER', `${method} ${route}: unexpected answer: ${parsed.error.message}`, { cause: parsed.error });
    return parsed.data;
  }

  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

  return {
    url,
    status: () => call(statusSchema, 'GET', '/status'),
    block: (height) => call(blockSchema, 'GET', height === undefined ? '/block' : `/block/${height}`),
    account: (address) => call(accountSchema, 'GET', `/account/${encodeURIComponent(address)}`),
    tx: (hash) => call(txSchema, 'GET', `/tx/${encodeURIComponent(hash)}`),
    submitTx(tx, o = {}) {
      const wait = o.wait ?? false;
      const body: Record<string, unknown> = { tx: b64(tx), wait };
      if (o.timeoutMs !== undefined) body['timeout_ms'] = o.timeoutMs;
      return call(submitResultSchema, 'POST', '/tx', body, wait ? (o.timeoutMs ?? 30_000) : 0);
    },
    submitTxs: (txs) => call(submitBatchResultSchema, 'POST', '/txs', { txs: txs.map(b64) }, 30_000),
    stateKey: (key) => call(stateValueSchema, 'GET', `/state?key=${encodeURIComponent(key)}`),
    advanceClock: (timeMs) => call(clockSchema, 'POST', '/clock/advance', { time: timeMs }),
  };
}
