/**
 * The ledger's stable error codes. Each has a fixed number (the `code` of an ABCI result: 0 is
 * success) that never changes once released; new codes take new numbers. Messages may improve,
 * codes and numbers may not.
 */
import { GridLedgerError } from '../errors.ts';
import { MARKET_ERROR_CODES } from './market/codes.ts';

export const ERROR_CODES = {
  // Encoding of any bytes from outside.
  ENCODING_INVALID: 101,
  ENCODING_NOT_CANONICAL: 102,
  ENCODING_UNSUPPORTED: 103,
  HEX_INVALID: 104,
  // Transaction envelope: refused at admission, never in a block.
  TX_TOO_LARGE: 201,
  TX_MALFORMED: 202,
  TX_UNKNOWN_TYPE: 203,
  TX_BODY_INVALID: 204,
  TX_WRONG_CHAIN: 205,
  TX_BAD_SIGNATURE: 206,
  TX_BAD_PUBLIC_KEY: 207,
  TX_FEE_TOO_LOW: 208,
  TX_NONCE_TOO_LOW: 209,
  TX_NONCE_TOO_HIGH: 210,
  TX_INSUFFICIENT_FUNDS: 211,
  TX_DUPLICATE: 212,
  TX_INTERNAL_ERROR: 213,
  AMOUNT_OVERFLOW: 214,
  // Mempool admission.
  MEMPOOL_FULL: 301,
  MEMPOOL_SENDER_LIMIT: 302,
  // Transfers and staking.
  TRANSFER_TO_SELF: 401,
  VALIDATOR_EXISTS: 402,
  VALIDATOR_NOT_FOUND: 403,
  SELF_STAKE_TOO_LOW: 404,
  VALIDATOR_TOMBSTONED: 405,
  DELEGATION_NOT_FOUND: 406,
  UNSTAKE_EXCEEDS_DELEGATION: 407,
  UNBONDING_QUEUE_FULL: 408,
  LAST_VALIDATOR: 409,
  NOT_VALIDATOR_OWNER: 410,
  VALIDATOR_NOT_JAILED: 411,
  JAIL_PERIOD_ACTIVE: 412,
  BAD_KEY: 413,
  // Operator and membership.
  NOT_OPERATOR: 501,
  FEEDER_INVALID: 502,
  FEEDER_MISSING: 503,
  FEEDER_MEMBER_BUS_REMOVED: 504,
  BUS_NOT_IN_FEEDER: 505,
  ALREADY_MEMBER: 506,
  DEPOSIT_TOO_LOW: 507,
  OPERATOR_CANNOT_JOIN: 508,
  MEMBER_NOT_FOUND: 509,
  MEMBER_NOT_PENDING: 510,
  MEMBER_NOT_ACTIVE: 511,
  METER_KEY_IN_USE: 512,
  LEAVE_VETOED: 513,
  // Blocks and the application's protocol with consensus and the node.
  BLOCK_MALFORMED: 601,
  BLOCK_WRONG_CHAIN: 602,
  BLOCK_HEIGHT_MISMATCH: 603,
  BLOCK_TIME_NOT_INCREASING: 604,
  BLOCK_APP_HASH_MISMATCH: 605,
  BLOCK_TXS_ROOT_MISMATCH: 606,
  BLOCK_EVIDENCE_HASH_MISMATCH: 607,
  BLOCK_COMMIT_HASH_MISMATCH: 608,
  BLOCK_TOO_LARGE: 609,
  BLOCK_TOO_MANY_TXS: 610,
  BLOCK_INVALID_TX: 611,
  BLOCK_LAST_ID_MISMATCH: 612,
  APP_NOT_INITIALISED: 620,
  APP_ALREADY_INITIALISED: 621,
  APP_COMMIT_PENDING: 622,
  QUERY_BAD_PATH: 630,
  // Keys, addresses, genesis, stored state.
  ADDRESS_INVALID: 701,
  ADDRESS_CHECKSUM: 702,
  KEY_INVALID: 703,
  KEYFILE_INVALID: 704,
  KEYFILE_BAD_PASSPHRASE: 705,
  KEYFILE_PASSPHRASE_REQUIRED: 706,
  GENESIS_INVALID: 707,
  STATE_CORRUPT: 708,
  NODE_VERSION_MISMATCH: 709,
  // Broken invariants: the node must stop, never commit.
  FATAL_SUPPLY_INVARIANT: 901,
  FATAL_BALANCE_INVARIANT: 902,
  ...MARKET_ERROR_CODES,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Code number for results; 1 for an error from outside the table (e.g. a plug-in's own code). */
export function codeNumber(code: string): number {
  return (ERROR_CODES as Record<string, number>)[code] ?? 1;
}

/** Throws the ledger's error with a code from the table. */
export function reject(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new GridLedgerError(code, message, details === undefined ? {} : { details });
}
