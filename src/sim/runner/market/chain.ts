/**
 * One microgrid's market ON ITS OWN CHAIN: the scenario's validators (4 by default) making blocks
 * only when transactions wait or a market deadline comes (on-demand policy; `needsBlockAt` names
 * the next gate closure or reading deadline from the market's cursor in state,
 * src/node/marketComposition.ts). Timing: timing.ts. The validators run in this process over the
 * in-process hub on a virtual clock (`createChainMarket`), or as `node start` processes on
 * steered clocks (`createProcessMarket`, processAccess.ts); the steps below reach either through
 * a ChainAccess (chainAccess.ts), so both run the same transactions and read the same records.
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
import type { z } from 'zod';
import { GridLedgerError } from '../../../errors.ts';
import type { FeederModel } from '../../../grid/model.ts';
import { buildTx, codecs, defaultParams, formatAddress, stateKeys, toHex } from '../../../ledger/index.ts';
import type { DevChainOptions, Params, Signer } from '../../../ledger/index.ts';
import { gateClosureMs, marketCodecs, marketKeys, marketParams, readingDeadlineMs, readMarketRecord } from '../../../ledger/market/index.ts';
import type { MarketParams, MarketParamsInput } from '../../../ledger/market/index.ts';
import { MAX_CONTRACT_INTERVALS } from '../../../ledger/tx/contractCreate.ts';
import { startCluster, type Cluster } from '../../../node/cluster.ts';
import { marketComposition } from '../../../node/marketComposition.ts';
import { runningNodeMajor } from '../../../node/nodeRuntime.ts';
import type { SettlementRates } from '../../../market/settlement.ts';
import type { ContractPlan } from '../../agents/contracts.ts';
import type { City, CityMicrogrid } from '../city.ts';
import { settlementRates } from '../rates.ts';
import { readingWindowMinutes } from '../timing.ts';
import type {
  ClearingOutcome,
  IntervalClearingView,
  IntervalSettlementView,
  MarketBackend,
  MarketOutcome,
  SubmitBatch,
} from './backend.ts';
import type { ChainAccess } from './chainAccess.ts';
import { clusterAccess } from './clusterAccess.ts';

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
/** A step waits at most this much chain time for its transactions' block. */
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

/** A microgrid chain's genesis: the dev chain (devChain) every validator of it starts from, wherever it runs. */
export interface ChainGenesis {
  chainId: string;
  validators: number;
  params: Params;
  /** devChain's options besides the chain id and validator count. */
  dev: Omit<DevChainOptions, 'chainId' | 'validators'>;
}

