/**
 * Where a node resumes (docs/node.md section 1): the chain tip, the validator sets around the
 * next height and the last commit, from the genesis state at height 0, else from the last
 * block's commit record, whose state root the restored state must match.
 */
import type { Commit } from '../consensus/index.ts';
import { ValidatorSet } from '../consensus/index.ts';
import { GridLedgerError } from '../errors.ts';
import { codecs, decodeBlock, decodeCanonical, stateKeys, toHex, ZERO_HASH } from '../ledger/index.ts';
import type { Genesis, LedgerApp } from '../ledger/index.ts';
import type { ChainTip } from './blockValidation.ts';
import { decodeCommitRecord } from './messages.ts';
import type { ChainStore } from './store/chainStore.ts';
import { genesisSets, restoredSets, toConsensusUpdate } from './validatorSets.ts';
import type { ValidatorSets } from './validatorSets.ts';

export interface RestoredChain {
  readonly tip: ChainTip;
  readonly sets: ValidatorSets;
  readonly lastCommit: Commit | undefined;
}

/** Chain tip, validator sets and last commit from the store (genesis state at height 0). */
export function restoreChain(store: ChainStore, app: LedgerApp, genesis: Genesis): RestoredChain {
  const S = store.latestHeight();
  const info = app.info();
  if (info.height !== S) throw new GridLedgerError('NODE_STATE_MISMATCH', `state is at height ${info.height}, blocks at ${S}`);
  const base = { chainId: genesis.chainId, genesisTimeMs: genesis.genesisTimeMs };
  if (S === 0) {
    const active = app.proveKey(stateKeys.activeSet).value;
    if (active === null) throw new GridLedgerError('NODE_STATE_MISMATCH', 'genesis state has no validator set');
    const parsed = codecs.activeSet.schema.safeParse(decodeCanonical(active));
    if (!parsed.success) throw new GridLedgerError('NODE_STATE_MISMATCH', 'stored validator set does not decode');
    const current = ValidatorSet.genesis(parsed.data.validators.map((v) => toConsensusUpdate({ pubKey: v.pubKey, power: v.power })));
    return {
      tip: { ...base, height: 0, blockId: ZERO_HASH, timeMs: genesis.genesisTimeMs },
      sets: genesisSets(current),
      lastCommit: undefined,
    };
  }
  const blockBytes = store.getBlock(S);
  const id = store.getBlockIdAt(S);
  const recordBytes = store.getSeenCommit(S);
  if (blockBytes === undefined || id === undefined || recordBytes === undefined) throw new GridLedgerError('NODE_STORE_INCOMPLETE', `block ${S} is missing its id or commit record`);
  const record = decodeCommitRecord(recordBytes);
  if (toHex(record.appHash) !== toHex(info.appHash)) {
    throw new GridLedgerError('NODE_APP_HASH_MISMATCH', `restored state root ${toHex(info.appHash)} is not the one block ${S} produced (${toHex(record.appHash)})`);
  }
  return {
    tip: { ...base, height: S, blockId: id, timeMs: decodeBlock(blockBytes).header.timeMs },
    sets: restoredSets(record),
    lastCommit: record.commit,
  };
}
