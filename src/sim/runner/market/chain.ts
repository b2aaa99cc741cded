/**
 * One microgrid's market ON ITS OWN CHAIN: a cluster of the scenario's validators (4 by default)
 * in this process over the in-process hub, on a virtual clock, making blocks only when
 * transactions wait or a market deadline comes (on-demand policy; `needsBlockAt` names the next
 * gate closure or reading deadline from the market's cursor in state). Timing: timing.ts.
 *
 * Genesis from the scenario: the operator's feeder (the members' feeder without background,
 * feeder.ts), the prices, tax and mint rate as market parameters with intervals numbered from the
 * scenario's start, funded accounts for every member and its meter. Before the first gate
 * closure each member joins with a signed join_request, the operator approves it and registers
 * the member's meter key, and the standing contracts are proposed and accepted.
 *
 * Per interval, every step is a signed transaction or an end-block step every validator runs:
 * orders before gate closure, clearing (contracts, auction, grid check) in the first block at or
 * after it, meter readings signed by the meters' keys and the PCC reading signed by the operator
 * after the interval, settlement in the first block at or after the reading deadline. Everything
 * `outcome()` returns is read back from the chain's state (settlement and clearing records, the
 * supply, the treasury's account) through the node's query interface.
 */
import { z } from 'zod';
import { GridLedgerError } from '../../../errors.ts';
import type { FeederModel } from '../../../grid/model.ts';
import { buildTx, defaultParams, formatAddress, toHex } from '../../../ledger/index.ts';
import type { Params, Signer } from '../../../ledger/index.ts';
import {
  gateClosureMs,
  marketAppOptions,
  marketCodecs,
  marketKeys,
  marketParams,
  readingDeadlineMs,
  readMarketRecord,
} from '../../../ledger/market/index.ts';
import type { MarketParams, MarketParamsInput } from '../../../ledger/market/index.ts';
import { MAX_CONTRACT_INTERVALS } from '../../../ledger/tx/contractCreate.ts';
import { startCluster, stopCluster, type Cluster } from '../../../node/cluster.ts';
import type { ContractPlan } from '../../agents/contracts.ts';
import type { City, CityMicrogrid } from '../city.ts';
import { settlementRates } from '../rates.ts';
import { readingWindowMinutes } from '../timing.ts';
import type { SettlementRates } from '../../../market/settlement.ts';
import { runningNodeMajor } from '../../../node/nodeRuntime.ts';
import type {
  ClearingOutcome,
  IntervalClearingView,
  IntervalSettlementView,
  MarketBackend,
  MarketOutcome,
  SubmitBatch,
} from './backend.ts';

/** Every member's connection: 3 × 63 A at 230 V. */
export const CONNECTION_LIMIT_W = 43_000;
/** Funds of each member and meter account at genesis: 1,000 coin. */
export const ACCOUNT_BALANCE_UC = 1_000_000_000;
/** Transaction fees of the simulation chains: 100 µc a transaction (paid by members and meters, to validators). */
export const SIM_FEES = { baseUc: 100, perByteUc: 0 } as const;
/** Genesis comes this long before the first interval: time for joins and contracts. */
const GENESIS_LEAD_MS = 3_600_000;
/** A batch of orders and readings goes in this long before the gate closure (or deadline) it is for. */
const SUBMIT_MARGIN_MS = 30_000;
/** A step waits at most this much virtual time for its transactions' block. */
const STEP_TIMEOUT_MS = 60_000;
/** In-process validators lose no message: status gossip is needed only to resync, so rarely. */
const GOSSIP_INTERVAL_MS = 60_000;

export interface ChainTiming {
  gateClosureLeadMs: number;
  readingDeadlineMs: number;
}

/** The market's gate closure lead and reading window (timing.ts). */
export function chainTiming(intervalMinutes: number, gateClosureLeadMinutes: number): ChainTiming {
  return { gateClosureLeadMs: gateClosureLeadMinutes * 60_000, readingDeadlineMs: readingWindowMinutes(intervalMinutes, gateClosureLeadMinutes) * 60_000 };
}

