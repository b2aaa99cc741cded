/**
 * The genesis file (JSON): chain id, genesis time, parameters, operator key, initial accounts,
 * validators with their self-stake, and optionally the feeder model and founding members.
 * Everything held at genesis (balances, stakes, deposits) is the genesis supply.
 */
import { z } from 'zod';
import type { FeederModel } from '../grid/model.ts';
import { addressFromPublicKey, addressText, formatAddress } from './address.ts';
import { uint } from './amounts.ts';
import { setAccount } from './accounts.ts';
import { compareBytes, toHex } from './bytes.ts';
import { reject } from './codes.ts';
import { encodeCanonical, parseWith } from './encoding.ts';
import { feederHasBus, feederModelHash, feederModelSchema } from './feeder.ts';
import { sha256 } from './hash.ts';
import { isRegistrableKey } from './keys.ts';
import { setMember } from './members.ts';
import { paramsSchema } from './params.ts';
import type { Params } from './params.ts';
import { codecs, stateKeys } from './records.ts';
import { hexOf } from './schemas.ts';
import { addValidatorToIndex, setValidator, updateValidatorSet, withDelegation } from './staking.ts';
import type { ValidatorUpdate } from './staking.ts';
import type { StateView } from './state.ts';

export const CHAIN_ID_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;

const genesisSchema = z.strictObject({
  chainId: z.string().regex(CHAIN_ID_RE, 'chain id: lower-case letters, digits and dashes, at most 48'),
  genesisTimeMs: uint,
  params: paramsSchema,
  operator: z.strictObject({ publicKey: hexOf(32) }),
  accounts: z.array(z.strictObject({ address: addressText, balanceUc: uint })),
  validators: z.array(z.strictObject({ publicKey: hexOf(32), rewardAddress: addressText, stakeUc: z.int().min(1) })).min(1),
  feeder: feederModelSchema.exactOptional(),
  members: z
    .array(
      z.strictObject({
        address: addressText,
        bus: z.int(),
        meterPublicKey: hexOf(32),
        depositUc: uint,
        exportLimitW: uint,
        importLimitW: uint,
      }),
    )
    .exactOptional(),
});

export type Genesis = z.infer<typeof genesisSchema>;

/** The genesis file as JSON (what `parseGenesis` reads back). */
export interface GenesisJson {
  chainId: string;
  genesisTimeMs: number;
  params: Params;
  operator: { publicKey: string };
  accounts: Array<{ address: string; balanceUc: number }>;
  validators: Array<{ publicKey: string; rewardAddress: string; stakeUc: number }>;
  feeder?: FeederModel;
  members?: Array<{ address: string; bus: number; meterPublicKey: string; depositUc: number; exportLimitW: number; importLimitW: number }>;
}

function unique(items: readonly Uint8Array[]): boolean {
  return new Set(items.map(toHex)).size === items.length;
}

/** Parses and checks a genesis file (already JSON-parsed). Throws GENESIS_INVALID. */
export function parseGenesis(json: unknown): Genesis {
  const g = parseWith(genesisSchema, json, 'GENESIS_INVALID', 'genesis');
  const bad = (message: string): never => reject('GENESIS_INVALID', `genesis: ${message}`);
  if (!unique(g.accounts.map((a) => a.address))) bad('an address appears twice in accounts');
  if (!unique(g.validators.map((v) => v.publicKey))) bad('a validator key appears twice');
  for (const v of g.validators) if (!isRegistrableKey(v.publicKey)) bad(`validator key ${toHex(v.publicKey)} is not a valid public key`);
  if (!isRegistrableKey(g.operator.publicKey)) bad('operator key is not a valid public key');
  for (const v of g.validators) if (v.stakeUc < g.params.staking.minSelfStakeUc) bad('a validator stake is below minSelfStakeUc');
  const members = g.members ?? [];
  if (members.length > 0 && g.feeder === undefined) bad('members need a feeder model');
  if (!unique(members.map((m) => m.address))) bad('a member appears twice');
  if (!unique(members.map((m) => m.meterPublicKey))) bad('a meter key appears twice');
  for (const m of members) {
    if (g.feeder !== undefined && !feederHasBus(g.feeder, m.bus)) bad(`member bus ${m.bus} is not in the feeder`);
    if (!isRegistrableKey(m.meterPublicKey)) bad('a meter key is not a valid public key');
  }
  let total = 0;
  for (const x of [...g.accounts.map((a) => a.balanceUc), ...g.validators.map((v) => v.stakeUc), ...members.map((m) => m.depositUc)]) {
    total += x;
    if (!Number.isSafeInteger(total)) bad('total supply exceeds 2^53 µc');
  }
  return g;
}

