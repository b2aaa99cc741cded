/**
 * The node RPC's wire shapes (HTTP JSON on loopback), shared by the server, which validates every
 * request with them, and the client, which validates every answer. Field names are the CLI's
 * JSON (DESIGN.md section 7): the CLI prints what the node answers.
 */
import { z } from 'zod';

const hex = z.string().regex(/^[0-9a-f]*$/, 'lower-case hex');
const hash = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const uint = z.int().min(0);

// ---- requests ----

/** `:height` of GET /block/:height (a decimal number). */
export const heightParamSchema = z.strictObject({ height: z.string().regex(/^[1-9][0-9]{0,15}$/, 'a block height ≥ 1').transform(Number) });
export const addressParamSchema = z.strictObject({ address: z.string().min(1).max(128) });
export const hashParamSchema = z.strictObject({ hash });

/** POST /tx: one signed transaction; with `wait`, the answer comes once it is committed. */
export const submitTxBodySchema = z.strictObject({
  tx: base64.min(4),
  wait: z.boolean().default(false),
  /** How long to wait for the commit (ms). */
  timeout_ms: z.int().min(1).max(600_000).optional(),
});

/** POST /txs: a batch, admitted without waiting (load generators, benchmarks). */
export const submitTxsBodySchema = z.strictObject({ txs: z.array(base64.min(4)).min(1).max(10_000) });

/** GET /state?key=K: a raw state key (e.g. mkt/clr/3). */
export const stateKeyQuerySchema = z.strictObject({ key: z.string().min(1).max(512) });

/** POST /clock/advance (steered clock only): move the node's clock forward to `time` (ms since the epoch). */
export const clockAdvanceBodySchema = z.strictObject({ time: uint });

// ---- answers ----

export const statusSchema = z.strictObject({
  height: uint,
  block_id: hash.nullable(),
  chain_id: z.string(),
  /** This node's validator address (hex), null for a full node. */
  validator: hex.nullable(),
  time: uint,
  app_hash: hex,
  peers: uint,
  catching_up: z.boolean(),
});
export type StatusJson = z.infer<typeof statusSchema>;

export const blockSchema = z.strictObject({
  height: z.int().min(1),
  block_id: hash,
  /** Block time, ms since the epoch. */
  time: uint,
  /** The proposer's validator address (hex). */
  proposer: hex,
  /** The transactions' hashes, in block order. */
  txs: z.array(hash),
});
export type BlockJson = z.infer<typeof blockSchema>;

export const accountSchema = z.strictObject({ address: z.string(), balance: z.int(), nonce: uint });
export type AccountJson = z.infer<typeof accountSchema>;

export const txSchema = z.strictObject({
  hash,
  height: z.int().min(1),
  index: uint,
  /** 0 = executed successfully. */
  code: uint,
  log: z.string(),
  /** The signed transaction (base64). */
  tx: base64,
});
export type TxJson = z.infer<typeof txSchema>;

/** A refusal or an RPC error: `code` ≠ 0 (the ledger's number, 1 outside its table), `error` the stable code. */
export const errorSchema = z.strictObject({ code: z.int().min(1), error: z.string(), message: z.string(), hash: hex.optional() });
export type ErrorJson = z.infer<typeof errorSchema>;

export const acceptedSchema = z.strictObject({ hash, height: z.int().min(1).nullable(), code: z.literal(0) });
export type AcceptedJson = z.infer<typeof acceptedSchema>;

export const submitResultSchema = z.union([acceptedSchema, errorSchema]);
export type SubmitResultJson = z.infer<typeof submitResultSchema>;

/** The committed value under a state key, hex (the ledger's canonical encoding); null when absent. */
export const stateValueSchema = z.strictObject({ key: z.string(), value: hex.nullable() });
export type StateValueJson = z.infer<typeof stateValueSchema>;

/** The node's clock after POST /clock/advance, ms since the epoch. */
export const clockSchema = z.strictObject({ time: uint });
export type ClockJson = z.infer<typeof clockSchema>;

export const submitBatchResultSchema = z.strictObject({
  results: z.array(z.strictObject({ hash: hex, code: uint, error: z.string().optional() })),
});
export type SubmitBatchResultJson = z.infer<typeof submitBatchResultSchema>;
