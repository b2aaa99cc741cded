/**
 * What the state holds: one zod schema and codec per record kind, and the key each lives under.
 * Keys are ASCII strings (`acct/<address hex>` ...); the state tree commits to their UTF-8 bytes.
 * A codec's `heldUc` says how much coin the record holds: the supply invariant sums it.
 */
import { z } from 'zod';
import { addUc, posInt, signedUc, uint } from './amounts.ts';
import { toHex } from './bytes.ts';
import { feederModelSchema } from './feeder.ts';
import { marketCodecForKey } from './market/records.ts';
import { paramsSchema } from './params.ts';
import type { Params } from './params.ts';
import { addressBytes, hashBytes, publicKeyBytes } from './schemas.ts';

export interface Codec<T> {
  readonly kind: string;
  readonly schema: z.ZodType<T>;
  readonly heldUc?: (value: T) => number;
}

function codec<T>(kind: string, schema: z.ZodType<T>, heldUc?: (value: T) => number): Codec<T> {
  return heldUc === undefined ? { kind, schema } : { kind, schema, heldUc };
}

export const accountSchema = z.strictObject({ balanceUc: signedUc, nonce: uint });
export type Account = z.infer<typeof accountSchema>;

const delegationSchema = z.strictObject({ delegator: addressBytes, amountUc: posInt });
const unbondingSchema = z.strictObject({
  delegator: addressBytes,
  amountUc: uint,
  /** Height of the block that started it: a slash for an earlier infraction still reaches it. */
  creationHeight: uint,
  completionTimeMs: uint,
});

export const validatorSchema = z.strictObject({
  pubKey: publicKeyBytes,
  /** The account that created it: receives fees, owns the self-stake, may unjail. */
  rewardAddress: addressBytes,
  /** Sorted by delegator bytes. */
  delegations: z.array(delegationSchema),
  /** In creation order. */
  unbonding: z.array(unbondingSchema),
  jailed: z.boolean(),
  jailedUntilMs: uint,
  /** Double-signed: jailed for good. */
  tombstoned: z.boolean(),
  createdHeight: uint,
});
export type Validator = z.infer<typeof validatorSchema>;
export type Delegation = z.infer<typeof delegationSchema>;
export type UnbondingEntry = z.infer<typeof unbondingSchema>;

export const signingInfoSchema = z.strictObject({ sinceHeight: uint, missedHeights: z.array(uint) });
export type SigningInfo = z.infer<typeof signingInfoSchema>;

export const addressListSchema = z.strictObject({ addresses: z.array(addressBytes) });
export type AddressList = z.infer<typeof addressListSchema>;

export const activeSetSchema = z.strictObject({
  validators: z.array(z.strictObject({ address: addressBytes, pubKey: publicKeyBytes, power: posInt })),
});
export type ActiveSet = z.infer<typeof activeSetSchema>;

export const memberSchema = z.strictObject({
  bus: z.int(),
  status: z.enum(['pending', 'active']),
  /** Registered by the operator at approval; null while pending. */
  meterPubKey: publicKeyBytes.nullable(),
  /** What the member said its meter's key is (informational only). */
  meterKeyHint: publicKeyBytes.nullable(),
  depositUc: uint,
  /** Limits at the member's connection, set by the operator (the market caps offers by them). */
  exportLimitW: uint,
  importLimitW: uint,
  requestedHeight: uint,
  joinedHeight: uint.nullable(),
});
export type Member = z.infer<typeof memberSchema>;

export const meterOwnerSchema = z.strictObject({ member: addressBytes });
export type MeterOwner = z.infer<typeof meterOwnerSchema>;

export const operatorSchema = z.strictObject({ pubKey: publicKeyBytes });
export type Operator = z.infer<typeof operatorSchema>;

export const feederRecordSchema = z.strictObject({
  version: posInt,
  modelHash: hashBytes,
  publishedHeight: uint,
  model: feederModelSchema,
});
export type FeederRecord = z.infer<typeof feederRecordSchema>;