/** A chain id from a microgrid name: lower-case letters, digits and dashes. */
export function chainIdFor(microgrid: string): string {
  return `mg-${microgrid.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 48);
}

/** Everything a microgrid's chain is built from: plain data, so a worker thread can receive it. */
export interface ChainMarketSpec {
  name: string;
  validators: { count: number; stakeUc: number };
  feeder: FeederModel;
  members: ReadonlyArray<{ id: string; bus: number }>;
  startMs: number;
  intervalMs: number;
  intervals: number;
  intervalMinutes: number;
  gateClosureLeadMinutes: number;
  rates: SettlementRates;
}

export function chainMarketSpec(city: City, mg: CityMicrogrid): ChainMarketSpec {
  return {
    name: mg.spec.name,
    validators: { count: mg.spec.validators.count, stakeUc: mg.spec.validators.stakeUc },
    feeder: mg.feeder.model,
    members: mg.members.map((m) => ({ id: m.id, bus: m.bus })),
    startMs: city.grid.startMs,
    intervalMs: city.intervalMs,
    intervals: city.grid.count,
    intervalMinutes: city.scenario.intervalMinutes,
    gateClosureLeadMinutes: city.scenario.gateClosureLeadMinutes,
    rates: settlementRates(city.scenario),
  };
}

interface ChainMember {
  id: string;
  bus: number;
  signer: Signer;
  meter: Signer;
}

export interface ChainMarketOptions {
  /** Called with the cluster once it runs (tests read the chain's state through it). */
  onCluster?: (cluster: Cluster) => void;
}

export async function createChainMarket(spec: ChainMarketSpec, opts: ChainMarketOptions = {}): Promise<MarketBackend> {
  const timing = chainTiming(spec.intervalMinutes, spec.gateClosureLeadMinutes);
  const { rates } = spec;
  const market: MarketParamsInput = {
    epochMs: spec.startMs,
    intervalMs: spec.intervalMs,
    gateClosureLeadMs: timing.gateClosureLeadMs,
    readingDeadlineMs: timing.readingDeadlineMs,
    retailUcPerKwh: rates.retailUcPerKwh,
    feedInUcPerKwh: rates.feedInUcPerKwh,
    gridFeeUcPerKwh: rates.gridFeeUcPerKwh,
    gridFeePerLineUcPerKwh: rates.gridFeePerLineUcPerKwh,
    taxPpm: rates.taxPpm,
    mintUcPerKwh: rates.mintUcPerKwh,
    missingReadingPenaltyUc: rates.missingReadingPenaltyUc,
    lossToleranceWh: rates.lossToleranceWh,
    lossMaxPpm: rates.lossMaxPpm,
  };
  const base = { ...defaultParams(), nodeMajorVersion: runningNodeMajor() };
  const params: Params = { ...base, fees: { ...SIM_FEES }, market: market as Params['market'] };
  const mp = marketParams(params);
  const labels = spec.members.flatMap((m) => [m.id, `meter-${m.id}`]);
  const cluster = await startCluster({
    validators: spec.validators.count,
    chainId: chainIdFor(spec.name),
    genesis: {
      genesisTimeMs: spec.startMs - GENESIS_LEAD_MS,
      params,
      feeder: spec.feeder,
      accounts: labels,
      balanceUc: ACCOUNT_BALANCE_UC,
      stakeUc: spec.validators.stakeUc,
    },
    clock: 'virtual',
    blockPolicy: { kind: 'on-demand' },
    app: marketAppOptions(params),
    needsBlockAt: (app) => nextMarketDeadline(app, mp),
    gossipIntervalMs: GOSSIP_INTERVAL_MS,
  });
  opts.onCluster?.(cluster);
  const chain = new ChainDriver(cluster, params);
  const members: ChainMember[] = spec.members.map((m) => {
    const signer = cluster.chain.accounts[m.id];
    const meter = cluster.chain.accounts[`meter-${m.id}`];
    if (signer === undefined || meter === undefined) throw new Error(`no dev account for ${m.id}`);
    return { id: m.id, bus: m.bus, signer, meter };
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  const byAddress = new Map(members.map((m) => [toHex(m.signer.address), m]));
  const member = (id: string): ChainMember => {
    const m = byId.get(id);
    if (m === undefined) throw new Error(`unknown member ${id}`);
    return m;
  };
  const operator = cluster.chain.operator;
  const treasury = formatAddress(mp.treasuryAddress);
  const startBalances = { treasuryUc: chain.balance(treasury), mintedUc: chain.mintedUc() };

  // Membership: requests in one block, the operator's approvals (registering the meters) in the next.
  await chain.send(
    members.map((m) => ({
      signer: m.signer,
      type: 'join_request',
      body: { bus: m.bus, meterKeyHint: null, depositUc: base.membership.depositUc, exportLimitW: CONNECTION_LIMIT_W, importLimitW: CONNECTION_LIMIT_W },
    })),
  );
  await chain.send(
    members.map((m) => ({
      signer: operator,
      type: 'approve_join',
      body: { member: m.signer.address, bus: m.bus, meterPubKey: m.meter.publicKey, exportLimitW: CONNECTION_LIMIT_W, importLimitW: CONNECTION_LIMIT_W },
    })),
  );

  const clearings: IntervalClearingView[] = [];
  const settlements: IntervalSettlementView[] = [];
  // A contract covers the run, up to the longest window the chain allows.
  const lastInterval = Math.min(spec.intervals, MAX_CONTRACT_INTERVALS) - 1;

  return {
    mode: 'chain',
    async openContracts(contracts: readonly ContractPlan[]) {
      if (contracts.length === 0) return;
      const before = chain.contractIds();
      await chain.send(
        contracts.map((c) => ({
          signer: member(c.seller).signer,
          type: 'contract_create',
          body: {
            counterparty: member(c.buyer).signer.address,
            role: 'seller',
            energyWh: c.energyWhPerInterval,
            priceUcPerKwh: c.priceUcPerKwh,
            fromInterval: 0,
            toInterval: lastInterval,
            flexible: c.flexible,
            condition: c.condition,
            noticeIntervals: 0,
          },
        })),
      );
      const created = chain.contractIds().filter((id) => !before.includes(id));
      await chain.send(
        created.map((id) => {
          const record = chain.record(marketKeys.contract(id), marketCodecs.contract);
          const buyer = record === undefined ? undefined : byAddress.get(toHex(record.buyer));
          if (buyer === undefined) throw new Error(`contract ${id} has no known buyer`);
          return { signer: buyer.signer, type: 'contract_accept', body: { contractId: id } };
        }),
      );
    },
    async submit(batch: SubmitBatch) {
      // Just before the gate closure of the orders' interval (or, readings alone, of the
      // interval their deadline is), so the batch's block comes before the deadline's pair.
      const moment = batch.orders !== undefined ? gateClosureMs(mp, batch.orders.interval) : batch.readings === undefined ? null : readingDeadlineMs(mp, batch.readings.interval);
      if (moment === null) return;
      await chain.advanceTo(moment - SUBMIT_MARGIN_MS);
      const txs: TxSpec[] = [];
      if (batch.readings !== undefined) {
        const k = batch.readings.interval;
        for (const r of batch.readings.members) {
          txs.push({ signer: member(r.memberId).meter, type: 'meter_reading', body: { interval: k, producedWh: r.producedWh, consumedWh: r.consumedWh, renewableWh: r.renewableWh } });
        }
        txs.push({ signer: operator, type: 'pcc_reading', body: { interval: k, importWh: batch.readings.pcc.importWh, exportWh: batch.readings.pcc.exportWh } });
      }
      const placed = new Map<string, number>();
      if (batch.orders !== undefined) {
        const k = batch.orders.interval;
        for (const { memberId, order } of batch.orders.orders) {
          const m = member(memberId);
          txs.push({ signer: m.signer, type: 'order', body: { ...order, bus: m.bus, fromInterval: k, intervals: 1 } });
          placed.set(memberId, (placed.get(memberId) ?? 0) + 1);
        }
      }
      await chain.send(txs);
      // Every order must be on the book: each member's position for the interval lists them.
      for (const [memberId, count] of placed) {
        const k = batch.orders?.interval ?? 0;
        const position = chain.record(marketKeys.position(k, member(memberId).signer.address), marketCodecs.position);
        if ((position?.orders.length ?? 0) !== count) {
          throw new GridLedgerError('SIM_TX_FAILED', `microgrid "${spec.name}": ${memberId} placed ${count} orders for interval ${k}, the chain holds ${position?.orders.length ?? 0}`);
        }
      }
    },
    async clear(k): Promise<ClearingOutcome> {
      const record = await chain.waitForRecord(marketKeys.clearing(k), marketCodecs.clearing, `the clearing of interval ${k}`);
      if (record.status !== 'cleared') throw new GridLedgerError('SIM_CLEARING', `microgrid "${spec.name}": interval ${k} was not cleared (${record.status})`);
      const tradedNetWh = new Map<string, number>();
      const add = (address: Uint8Array, wh: number): void => {
        const m = byAddress.get(toHex(address));
        if (m === undefined) throw new Error(`trade of a non-member ${formatAddress(address)}`);
        tradedNetWh.set(m.id, (tradedNetWh.get(m.id) ?? 0) + wh);
      };
      for (const t of record.trades) {
        add(t.seller, t.energyWh);
        add(t.buyer, -t.energyWh);
      }
      clearings.push({ interval: k, priceUcPerKwh: record.clearingPriceUcPerKwh, curtailedWh: record.curtailed.reduce((s, c) => s + c.energyWh, 0) });
      return { tradedNetWh };
    },
    async settle(k) {
      await chain.advanceTo(readingDeadlineMs(mp, k));
      const s = await chain.waitForRecord(marketKeys.settlement(k), marketCodecs.settlement, `the settlement of interval ${k}`);
      const unmetered = s.members.filter((x) => !x.metered).length;
      if (unmetered > 0) throw new GridLedgerError('SIM_SETTLEMENT', `microgrid "${spec.name}": interval ${k} settled without the readings of ${unmetered} members`);
      if (s.status === 'failed' || s.pcc === null || s.lossesWh === null) {
        throw new GridLedgerError('SIM_SETTLEMENT', `microgrid "${spec.name}": interval ${k} settled as ${s.status}${s.flagReason === null ? '' : `: ${s.flagReason}`}`);
      }
      settlements.push({
        interval: k,
        pcc: { importWh: s.pcc.importWh, exportWh: s.pcc.exportWh },
        lossesWh: s.lossesWh,
        tradedWh: s.totals.tradedWh,
        mintedUc: s.totals.mintedUc,
        treasuryUc: s.totals.treasuryUc,
        members: s.members.map((x) => {
          const m = byAddress.get(toHex(x.member));
          if (m === undefined) throw new Error(`settlement of a non-member ${formatAddress(x.member)}`);
          return {
            memberId: m.id,
            producedWh: x.producedWh,
            consumedWh: x.consumedWh,
            renewableWh: x.renewableWh,
            soldWh: x.soldWh,
            boughtWh: x.boughtWh,
            billUc: x.purchasesUc + x.gridFeeUc + x.taxUc + x.gridCostUc + x.penaltyUc - x.salesUc - x.gridRevenueUc,
            mintUc: x.mintUc,
          };
        }),
      });
    },
    outcome(intervals): Promise<MarketOutcome> {
      return Promise.resolve({
        settlements: settlements.filter((s) => s.interval < intervals),
        clearings: clearings.filter((c) => c.interval < intervals),
        chain: chain.figures(),
        mintedUc: chain.mintedUc() - startBalances.mintedUc,
        treasuryUc: chain.balance(treasury) - startBalances.treasuryUc,
      });
    },
    async close() {
      await stopCluster(cluster);
    },
  };
}

/**
 * The next market moment that needs a block: the next gate closure, or the reading deadline of the
 * first cleared interval not yet settled if that comes first. BFT time lags a commit behind, so a
 * moment stays due until a block carries a time at or after it.
 */
export function nextMarketDeadline(app: { query(path: string): { code: number; value?: unknown } }, mp: MarketParams): number | undefined {
  const clock = readMarketRecord(app, marketKeys.clock, marketCodecs.clock);
  if (clock === undefined) return undefined;
  const gate = gateClosureMs(mp, clock.nextClear);
  return clock.nextSettle < clock.nextClear ? Math.min(gate, readingDeadlineMs(mp, clock.nextSettle)) : gate;
}

const accountAnswer = z.object({ balance: z.number().int() });
const supplyAnswer = z.object({ mintedUc: z.number().int() });

interface TxSpec {
  signer: Signer;
  type: string;
  body: unknown;
}

/** Signs, submits and waits for transactions on one cluster; reads its state; keeps its chain figures. */
class ChainDriver {
  private readonly nonces = new Map<string, number>();
  private readonly submittedAt = new Map<string, number>();
  private readonly finalityMs: number[] = [];
  private transactions = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly params: Params,
  ) {
    cluster.node(0).onCommit((e) => {
      const now = cluster.clock.nowMs();
      for (const h of e.txHashes) {
        const at = this.submittedAt.get(h);
        if (at === undefined) continue;
        this.submittedAt.delete(h);
        this.finalityMs.push(now - at);
      }
      this.transactions += e.txHashes.length;
    });
  }

  private get node() {
    return this.cluster.node(0);
  }

  async advanceTo(timeMs: number): Promise<void> {
    const now = this.cluster.clock.nowMs();
    if (timeMs < now) throw new GridLedgerError('SIM_TIMING', `the chain's clock is at ${now} ms, a step needs ${timeMs} ms`);
    if (timeMs > now) await this.cluster.run(timeMs - now);
  }

  /** Signs (nonces tracked per signer), submits to a validator and waits until every one is committed successfully. */
  async send(txs: readonly TxSpec[]): Promise<void> {
    if (txs.length === 0) return;
    const chainId = this.cluster.chain.genesis.chainId;
    const hashes: string[] = [];
    for (const t of txs) {
      const key = toHex(t.signer.address);
      const nonce = this.nonces.get(key) ?? 0;
      this.nonces.set(key, nonce + 1);
      const bytes = buildTx(t.signer, { chainId, nonce, type: t.type, body: t.body }, this.params);
      const r = await this.node.submitTx(bytes);
      if (r.code !== 0) throw new GridLedgerError('SIM_TX_REFUSED', `${t.type} refused: ${r.error ?? r.code} ${r.message ?? ''}`);
      this.submittedAt.set(r.hash, this.cluster.clock.nowMs());
      hashes.push(r.hash);
    }
    const ok = await this.cluster.runUntil(() => hashes.every((h) => !this.submittedAt.has(h)), { maxMs: STEP_TIMEOUT_MS });
    if (!ok) throw new GridLedgerError('SIM_CHAIN_STALLED', `${hashes.length} transactions were not committed within ${STEP_TIMEOUT_MS} ms of chain time`);
    // Admission already ran every check against the mempool's view. The batch's ends are checked
    // here (reading a result decodes its block, so not every one); orders are checked on the book
    // and readings in the settlement, by the callers.
    for (const h of new Set([hashes[0], hashes[hashes.length - 1]])) {
      const tx = h === undefined ? null : this.node.getTx(h);
      if (tx !== null && tx.code !== 0) throw new GridLedgerError('SIM_TX_FAILED', `a transaction failed in block ${tx.height}: ${tx.log}`);
    }
  }

  async waitForRecord<T>(key: string, codec: { readonly schema: z.ZodType<T> }, what: string): Promise<T> {
    let found: T | undefined;
    const ok = await this.cluster.runUntil(
      () => {
        found = readMarketRecord(this.node, key, codec);
        return found !== undefined;
      },
      { maxMs: STEP_TIMEOUT_MS * 20 },
    );
    if (!ok || found === undefined) throw new GridLedgerError('SIM_CHAIN_STALLED', `${what} did not happen on chain`);
    return found;
  }

  record<T>(key: string, codec: { readonly schema: z.ZodType<T> }): T | undefined {
    return readMarketRecord(this.node, key, codec);
  }

  contractIds(): string[] {
    return this.record(marketKeys.contractIndex, marketCodecs.contractIndex)?.ids ?? [];
  }

  balance(address: string): number {
    const r = accountAnswer.safeParse(this.node.query(`account/${address}`).value);
    return r.success ? r.data.balance : 0;
  }

  mintedUc(): number {
    const r = supplyAnswer.safeParse(this.node.query('supply').value);
    if (!r.success) throw new GridLedgerError('SIM_CHAIN_QUERY', 'the chain answered no supply');
    return r.data.mintedUc;
  }

  figures(): { height: number; blocks: number; transactions: number; meanFinalityMs: number | null; p50FinalityMs: number | null } {
    const height = this.node.status().height;
    const f = [...this.finalityMs].sort((a, b) => a - b);
    return {
      height,
      blocks: height,
      transactions: this.transactions,
      meanFinalityMs: f.length === 0 ? null : f.reduce((s, x) => s + x, 0) / f.length,
      p50FinalityMs: f.length === 0 ? null : (f[Math.floor(f.length / 2)] as number),
    };
  }
}
