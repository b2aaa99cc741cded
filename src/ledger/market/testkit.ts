/**
 * A market chain for tests and examples: a devNet with the market's hooks, a feeder, members
 * joined through real signed join_request / approve_join transactions, each with a funded meter
 * account, and helpers to run blocks at an interval's moments. Intervals count from genesis.
 */
import type { FeederModel } from '../../grid/model.ts';
import { getAccount, getSupply } from '../accounts.ts';
import type { CheckTxResult, FinalizeBlockResult } from '../app.ts';
import type { Signer } from '../keys.ts';
import { defaultParams } from '../params.ts';
import type { Params } from '../params.ts';
import type { StateReader } from '../state.ts';
import { devNet, tinyFeeder } from '../testkit.ts';
import type { DevNet } from '../testkit.ts';
import type { Codec } from '../records.ts';
import { decodeWith } from '../encoding.ts';
import { marketAppOptions } from './index.ts';
import { marketParams } from './params.ts';
import type { MarketParams } from './params.ts';
import { marketCodecs, marketKeys } from './records.ts';
import type { ClearingRecord, SettlementRecord } from './records.ts';
import { gateClosureMs, intervalEndMs, intervalStartMs, readingDeadlineMs } from './time.ts';

export const GENESIS_MS = 1_767_225_600_000;

export interface MemberSpec {
  label: string;
  bus: number;
  exportLimitW: number;
  importLimitW: number;
}

export interface MarketMember extends MemberSpec {
  signer: Signer;
  meter: Signer;
}

export interface MarketNet {
  readonly net: DevNet;
  readonly params: Params;
  readonly mp: MarketParams;
  readonly members: Record<string, MarketMember>;
  /** Every block made so far (joins included), to replay on another app. */
  readonly blocks: readonly { readonly timeMs: number; readonly txs: readonly Uint8Array[]; readonly appHash: Uint8Array }[];
  member(label: string): MarketMember;
  /** checkTx at the signer's committed nonce (the devNet's count is untouched); one that passes joins the mempool view. */
  check(signer: Signer, type: string, body: unknown): CheckTxResult;
  /** One block at `timeMs` holding `txs`. */
  blockAt(timeMs: number, txs?: readonly Uint8Array[]): FinalizeBlockResult;
  /** Moments of interval k. */
  gateClosure(k: number): number;
  start(k: number): number;
  end(k: number): number;
  deadline(k: number): number;
  balance(address: Uint8Array): number;
  supply(): { genesisUc: number; mintedUc: number; burnedUc: number };
  clearing(k: number): ClearingRecord | undefined;
  settlement(k: number): SettlementRecord | undefined;
  /** Any state record by key, decoded. */
  record<T>(key: string, codec: Codec<T>): T | undefined;
}

export interface MarketNetOptions {
  feeder: FeederModel;
  members: readonly MemberSpec[];
  /** params.market entries (defaults: the schema's, epochMs = genesis). */
  market?: Record<string, number | string | boolean>;
  fees?: Params['fees'];
  balanceUc?: number;
  chainId?: string;
}

/** The committed state as a reader (decoded through the ledger's codecs). */
function committedReader(net: DevNet): StateReader {
  return {
    get<T>(key: string, codec: Codec<T>): T | undefined {
      const { value } = net.app.proveKey(key);
      if (value === null) return undefined;
      return decodeWith(codec.schema, value, 'STATE_CORRUPT', key);
    },
  };
}