export const supplySchema = z.strictObject({ genesisUc: uint, mintedUc: uint, burnedUc: uint });
export type Supply = z.infer<typeof supplySchema>;

export const chainMetaSchema = z.strictObject({ chainId: z.string(), height: uint, timeMs: uint });
export type ChainMeta = z.infer<typeof chainMetaSchema>;

function validatorHeldUc(v: Validator): number {
  let sum = 0;
  for (const d of v.delegations) sum = addUc(sum, d.amountUc);
  for (const u of v.unbonding) sum = addUc(sum, u.amountUc);
  return sum;
}

export const codecs = {
  account: codec<Account>('account', accountSchema, (a) => a.balanceUc),
  validator: codec<Validator>('validator', validatorSchema, validatorHeldUc),
  signingInfo: codec<SigningInfo>('signingInfo', signingInfoSchema),
  addressList: codec<AddressList>('addressList', addressListSchema),
  activeSet: codec<ActiveSet>('activeSet', activeSetSchema),
  member: codec<Member>('member', memberSchema, (m) => m.depositUc),
  meterOwner: codec<MeterOwner>('meterOwner', meterOwnerSchema),
  operator: codec<Operator>('operator', operatorSchema),
  feeder: codec<FeederRecord>('feeder', feederRecordSchema),
  supply: codec<Supply>('supply', supplySchema),
  chainMeta: codec<ChainMeta>('chainMeta', chainMetaSchema),
  params: codec<Params>('params', paramsSchema),
} as const;

// Account keys by address object: a transfer reads and writes the same two accounts several
// times (check, recheck, execution), each time with the address bytes it was decoded with.
// Addresses are never modified, so the memo is pure.
const accountKeys = new WeakMap<Uint8Array, string>();

function accountKey(address: Uint8Array): string {
  let key = accountKeys.get(address);
  if (key === undefined) {
    key = `acct/${toHex(address)}`;
    accountKeys.set(address, key);
  }
  return key;
}

export const stateKeys = {
  chainMeta: 'meta',
  params: 'params',
  supply: 'supply',
  operator: 'operator',
  feeder: 'feeder',
  validatorIndex: 'validators',
  activeSet: 'activeset',
  memberIndex: 'members',
  account: accountKey,
  validator: (address: Uint8Array): string => `val/${toHex(address)}`,
  signingInfo: (address: Uint8Array): string => `sign/${toHex(address)}`,
  member: (address: Uint8Array): string => `member/${toHex(address)}`,
  meterOwner: (meterPubKey: Uint8Array): string => `meter/${toHex(meterPubKey)}`,
} as const;

/** The codec of a stored key, from its prefix (to decode raw state for queries and audits). */
export function codecForKey(key: string): Codec<unknown> | undefined {
  if (key.startsWith('mkt/')) return marketCodecForKey(key);
  const fixed: Record<string, Codec<unknown>> = {
    meta: codecs.chainMeta as Codec<unknown>,
    params: codecs.params as Codec<unknown>,
    supply: codecs.supply as Codec<unknown>,
    operator: codecs.operator as Codec<unknown>,
    feeder: codecs.feeder as Codec<unknown>,
    validators: codecs.addressList as Codec<unknown>,
    activeset: codecs.activeSet as Codec<unknown>,
    members: codecs.addressList as Codec<unknown>,
  };
  const byPrefix: Record<string, Codec<unknown>> = {
    acct: codecs.account as Codec<unknown>,
    val: codecs.validator as Codec<unknown>,
    sign: codecs.signingInfo as Codec<unknown>,
    member: codecs.member as Codec<unknown>,
    meter: codecs.meterOwner as Codec<unknown>,
  };
  const slash = key.indexOf('/');
  return slash < 0 ? fixed[key] : byPrefix[key.slice(0, slash)];
}
