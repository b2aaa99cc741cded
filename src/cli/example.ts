/**
 * `gridledger example [NAME] [--json]`: examples run on a real chain in this process. Without a
 * name it lists them. `worked`: the worked example of DESIGN.md section 2 on four validators
 * (in-process cluster: the real ledger, consensus and block sync over the in-process network,
 * virtual time, a block only when transactions wait or a market deadline comes), with every
 * transaction signed and submitted like a client's. The figures come from the chain's state.
 */
import type { Command } from 'commander';
import { GridLedgerError } from '../errors.ts';
import { buildTx, defaultParams, formatAddress, tinyFeeder } from '../ledger/index.ts';
import type { Params, Signer } from '../ledger/index.ts';
import { intervalEndMs, marketAppOptions, marketCodecs, marketKeys, marketParams, nextMarketDeadlineMs, readMarketRecord } from '../ledger/market/index.ts';
import type { ClearingRecord, SettlementRecord } from '../ledger/market/index.ts';
import { disagreements, startCluster, stopCluster } from '../node/cluster.ts';
import type { Cluster } from '../node/cluster.ts';
import { runningNodeMajor } from '../node/nodeRuntime.ts';

const EXAMPLES: Record<string, string> = {
  worked: 'the worked example of DESIGN.md section 2 (A sells B 3 kWh under a contract) on a 4-validator chain',
};

export function registerExampleCommand(program: Command): void {
  program
    .command('example')
    .description('run an example on a real chain in this process; without a name, list them')
    .argument('[name]', 'the example to run')
    .option('--json', 'print the result as JSON')
    .action(async (name: string | undefined, flags: { json?: boolean }) => {
      if (name === undefined) {
        process.stdout.write(`${Object.entries(EXAMPLES).map(([n, d]) => `${n.padEnd(8)} ${d}`).join('\n')}\n`);
        return;
      }
      if (name !== 'worked') throw new GridLedgerError('EXAMPLE_UNKNOWN', `no example "${name}": try ${Object.keys(EXAMPLES).join(', ')}`);
      const run = await runWorkedExample();
      process.stdout.write(flags.json === true ? `${JSON.stringify(run.json, null, 2)}\n` : story(run));
    });
}

export interface MemberFigures {
  produced_wh: number;
  consumed_wh: number;
  sold_wh: number;
  bought_wh: number;
  balance_change: number;
}

/** DESIGN.md section 7: money in µc; sold/bought between members only, grid energy in `grid`. */
export interface WorkedExampleJson {
  trades: { seller: string; buyer: string; energy_wh: number; price: number }[];
  grid: { import_wh: number; export_wh: number };
  members: { A: MemberFigures; B: MemberFigures };
  minted: number;
  /** Transaction fees of the interval's transactions (orders, contract, readings), to validators. */
  fees: number;
  treasury_change: number;
}

export interface WorkedExampleRun {
  json: WorkedExampleJson;
  chainId: string;
  height: number;
  clearing: ClearingRecord;
  settlement: SettlementRecord;
  pcc: { importWh: number; exportWh: number };
}

/** Every transaction pays exactly this (the chain's fee: 1,000 µc base, nothing per byte). */
const FEE_UC = 1_000;
const GENESIS_MS = 1_767_225_600_000;
/** The interval the example trades in: the first whose gate is open after the joins. */
const K = 1;
/** What A offers and B needs (firm), and the contract between them. */
const ASK_WH = 3_000;
const BID_WH = 4_000;
const CONTRACT_WH = 3_000;

export function workedExampleParams(): Params {
  const base = { ...defaultParams(), nodeMajorVersion: runningNodeMajor() };
  return {
    ...base,
    fees: { baseUc: FEE_UC, perByteUc: 0 },
    market: {
      epochMs: GENESIS_MS,
      retailUcPerKwh: 300_000,
      feedInUcPerKwh: 80_000,
      gridFeeUcPerKwh: 20_000,
      taxPpm: 100_000,
      mintUcPerKwh: 50_000,
      lossToleranceWh: 100,
      lossMaxPpm: 50_000,
    },
  };
}

export async function runWorkedExample(): Promise<WorkedExampleRun> {
  const params = workedExampleParams();
  const mp = marketParams(params);
  const cluster = await startCluster({
    validators: 4,
    chainId: 'worked-1',
    clock: 'virtual',
    blockPolicy: { kind: 'on-demand' },
    genesis: { genesisTimeMs: GENESIS_MS, params, feeder: tinyFeeder(3), accounts: ['A', 'B', 'meter-A', 'meter-B'], balanceUc: 100_000_000 },
    app: marketAppOptions(params),
    needsBlockAt: nextMarketDeadlineMs,
  });
  try {
    return await worked(cluster, params, intervalEndMs(mp, K));
  } finally {
    await stopCluster(cluster);
  }
}