export function marketNet(opts: MarketNetOptions): MarketNet {
  const base = defaultParams();
  const params: Params = { ...base, fees: opts.fees ?? base.fees, market: { epochMs: GENESIS_MS, ...opts.market } };
  const labels = opts.members.flatMap((m) => [m.label, `meter-${m.label}`]);
  const net = devNet({
    chainId: opts.chainId ?? 'market-1',
    genesisTimeMs: GENESIS_MS,
    params,
    feeder: opts.feeder,
    accounts: labels,
    balanceUc: opts.balanceUc ?? 100_000_000,
    app: marketAppOptions(params),
  });
  const members: Record<string, MarketMember> = {};
  for (const m of opts.members) {
    const signer = net.chain.accounts[m.label];
    const meter = net.chain.accounts[`meter-${m.label}`];
    if (signer === undefined || meter === undefined) throw new Error(`no account for ${m.label}`);
    members[m.label] = { ...m, signer, meter };
  }
  const mp = marketParams(params);
  const reader = committedReader(net);
  const blocks: { timeMs: number; txs: readonly Uint8Array[]; appHash: Uint8Array }[] = [];
  const run = (txs: readonly Uint8Array[], timeMs?: number): FinalizeBlockResult => {
    const r = net.block(txs, timeMs === undefined ? {} : { timeMs });
    blocks.push({ timeMs: net.timeMs, txs, appHash: r.appHash });
    return r;
  };
  const requireOk = (r: FinalizeBlockResult): FinalizeBlockResult => {
    for (const t of r.txResults) if (t.code !== 0) throw new Error(`transaction failed: ${t.error ?? ''} ${t.log}`);
    return r;
  };
  // Join: requests in one block, the operator's approvals (registering each meter key) in the next.
  const list = Object.values(members);
  requireOk(
    run(list.map((m) => net.tx(m.signer, 'join_request', { bus: m.bus, meterKeyHint: null, depositUc: base.membership.depositUc, exportLimitW: m.exportLimitW, importLimitW: m.importLimitW }))),
  );
  requireOk(
    run(
      list.map((m) =>
        net.tx(net.chain.operator, 'approve_join', { member: m.signer.address, bus: m.bus, meterPubKey: m.meter.publicKey, exportLimitW: m.exportLimitW, importLimitW: m.importLimitW }),
      ),
    ),
  );
  return {
    net,
    params,
    mp,
    members,
    blocks,
    member(label) {
      const m = members[label];
      if (m === undefined) throw new Error(`no member ${label}`);
      return m;
    },
    check: (signer, type, body) => net.check(net.tx(signer, type, body, { nonce: getAccount(reader, signer.address).nonce })),
    blockAt: (timeMs, txs = []) => run(txs, timeMs),
    gateClosure: (k) => gateClosureMs(mp, k),
    start: (k) => intervalStartMs(mp, k),
    end: (k) => intervalEndMs(mp, k),
    deadline: (k) => readingDeadlineMs(mp, k),
    balance: (address) => getAccount(reader, address).balanceUc,
    supply: () => getSupply(reader),
    clearing: (k) => reader.get(marketKeys.clearing(k), marketCodecs.clearing),
    settlement: (k) => reader.get(marketKeys.settlement(k), marketCodecs.settlement),
    record: (key, codec) => reader.get(key, codec),
  };
}

/** The worked example's rates (DESIGN.md section 2), µc/kWh and ppm: the tests' common market. */
export const WORKED_RATES = { retailUcPerKwh: 300_000, feedInUcPerKwh: 80_000, gridFeeUcPerKwh: 20_000, taxPpm: 100_000, mintUcPerKwh: 50_000 };

/** The worked example's two members on a 3-bus feeder: A produces at bus 2, B consumes at bus 3. */
export function workedPair(opts: Omit<MarketNetOptions, 'feeder' | 'members'> = {}): { m: MarketNet; A: MarketMember; B: MarketMember } {
  const m = marketNet({
    market: WORKED_RATES,
    ...opts,
    feeder: tinyFeeder(3),
    members: [
      { label: 'A', bus: 2, exportLimitW: 20_000, importLimitW: 20_000 },
      { label: 'B', bus: 3, exportLimitW: 0, importLimitW: 20_000 },
    ],
  });
  return { m, A: m.member('A'), B: m.member('B') };
}
