/**
 * Read-only queries on committed state, answered as JSON-ready values (addresses in text form,
 * bytes as hex, money in µc). Paths:
 *
 *   info                      {chainId, height, timeMs, appHash}
 *   account/<address>         {address, balance, nonce}           (balance in µc)
 *   validator/<address>       one validator;  validators: all, with the active set
 *   member/<address>          one member;     members: all
 *   operator | feeder | params | supply
 *   key/<state key>           raw value (hex) of any state key
 *
 * With `prove`, single-key paths also return the raw key, value bytes and a state proof against
 * the app hash (verifyStateProof), for light clients.
 */
import { isGridLedgerError } from '../errors.ts';
import { addressFromPublicKey, formatAddress, parseAddress } from './address.ts';
import { toHex } from './bytes.ts';
import { codeNumber } from './codes.ts';
import type { Account, FeederRecord, Member, Supply, Validator } from './records.ts';
import { codecs, stateKeys } from './records.ts';
import type { StateProof } from './smt.ts';
import { bondedUc, selfStakeUc } from './staking.ts';
import type { StateStore } from './store.ts';

export interface QueryResult {
  /** 0 on success; otherwise the number of `error`. */
  readonly code: number;
  readonly error?: string;
  readonly log: string;
  /** Height of the state answered from. */
  readonly height: number;
  /** JSON-ready answer; null when the key holds nothing. */
  readonly value: unknown;
  readonly key?: string;
  readonly valueBytes?: Uint8Array | null;
  readonly proof?: StateProof;
}

export function accountJson(address: Uint8Array, a: Account): { address: string; balance: number; nonce: number } {
  return { address: formatAddress(address), balance: a.balanceUc, nonce: a.nonce };
}

export function validatorJson(address: Uint8Array, v: Validator, powerReductionUc: number): Record<string, unknown> {
  return {
    address: formatAddress(address),
    pubKey: toHex(v.pubKey),
    rewardAddress: formatAddress(v.rewardAddress),
    bondedUc: bondedUc(v),
    selfStakeUc: selfStakeUc(v),
    power: Math.floor(bondedUc(v) / powerReductionUc),
    jailed: v.jailed,
    jailedUntilMs: v.jailedUntilMs,
    tombstoned: v.tombstoned,
    createdHeight: v.createdHeight,
    delegations: v.delegations.map((d) => ({ delegator: formatAddress(d.delegator), amountUc: d.amountUc })),
    unbonding: v.unbonding.map((u) => ({ ...u, delegator: formatAddress(u.delegator) })),
  };
}

export function memberJson(address: Uint8Array, m: Member): Record<string, unknown> {
  return {
    address: formatAddress(address),
    bus: m.bus,
    status: m.status,
    meterPubKey: m.meterPubKey === null ? null : toHex(m.meterPubKey),
    meterKeyHint: m.meterKeyHint === null ? null : toHex(m.meterKeyHint),
    depositUc: m.depositUc,
    exportLimitW: m.exportLimitW,
    importLimitW: m.importLimitW,
    requestedHeight: m.requestedHeight,
    joinedHeight: m.joinedHeight,
  };
}

export function feederJson(f: FeederRecord): Record<string, unknown> {
  return { version: f.version, modelHash: toHex(f.modelHash), publishedHeight: f.publishedHeight, model: f.model };
}

export function supplyJson(s: Supply): Record<string, unknown> {
  return { ...s, totalUc: s.genesisUc + s.mintedUc - s.burnedUc };
}

function answer(store: StateStore, height: number, key: string, value: unknown, prove: boolean): QueryResult {
  const base = { code: 0, log: 'ok', height, value };
  if (!prove) return base;
  return { ...base, key, valueBytes: store.getBytes(key) ?? null, proof: store.prove(key) };
}

export function runQuery(store: StateStore, path: string, prove: boolean): QueryResult {
  const meta = store.get(stateKeys.chainMeta, codecs.chainMeta);
  const height = meta?.height ?? 0;
  try {
    const params = store.get(stateKeys.params, codecs.params);
    const slash = path.indexOf('/');
    const head = slash < 0 ? path : path.slice(0, slash);
    const arg = slash < 0 ? '' : path.slice(slash + 1);
    switch (head) {
      case 'info':
        return { code: 0, log: 'ok', height, value: { chainId: meta?.chainId ?? '', height, timeMs: meta?.timeMs ?? 0, appHash: toHex(store.root()) } };
      case 'account': {
        const address = parseAddress(arg);
        const key = stateKeys.account(address);
        return answer(store, height, key, accountJson(address, store.get(key, codecs.account) ?? { balanceUc: 0, nonce: 0 }), prove);
      }
      case 'validator': {
        const address = parseAddress(arg);
        const key = stateKeys.validator(address);
        const v = store.get(key, codecs.validator);
        return answer(store, height, key, v === undefined ? null : validatorJson(address, v, params?.staking.powerReductionUc ?? 1), prove);
      }
      case 'validators': {
        const all = store.get(stateKeys.validatorIndex, codecs.addressList)?.addresses ?? [];
        const active = store.get(stateKeys.activeSet, codecs.activeSet)?.validators ?? [];
        return {
          code: 0,
          log: 'ok',
          height,
          value: {
            validators: all.flatMap((a) => {
              const v = store.get(stateKeys.validator(a), codecs.validator);
              return v === undefined ? [] : [validatorJson(a, v, params?.staking.powerReductionUc ?? 1)];
            }),
            active: active.map((v) => ({ address: formatAddress(v.address), pubKey: toHex(v.pubKey), power: v.power })),
          },
        };
      }
      case 'member': {
        const address = parseAddress(arg);
        const key = stateKeys.member(address);
        const m = store.get(key, codecs.member);
        return answer(store, height, key, m === undefined ? null : memberJson(address, m), prove);
      }
      case 'members': {
        const all = store.get(stateKeys.memberIndex, codecs.addressList)?.addresses ?? [];
        return {
          code: 0,
          log: 'ok',
          height,
          value: all.flatMap((a) => {
            const m = store.get(stateKeys.member(a), codecs.member);
            return m === undefined ? [] : [memberJson(a, m)];
          }),
        };
      }
      case 'operator': {
        const op = store.get(stateKeys.operator, codecs.operator);
        const value = op === undefined ? null : { publicKey: toHex(op.pubKey), address: formatAddress(addressFromPublicKey(op.pubKey)) };
        return answer(store, height, stateKeys.operator, value, prove);
      }
      case 'feeder': {
        const f = store.get(stateKeys.feeder, codecs.feeder);
        return answer(store, height, stateKeys.feeder, f === undefined ? null : feederJson(f), prove);
      }
      case 'params':
        return answer(store, height, stateKeys.params, params ?? null, prove);
      case 'supply': {
        const s = store.get(stateKeys.supply, codecs.supply);
        return answer(store, height, stateKeys.supply, s === undefined ? null : supplyJson(s), prove);
      }
      case 'key': {
        const bytes = store.getBytes(arg);
        return answer(store, height, arg, bytes === undefined ? null : toHex(bytes), prove);
      }
      default:
        return { code: codeNumber('QUERY_BAD_PATH'), error: 'QUERY_BAD_PATH', log: `unknown query path "${path}"`, height, value: null };
    }
  } catch (e) {
    if (!isGridLedgerError(e)) throw e;
    return { code: codeNumber(e.code), error: e.code, log: e.message, height, value: null };
  }
}