async function worked(c: Cluster, params: Params, endMs: number): Promise<WorkedExampleRun> {
  const chainId = c.chain.genesis.chainId;
  const node = c.node(0);
  const account = (label: string): Signer => {
    const s = c.chain.accounts[label];
    if (s === undefined) throw new GridLedgerError('EXAMPLE_FAILED', `no account ${label}`);
    return s;
  };
  const A = account('A');
  const B = account('B');
  const meterA = account('meter-A');
  const meterB = account('meter-B');
  const operator = c.chain.operator;
  const nonces = new Map<Signer, number>();
  const tx = (s: Signer, type: string, body: unknown): Uint8Array => {
    const nonce = nonces.get(s) ?? 0;
    nonces.set(s, nonce + 1);
    return buildTx(s, { chainId, nonce, type, body, feeUc: FEE_UC }, params);
  };
  let sent = 0;
  /** Submits to node 0 (which gossips them) and lets the chain run until all are committed. */
  const commit = async (txs: Uint8Array[]): Promise<void> => {
    sent += txs.length;
    let done = 0;
    const pending = txs.map((t) => node.submitTx(t, { waitForCommit: true }).finally(() => done++));
    if (!(await c.runUntil(() => done === txs.length, { maxMs: 600_000 }))) throw new GridLedgerError('EXAMPLE_FAILED', 'transactions were not committed');
    for (const r of await Promise.all(pending)) {
      if (r.code !== 0) throw new GridLedgerError('EXAMPLE_FAILED', `transaction refused: ${r.error ?? ''} ${r.message ?? ''}`);
    }
  };
  const waitFor = async (what: string, done: () => boolean): Promise<void> => {
    if (!(await c.runUntil(done, { maxMs: 3_600_000 }))) throw new GridLedgerError('EXAMPLE_FAILED', `the chain did not reach: ${what}`);
  };
  const balance = (s: Signer | Uint8Array): number => {
    const address = s instanceof Uint8Array ? s : s.address;
    return (node.query(`account/${formatAddress(address)}`).value as { balance: number }).balance;
  };
  const minted = (): number => (node.query('supply').value as { mintedUc: number }).mintedUc;
  const mp = marketParams(params);

  // A at bus 2 (PV), B at bus 3; the operator registers their meters' keys.
  const deposit = params.membership.depositUc;
  await commit([
    tx(A, 'join_request', { bus: 2, meterKeyHint: null, depositUc: deposit, exportLimitW: 20_000, importLimitW: 20_000 }),
    tx(B, 'join_request', { bus: 3, meterKeyHint: null, depositUc: deposit, exportLimitW: 0, importLimitW: 20_000 }),
  ]);
  await commit([
    tx(operator, 'approve_join', { member: A.address, bus: 2, meterPubKey: meterA.publicKey, exportLimitW: 20_000, importLimitW: 20_000 }),
    tx(operator, 'approve_join', { member: B.address, bus: 3, meterPubKey: meterB.publicKey, exportLimitW: 0, importLimitW: 20_000 }),
  ]);
  sent = 0;
  const before = { A: balance(A), B: balance(B), treasury: balance(mp.treasuryAddress), minted: minted() };

  // Orders for interval K and the contract, before its gate closure.
  await commit([
    tx(A, 'order', { side: 'ask', bus: 2, energyWh: ASK_WH, priceUcPerKwh: 150_000, flexible: false, fromInterval: K, intervals: 1 }),
    tx(B, 'order', { side: 'bid', bus: 3, energyWh: BID_WH, priceUcPerKwh: 250_000, flexible: false, fromInterval: K, intervals: 1 }),
    tx(A, 'contract_create', { counterparty: B.address, role: 'seller', energyWh: CONTRACT_WH, priceUcPerKwh: 200_000, fromInterval: K, toInterval: K, flexible: false, condition: 'none', noticeIntervals: 0 }),
  ]);
  await commit([tx(B, 'contract_accept', { contractId: 'c000000000000' })]);

  // Clearing at the gate closure; then the interval runs and the meters measure.
  const clearingRecord = (): ClearingRecord | undefined => readMarketRecord(node, marketKeys.clearing(K), marketCodecs.clearing);
  await waitFor('the clearing of the interval', () => clearingRecord() !== undefined);
  await waitFor('the end of the interval', () => node.status().timeMs >= endMs);
  const pcc = { importWh: 1_010, exportWh: 0 };
  await commit([
    tx(meterA, 'meter_reading', { interval: K, producedWh: 8_000, consumedWh: 5_000, renewableWh: 8_000 }),
    tx(meterB, 'meter_reading', { interval: K, producedWh: 0, consumedWh: 4_000, renewableWh: 0 }),
    tx(operator, 'pcc_reading', { interval: K, ...pcc }),
  ]);
  const settlementRecord = (): SettlementRecord | undefined => readMarketRecord(node, marketKeys.settlement(K), marketCodecs.settlement);
  await waitFor('the settlement of the interval', () => settlementRecord() !== undefined);
  await c.waitForHeight(node.status().height);
  const split = disagreements(c);
  if (split.length > 0) throw new GridLedgerError('EXAMPLE_FAILED', `validators disagree: ${split.join('; ')}`);

  const clearing = clearingRecord() as ClearingRecord;
  const settlement = settlementRecord() as SettlementRecord;
  const label = (address: Uint8Array): string => (Buffer.from(address).equals(Buffer.from(A.address)) ? 'A' : Buffer.from(address).equals(Buffer.from(B.address)) ? 'B' : formatAddress(address));
  const figures = (s: Signer, start: number): MemberFigures => {
    const m = settlement.members.find((x) => Buffer.from(x.member).equals(Buffer.from(s.address)));
    if (m === undefined) throw new GridLedgerError('EXAMPLE_FAILED', `${formatAddress(s.address)} was not settled`);
    return { produced_wh: m.producedWh, consumed_wh: m.consumedWh, sold_wh: m.soldWh, bought_wh: m.boughtWh, balance_change: balance(s) - start };
  };
  const json: WorkedExampleJson = {
    trades: clearing.trades.map((t) => ({ seller: label(t.seller), buyer: label(t.buyer), energy_wh: t.energyWh, price: t.priceUcPerKwh })),
    grid: { import_wh: settlement.grid.importWh, export_wh: settlement.grid.exportWh },
    members: { A: figures(A, before.A), B: figures(B, before.B) },
    minted: minted() - before.minted,
    fees: sent * FEE_UC,
    treasury_change: balance(mp.treasuryAddress) - before.treasury,
  };
  return { json, chainId, height: node.status().height, clearing, settlement, pcc };
}