export function genesisToJson(g: Genesis): GenesisJson {
  const json: GenesisJson = {
    chainId: g.chainId,
    genesisTimeMs: g.genesisTimeMs,
    params: g.params,
    operator: { publicKey: toHex(g.operator.publicKey) },
    accounts: g.accounts.map((a) => ({ address: formatAddress(a.address), balanceUc: a.balanceUc })),
    validators: g.validators.map((v) => ({ publicKey: toHex(v.publicKey), rewardAddress: formatAddress(v.rewardAddress), stakeUc: v.stakeUc })),
  };
  if (g.feeder !== undefined) json.feeder = g.feeder;
  if (g.members !== undefined) {
    json.members = g.members.map((m) => ({ ...m, address: formatAddress(m.address), meterPublicKey: toHex(m.meterPublicKey) }));
  }
  return json;
}

/** SHA-256 of the genesis's canonical encoding: identifies the chain's starting point. */
export function genesisHash(g: Genesis): Uint8Array {
  return sha256(encodeCanonical(genesisToJson(g)));
}

/** Writes the genesis state; returns the initial validator set. */
export function writeGenesisState(view: StateView, g: Genesis): ValidatorUpdate[] {
  view.set(stateKeys.chainMeta, codecs.chainMeta, { chainId: g.chainId, height: 0, timeMs: g.genesisTimeMs });
  view.set(stateKeys.params, codecs.params, g.params);
  view.set(stateKeys.operator, codecs.operator, { pubKey: g.operator.publicKey });
  let genesisUc = 0;
  for (const a of [...g.accounts].sort((x, y) => compareBytes(x.address, y.address))) {
    setAccount(view, a.address, { balanceUc: a.balanceUc, nonce: 0 });
    genesisUc += a.balanceUc;
  }
  for (const v of g.validators) {
    const address = addressFromPublicKey(v.publicKey);
    const empty = { pubKey: v.publicKey, rewardAddress: v.rewardAddress, delegations: [], unbonding: [], jailed: false, jailedUntilMs: 0, tombstoned: false, createdHeight: 0 };
    setValidator(view, address, withDelegation(empty, v.rewardAddress, v.stakeUc));
    addValidatorToIndex(view, address);
    genesisUc += v.stakeUc;
  }
  if (g.feeder !== undefined) {
    view.set(stateKeys.feeder, codecs.feeder, { version: 1, modelHash: feederModelHash(g.feeder), publishedHeight: 0, model: g.feeder });
  }
  for (const m of g.members ?? []) {
    setMember(view, m.address, {
      bus: m.bus,
      status: 'active',
      meterPubKey: m.meterPublicKey,
      meterKeyHint: null,
      depositUc: m.depositUc,
      exportLimitW: m.exportLimitW,
      importLimitW: m.importLimitW,
      requestedHeight: 0,
      joinedHeight: 0,
    });
    view.set(stateKeys.meterOwner(m.meterPublicKey), codecs.meterOwner, { member: m.address });
    genesisUc += m.depositUc;
  }
  view.set(stateKeys.supply, codecs.supply, { genesisUc, mintedUc: 0, burnedUc: 0 });
  const updates = updateValidatorSet(view, g.params);
  if (updates.length === 0) reject('GENESIS_INVALID', 'genesis: no validator has voting power');
  return updates;
}