export function chainGenesis(spec: ChainMarketSpec): ChainGenesis {
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
  return {
    chainId: chainIdFor(spec.name),
    validators: spec.validators.count,
    params,
    dev: {
      genesisTimeMs: spec.startMs - GENESIS_LEAD_MS,
      params,
      feeder: spec.feeder,
      accounts: spec.members.flatMap((m) => [m.id, `meter-${m.id}`]),
      balanceUc: ACCOUNT_BALANCE_UC,
      stakeUc: spec.validators.stakeUc,
    },
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

/** The market on a cluster of the validators in this process, on a virtual clock. */
export async function createChainMarket(spec: ChainMarketSpec, opts: ChainMarketOptions = {}): Promise<MarketBackend> {
  const genesis = chainGenesis(spec);
  const market = marketComposition(genesis.params);
  if (market === undefined) throw new Error('a microgrid chain has market parameters');
  const cluster = await startCluster({
    validators: genesis.validators,
    chainId: genesis.chainId,
    genesis: genesis.dev,
    clock: 'virtual',
    blockPolicy: { kind: 'on-demand' },
    app: market.app,
    needsBlockAt: market.needsBlockAt,
    gossipIntervalMs: GOSSIP_INTERVAL_MS,
  });
  opts.onCluster?.(cluster);
  return marketOnChain(spec, genesis.params, clusterAccess(cluster), 'chain');
}

/**
 * The market steps over a running chain: joins and contracts, then orders, clearings, readings
 * and settlements as the trading run calls them. Closing the market closes the access.
 */
export async function marketOnChain(spec: ChainMarketSpec, params: Params, access: ChainAccess, mode: 'chain' | 'processes'): Promise<MarketBackend> {
  const base = defaultParams();
  const mp = marketParams(params);
  const chain = new ChainDriver(access, params);
  try {
    const accounts = access.chain.accounts;
    const members: ChainMember[] = spec.members.map((m) => {
      const signer = accounts[m.id];
      const meter = accounts[`meter-${m.id}`];
      if (signer === undefined || meter === undefined) throw new Error(`no dev account for ${m.id}`);
      return { id: m.id, bus: m.bus, signer, meter };
    });
    return await marketSteps(spec, mp, chain, members, base.membership.depositUc, mode);
  } catch (e) {
    await access.close();
    throw e;
  }
}

async function marketSteps(spec: ChainMarketSpec, mp: MarketParams, chain: ChainDriver, members: ChainMember[], depositUc: number, mode: 'chain' | 'processes'): Promise<MarketBackend> {
  const byId = new Map(members.map((m) => [m.id, m]));
  const byAddress = new Map(members.map((m) => [toHex(m.signer.address), m]));
  const member = (id: string): ChainMember => {
    const m = byId.get(id);
    if (m === undefined) throw new Error(`unknown member ${id}`);
    return m;
  };
  const operator = chain.access.chain.operator;
  const treasury = formatAddress(mp.treasuryAddress);
  const startBalances = { treasuryUc: await chain.access.balance(treasury), mintedUc: await chain.mintedUc() };

  // Membership: requests in one block, the operator's approvals (registering the meters) in the next.
  await chain.send(
    members.map((m) => ({
      signer: m.signer,
      type: 'join_request',
      body: { bus: m.bus, meterKeyHint: null, depositUc, exportLimitW: CONNECTION_LIMIT_W, importLimitW: CONNECTION_LIMIT_W },
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
    mode,
    async openContracts(contracts: readonly ContractPlan[]) {
      if (contracts.length === 0) return;
      const before = await chain.contractIds();
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
      const created = (await chain.contractIds()).filter((id) => !before.includes(id));
      const accepts: TxSpec[] = [];
      for (const id of created) {
        const record = await chain.record(marketKeys.contract(id), marketCodecs.contract);
        const buyer = record === undefined ? undefined : byAddress.get(toHex(record.buyer));
        if (buyer === undefined) throw new Error(`contract ${id} has no known buyer`);
        accepts.push({ signer: buyer.signer, type: 'contract_accept', body: { contractId: id } });
      }
      await chain.send(accepts);
    },
    async submit(batch: SubmitBatch) {
      // Just before the gate closure of the orders' interval (or, readings alone, of the
      // interval their deadline is), so the batch's block comes before the deadline's pair.
      const moment = batch.orders !== undefined ? gateClosureMs(mp, batch.orders.interval) : batch.readings === undefined ? null : readingDeadlineMs(mp, batch.readings.interval);
      if (moment === null) return;
      await chain.access.advanceTo(moment - SUBMIT_MARGIN_MS);
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
        const position = await chain.record(marketKeys.position(k, member(memberId).signer.address), marketCodecs.position);
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
      const flexibleBoughtWh = new Map<string, number>();
      for (const t of record.trades) {
        add(t.seller, t.energyWh);
        add(t.buyer, -t.energyWh);
        // A bid's order stays on chain until its interval settles: whether it was flexible is read there.
        const bid = t.bid === null ? undefined : await chain.record(marketKeys.order(t.bid), marketCodecs.order);
        const buyer = byAddress.get(toHex(t.buyer));
        if (bid?.flexible === true && buyer !== undefined) flexibleBoughtWh.set(buyer.id, (flexibleBoughtWh.get(buyer.id) ?? 0) + t.energyWh);
      }
      clearings.push({ interval: k, priceUcPerKwh: record.clearingPriceUcPerKwh, curtailedWh: record.curtailed.reduce((s, c) => s + c.energyWh, 0) });
      return { tradedNetWh, flexibleBoughtWh };
    },
    async settle(k) {
      await chain.access.advanceTo(readingDeadlineMs(mp, k));
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
    async outcome(intervals): Promise<MarketOutcome> {
      return {
        settlements: settlements.filter((s) => s.interval < intervals),
        clearings: clearings.filter((c) => c.interval < intervals),
        chain: await chain.access.figures(),
        mintedUc: (await chain.mintedUc()) - startBalances.mintedUc,
        treasuryUc: (await chain.access.balance(treasury)) - startBalances.treasuryUc,
      };
    },
    async close() {
      await chain.access.close();
    },
  };
}

interface TxSpec {
  signer: Signer;
  type: string;
  body: unknown;
}

/** Signs (nonces tracked per signer), submits and waits for transactions on one chain; reads its state. */
class ChainDriver {
  private readonly nonces = new Map<string, number>();

  constructor(
    readonly access: ChainAccess,
    private readonly params: Params,
  ) {}

  /** Signs, admits at a validator and waits until every one is committed successfully. */
  async send(txs: readonly TxSpec[]): Promise<void> {
    if (txs.length === 0) return;
    const chainId = this.access.chain.genesis.chainId;
    const signed = txs.map((t) => {
      const key = toHex(t.signer.address);
      const nonce = this.nonces.get(key) ?? 0;
      this.nonces.set(key, nonce + 1);
      return buildTx(t.signer, { chainId, nonce, type: t.type, body: t.body }, this.params);
    });
    const results = await this.access.admit(signed);
    results.forEach((r, i) => {
      if (r.code !== 0) throw new GridLedgerError('SIM_TX_REFUSED', `${txs[i]?.type ?? 'a transaction'} refused: ${r.error ?? r.code} ${r.message ?? ''}`);
    });
    const hashes = results.map((r) => r.hash);
    if (!(await this.access.waitCommitted(hashes, STEP_TIMEOUT_MS))) {
      throw new GridLedgerError('SIM_CHAIN_STALLED', `${hashes.length} transactions were not committed within ${STEP_TIMEOUT_MS} ms of chain time`);
    }
    // Admission already ran every check against the mempool's view. The batch's ends are checked
    // here (reading a result decodes its block, so not every one); orders are checked on the book
    // and readings in the settlement, by the callers.
    for (const h of new Set([hashes[0], hashes[hashes.length - 1]])) {
      const tx = h === undefined ? null : await this.access.txResult(h);
      if (tx !== null && tx.code !== 0) throw new GridLedgerError('SIM_TX_FAILED', `a transaction failed in block ${tx.height}: ${tx.log}`);
    }
  }

  /** Lets the chain make blocks (deadlines come) until the record is there, within 20 steps' time. */
  async waitForRecord<T>(key: string, codec: { readonly schema: z.ZodType<T> }, what: string): Promise<T> {
    const limit = (await this.access.nowMs()) + STEP_TIMEOUT_MS * 20;
    for (;;) {
      // The height first: the read below sees that state or a later one (validators in other
      // processes do not wait for this one), and a block after it may bring the record.
      const height = await this.access.height();
      const found = await this.record(key, codec);
      if (found !== undefined) return found;
      if (!(await this.access.nextBlock(limit, height))) throw new GridLedgerError('SIM_CHAIN_STALLED', `${what} did not happen on chain`);
    }
  }

  async record<T>(key: string, codec: { readonly schema: z.ZodType<T> }): Promise<T | undefined> {
    const hex = await this.access.stateKey(key);
    return hex === null ? undefined : readMarketRecord({ query: () => ({ code: 0, value: hex }) }, key, codec);
  }

  async contractIds(): Promise<string[]> {
    return (await this.record(marketKeys.contractIndex, marketCodecs.contractIndex))?.ids ?? [];
  }

  async mintedUc(): Promise<number> {
    const supply = await this.record(stateKeys.supply, codecs.supply);
    if (supply === undefined) throw new GridLedgerError('SIM_CHAIN_QUERY', 'the chain holds no supply record');
    return supply.mintedUc;
  }
}