const n = (x: number): string => x.toLocaleString('en-US');

/** The example told in a few lines, every figure from the run. */
export function story(run: WorkedExampleRun): string {
  const { json, clearing, settlement } = run;
  const a = json.members.A;
  const b = json.members.B;
  const sa = settlement.members.find((m) => m.soldWh > 0);
  const sb = settlement.members.find((m) => m.boughtWh > 0);
  const trade = json.trades[0];
  const lines = [
    `Worked example on chain ${run.chainId}: 4 validators, ${run.height} blocks, interval ${clearing.interval} (15 min).`,
    `1. Orders: A (bus 2) expects to produce more than it uses: offers ${n(ASK_WH)} Wh firm; B (bus 3) bids ${n(BID_WH)} Wh firm.`,
    `   Contract A -> B: ${n(trade?.energy_wh ?? 0)} Wh at ${n(trade?.price ?? 0)} µc/kWh, signed by A, accepted by B.`,
    `2. Clearing at height ${clearing.height}: the contract delivers ${n(trade?.energy_wh ?? 0)} Wh; B's other ${n(BID_WH - (trade?.energy_wh ?? 0))} Wh meet no seller${clearing.clearingPriceUcPerKwh === null ? '' : ` (price ${n(clearing.clearingPriceUcPerKwh)})`}.`,
    `3. Grid check: ${clearing.curtailed.length === 0 ? 'the schedule fits the feeder, nothing cut' : `${clearing.curtailed.length} cuts`}${clearing.alerts.length === 0 ? ', no alert' : `, ${clearing.alerts.length} alerts`}.`,
    `4. Meters: A ${n(a.produced_wh)} Wh produced, ${n(a.consumed_wh)} consumed; B ${n(b.consumed_wh)} consumed; PCC import ${n(run.pcc.importWh)} Wh (${n(settlement.lossesWh ?? 0)} Wh losses, the model allows up to ${n(settlement.allowedLossMaxWh ?? 0)}).`,
    `5. Settlement at height ${settlement.height} (${settlement.status}):`,
    `   A: +${n(sa?.salesUc ?? 0)} µc for ${n(a.sold_wh)} Wh sold, +${n(sa?.mintUc ?? 0)} µc minted for renewable energy delivered; balance ${sign(a.balance_change)} µc after fees.`,
    `   B: −${n(sb?.purchasesUc ?? 0)} µc to A, −${n((sb?.gridFeeUc ?? 0) + (sb?.taxUc ?? 0))} µc grid fee and tax, −${n(sb?.gridCostUc ?? 0)} µc for ${n(json.grid.import_wh)} Wh from the main grid; balance ${sign(b.balance_change)} µc after fees.`,
    `   Treasury ${sign(json.treasury_change)} µc, minted ${n(json.minted)} µc, transaction fees ${n(json.fees)} µc to validators.`,
  ];
  return `${lines.join('\n')}\n`;
}

function sign(x: number): string {
  return x >= 0 ? `+${n(x)}` : `−${n(-x)}`;
}
