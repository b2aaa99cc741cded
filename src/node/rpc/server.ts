/**
 * The node's RPC: HTTP JSON on loopback (fastify), what the CLI talks to.
 *
 *   GET  /status            {height, block_id, chain_id, validator, time, app_hash, peers, catching_up}
 *   GET  /block[/:height]   {height, block_id, time, proposer, txs}     (latest without a height)
 *   GET  /account/:address  {address, balance, nonce}                   (balance in µc)
 *   GET  /tx/:hash          {hash, height, index, code, log, tx}
 *   POST /tx  {tx: base64, wait?: bool, timeout_ms?}  -> {hash, height, code: 0} | {code, error, message, hash?}
 *   POST /txs {txs: [base64]}                          -> {results: [{hash, code, error?}]}
 *   GET  /state?key=K       {key, value}                                (raw state value, hex; null if absent)
 *   POST /clock/advance {time} -> {time}    only on a steered clock (a simulation's node): moves it forward
 *
 * Every param and body is checked with zod (schemas.ts). Errors answer {code ≠ 0, error, message}
 * with 400 (bad request), 404 (not found) or 503 (node not able to answer); a refused
 * transaction is a normal answer (200) whose code is not 0.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { isGridLedgerError } from '../../errors.ts';
import { codeNumber } from '../../ledger/index.ts';
import type { GridLedgerNode, SubmitResult } from '../node.ts';
import {
  accountSchema,
  addressParamSchema,
  clockAdvanceBodySchema,
  hashParamSchema,
  heightParamSchema,
  stateKeyQuerySchema,
  submitTxBodySchema,
  submitTxsBodySchema,
} from './schemas.ts';
import type { AcceptedJson, BlockJson, ClockJson, ErrorJson, StateValueJson, StatusJson, SubmitBatchResultJson, TxJson } from './schemas.ts';
import type { SteeredClock } from '../steeredClock.ts';

export interface RpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
  /** Largest request body (bytes); batches of transactions need room. */
  bodyLimit?: number;
  /** Default wait for POST /tx with wait (ms). */
  waitTimeoutMs?: number;
  /** The node's steered clock: POST /clock/advance exists only with it. */
  clock?: SteeredClock;
}

