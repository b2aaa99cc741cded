/**
 * One error base for the whole project (viem's BaseError pattern): a stable machine-readable
 * `code`, a short human message, and the underlying `cause` kept for logs.
 */
export class GridLedgerError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GridLedgerError';
    this.code = code;
    this.details = options.details;
  }
}

export function isGridLedgerError(e: unknown): e is GridLedgerError {
  return e instanceof GridLedgerError;
}

/** The code of the GridLedgerError that `f` throws, undefined if it returns; any other error is rethrown. */
export function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isGridLedgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}
