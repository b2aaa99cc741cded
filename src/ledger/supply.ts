/**
 * The coin invariant: everything held (balances, stake bonded and unbonding, deposits) equals
 * genesis + minted − burned. After every block the change of what is held, summed over exactly
 * the records the block wrote, must equal the change of minted − burned: cost grows with what
 * changed, and the check reads stored values, not what the transaction code meant to do.
 */
import { GridLedgerError } from '../errors.ts';
import { decodeWith } from './encoding.ts';
import type { Codec, Supply } from './records.ts';
import { codecForKey, codecs, stateKeys } from './records.ts';
import type { StateReader, Write } from './state.ts';

function held(codec: Codec<unknown>, value: unknown): number {
  return value === undefined || codec.heldUc === undefined ? 0 : codec.heldUc(value);
}

/**
 * Checks a block's writes against the committed state before they are stored. Accounts may not
 * be negative unless listed in `systemAccountKeys` (e.g. the main grid's, issue 6).
 */
export function checkSupplyDelta(committed: StateReader, writes: readonly Write[], systemAccountKeys: ReadonlySet<string> = new Set()): void {
  let delta = 0;
  let supplyAfter: Supply | undefined;
  for (const w of writes) {
    if (w.key === stateKeys.supply) supplyAfter = w.value as Supply | undefined;
    if (w.codec.heldUc === undefined) continue;
    delta += held(w.codec, w.value) - held(w.codec, committed.get(w.key, w.codec));
    if (w.codec === (codecs.account as Codec<unknown>) && w.value !== undefined) {
      const balance = (w.value as { balanceUc: number }).balanceUc;
      if (balance < 0 && !systemAccountKeys.has(w.key)) {
        throw new GridLedgerError('FATAL_BALANCE_INVARIANT', `account ${w.key} would hold ${balance} µc`);
      }
    }
  }
  const before = committed.get(stateKeys.supply, codecs.supply);
  const after = supplyAfter ?? before;
  if (before === undefined || after === undefined) throw new GridLedgerError('FATAL_SUPPLY_INVARIANT', 'supply record missing');
  const expected = after.mintedUc - before.mintedUc - (after.burnedUc - before.burnedUc);
  if (!Number.isSafeInteger(delta) || delta !== expected || after.genesisUc !== before.genesisUc) {
    throw new GridLedgerError('FATAL_SUPPLY_INVARIANT', `coin held changed by ${delta} µc, minted − burned by ${expected} µc`, {
      details: { deltaUc: delta, expectedUc: expected },
    });
  }
}

export interface SupplyAudit {
  readonly heldUc: number;
  readonly expectedUc: number;
  readonly supply: Supply;
}

/** Full scan of stored state (tests, restarts, genesis): throws if the invariant is broken. */
export function auditSupply(entries: Iterable<readonly [string, Uint8Array]>): SupplyAudit {
  let heldUc = 0;
  let supply: Supply | undefined;
  for (const [key, bytes] of entries) {
    const codec = codecForKey(key);
    if (codec === undefined) throw new GridLedgerError('STATE_CORRUPT', `unknown state key ${key}`);
    const value = decodeWith(codec.schema, bytes, 'STATE_CORRUPT', `state value ${key}`);
    if (key === stateKeys.supply) supply = value as Supply;
    heldUc += held(codec, value);
  }
  if (supply === undefined) throw new GridLedgerError('FATAL_SUPPLY_INVARIANT', 'supply record missing');
  const expectedUc = supply.genesisUc + supply.mintedUc - supply.burnedUc;
  if (heldUc !== expectedUc) {
    throw new GridLedgerError('FATAL_SUPPLY_INVARIANT', `state holds ${heldUc} µc, genesis + minted − burned is ${expectedUc} µc`);
  }
  return { heldUc, expectedUc, supply };
}

export function systemAccountKeySet(addresses: readonly Uint8Array[]): ReadonlySet<string> {
  return new Set(addresses.map((a) => stateKeys.account(a)));
}

