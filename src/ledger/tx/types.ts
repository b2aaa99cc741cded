/**
 * How a transaction type is written: one file per type with its body schema, its stateless
 * checks, its checks against state and its state change (Lodestar's processX/isValidX pattern),
 * registered in one table (registry.ts).
 */
import type { z } from 'zod';
import { reject } from '../codes.ts';
import type { ErrorCode } from '../codes.ts';
import type { TxContext } from '../context.ts';
import { describeIssues } from '../encoding.ts';
import type { StateView } from '../state.ts';

export interface TxDefinition<B> {
  /** The `type` field on the wire. */
  readonly type: string;
  /** The body's schema; a body that fails it is refused with `bodyErrorCode`. */
  readonly body: z.ZodType<B>;
  /** Default TX_BODY_INVALID. */
  readonly bodyErrorCode?: ErrorCode;
  /** Checks on the body and sender alone; throw (reject) to refuse. */
  checkStateless?(body: B, senderAddress: Uint8Array): void;
  /** Checks against state (the fee is already paid); throw (reject) to refuse. */
  checkState(view: StateView, body: B, ctx: TxContext): void;
  /** The state change, run only after checkState passed. */
  apply(view: StateView, body: B, ctx: TxContext): void;
}

/** A transaction's body, parsed and bound to its type's code. */
export interface BoundTx {
  readonly type: string;
  readonly body: unknown;
  checkState(view: StateView, ctx: TxContext): void;
  apply(view: StateView, ctx: TxContext): void;
}

export interface TxType {
  readonly type: string;
  /** Parses the body and runs the stateless checks; throws GridLedgerError on refusal. */
  bind(body: unknown, senderAddress: Uint8Array): BoundTx;
}

export type TxRegistry = ReadonlyMap<string, TxType>;

export function defineTxType<B>(def: TxDefinition<B>): TxType {
  return {
    type: def.type,
    bind(raw, senderAddress) {
      const parsed = def.body.safeParse(raw);
      if (!parsed.success) reject(def.bodyErrorCode ?? 'TX_BODY_INVALID', `${def.type} body: ${describeIssues(parsed.error)}`);
      const body = parsed.data;
      def.checkStateless?.(body, senderAddress);
      return {
        type: def.type,
        body,
        checkState: (view, ctx) => def.checkState(view, body, ctx),
        apply: (view, ctx) => def.apply(view, body, ctx),
      };
    },
  };
}

export function createRegistry(types: readonly TxType[]): TxRegistry {
  const map = new Map<string, TxType>();
  for (const t of types) {
    if (map.has(t.type)) throw new Error(`transaction type ${t.type} registered twice`);
    map.set(t.type, t);
  }
  return map;
}