export interface RpcServer {
  /** Listens; resolves with the address actually bound. */
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
const DEFAULT_WAIT_MS = 30_000;

function errorJson(error: string, message: string, hash?: string): ErrorJson {
  const json: ErrorJson = { code: codeNumber(error), error, message };
  if (hash !== undefined && hash !== '') json.hash = hash;
  return json;
}

function badRequest(reply: FastifyReply, what: string, error: z.ZodError): FastifyReply {
  const message = error.issues.map((i) => `${i.path.length > 0 ? `${what}.${i.path.join('.')}` : what}: ${i.message}`).join('; ');
  return reply.code(400).send(errorJson('RPC_BAD_REQUEST', message));
}

function submitJson(r: SubmitResult): AcceptedJson | ErrorJson {
  if (r.code === 0) return { hash: r.hash, height: r.height ?? null, code: 0 };
  const error = r.error ?? 'TX_REFUSED';
  return { code: r.code, error, message: r.message ?? error, hash: r.hash };
}

function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function createRpcServer(node: GridLedgerNode, opts: RpcServerOptions): RpcServer {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT });
  const waitMs = opts.waitTimeoutMs ?? DEFAULT_WAIT_MS;

  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorJson('RPC_NOT_FOUND', `no route ${req.method} ${req.url}`)));
  app.setErrorHandler((err, _req, reply) => {
    // Fastify's own refusals (malformed JSON, body too large, wrong content type) carry a 4xx.
    const status = typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    const message = err instanceof Error ? err.message : String(err);
    if (status >= 400 && status < 500) return reply.code(status).send(errorJson('RPC_BAD_REQUEST', message));
    if (isGridLedgerError(err)) return reply.code(503).send(errorJson(err.code, err.message));
    opts.logger?.error({ err }, 'rpc: handler failed');
    return reply.code(500).send(errorJson('RPC_INTERNAL', message));
  });

  app.get('/status', (_req, reply) => {
    const s = node.status();
    const json: StatusJson = {
      height: s.height,
      block_id: s.blockId,
      chain_id: s.chainId,
      validator: s.validator,
      time: s.timeMs,
      app_hash: s.appHash,
      peers: s.peers,
      catching_up: s.catchingUp,
    };
    return reply.send(json);
  });

  const sendBlock = (reply: FastifyReply, height: number): FastifyReply => {
    const b = height < 1 ? null : node.getBlock(height);
    if (b === null) return reply.code(404).send(errorJson('RPC_NOT_FOUND', height < 1 ? 'no block committed yet' : `no block at height ${height}`));
    const json: BlockJson = { height: b.height, block_id: b.blockId, time: b.timeMs, proposer: b.proposer, txs: b.txs };
    return reply.send(json);
  };
  app.get('/block', (_req, reply) => sendBlock(reply, node.status().height));
  app.get('/block/:height', (req, reply) => {
    const p = heightParamSchema.safeParse(req.params);
    if (!p.success) return badRequest(reply, 'height', p.error);
    return sendBlock(reply, p.data.height);
  });

  app.get('/account/:address', (req, reply) => {
    const p = addressParamSchema.safeParse(req.params);
    if (!p.success) return badRequest(reply, 'address', p.error);
    const r = node.query(`account/${p.data.address}`);
    if (r.code !== 0) {
      const error = r.error ?? 'QUERY_FAILED';
      return reply.code(400).send({ code: r.code, error, message: r.message ?? error } satisfies ErrorJson);
    }
    const value = accountSchema.safeParse(r.value);
    if (!value.success) return reply.code(500).send(errorJson('RPC_INTERNAL', 'the ledger answered an unexpected account shape'));
    return reply.send(value.data);
  });

  app.get('/tx/:hash', (req, reply) => {
    const p = hashParamSchema.safeParse(req.params);
    if (!p.success) return badRequest(reply, 'hash', p.error);
    const t = node.getTx(p.data.hash);
    if (t === null) return reply.code(404).send(errorJson('RPC_NOT_FOUND', `no committed transaction ${p.data.hash}`));
    const json: TxJson = { hash: t.hash, height: t.height, index: t.index, code: t.code, log: t.log, tx: Buffer.from(t.bytes).toString('base64') };
    return reply.send(json);
  });

  app.post('/tx', async (req, reply) => {
    const b = submitTxBodySchema.safeParse(req.body);
    if (!b.success) return badRequest(reply, 'body', b.error);
    const r = await node.submitTx(decodeBase64(b.data.tx), { waitForCommit: b.data.wait, timeoutMs: b.data.timeout_ms ?? waitMs });
    return reply.send(submitJson(r));
  });

  app.post('/txs', async (req, reply) => {
    const b = submitTxsBodySchema.safeParse(req.body);
    if (!b.success) return badRequest(reply, 'body', b.error);
    const results = await Promise.all(b.data.txs.map((t) => node.submitTx(decodeBase64(t), { waitForCommit: false })));
    const json: SubmitBatchResultJson = {
      results: results.map((r) => (r.code === 0 ? { hash: r.hash, code: 0 } : { hash: r.hash, code: r.code, error: r.error ?? 'TX_REFUSED' })),
    };
    return reply.send(json);
  });

  app.get('/state', (req, reply) => {
    const q = stateKeyQuerySchema.safeParse(req.query);
    if (!q.success) return badRequest(reply, 'query', q.error);
    const r = node.query(`key/${q.data.key}`);
    if (r.code !== 0) {
      const error = r.error ?? 'QUERY_FAILED';
      return reply.code(400).send({ code: r.code, error, message: r.message ?? error } satisfies ErrorJson);
    }
    const json: StateValueJson = { key: q.data.key, value: typeof r.value === 'string' ? r.value : null };
    return reply.send(json);
  });

  const clock = opts.clock;
  if (clock !== undefined) {
    app.post('/clock/advance', (req, reply) => {
      const b = clockAdvanceBodySchema.safeParse(req.body);
      if (!b.success) return badRequest(reply, 'body', b.error);
      const json: ClockJson = { time: clock.advanceTo(b.data.time) };
      return reply.send(json);
    });
  }

  return {
    async start() {
      await app.listen({ host: opts.host, port: opts.port });
      const addr = app.server.address();
      if (addr === null || typeof addr === 'string') throw new Error('rpc: server has no TCP address');
      return { host: opts.host, port: addr.port };
    },
    async stop() {
      await app.close();
    },
  };
}
