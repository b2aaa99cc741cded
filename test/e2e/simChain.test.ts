/**
 * The small city (one microgrid of six households, 24 hourly intervals) traded through its own
 * 4-validator chain, in this process. The report's figures are recomputed here from the chain's
 * state alone: settlement and clearing records, account balances and nonces, the supply, the
 * treasury; and the baseline's independent simulation gives the consumption.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultParams, formatAddress } from '../../src/ledger/index.ts';
import { marketCodecs, marketKeys, marketParams, readMarketRecord } from '../../src/ledger/market/index.ts';
import type { ClearingRecord, SettlementRecord } from '../../src/ledger/market/index.ts';
import { type Cluster, stopCluster } from '../../src/node/cluster.ts';
import { ACCOUNT_BALANCE_UC, chainMarketSpec, createChainMarket, SIM_FEES } from '../../src/sim/runner/market/chain.ts';
import { runCity } from '../../src/sim/runner/run.ts';
import { smallScenario } from '../../src/sim/runner/smallCity.fixture.ts';

const clusters: Cluster[] = [];

const result = await runCity(smallScenario(), {
  baseDir: '.',
  mode: 'chain',
  generatedBy: 'test',
  markets: (city) =>
    Promise.all(
      city.microgrids.map(async (mg) => {
        const market = await createChainMarket(chainMarketSpec(city, mg), { onCluster: (c) => clusters.push(c) });
        // Keep the chain running after the run, to read its state here.
        return { ...market, close: () => Promise.resolve() };
      }),
    ),
});

afterAll(async () => {
  for (const c of clusters) await stopCluster(c);
});

const accountAnswer = z.object({ balance: z.number().int(), nonce: z.number().int() });

function account(cluster: Cluster, address: Uint8Array): { balance: number; nonce: number } {
  return accountAnswer.parse(cluster.node(0).query(`account/${formatAddress(address)}`).value);
}

describe('the small city on its chain', () => {
  const cluster = clusters[0] as Cluster;
  const node = cluster.node(0);
  const report = result.report;
  const mg = report.microgrids[0];
  const settlements: SettlementRecord[] = [];
  const clearings: ClearingRecord[] = [];
  for (let k = 0; k < 24; k++) {
    const s = readMarketRecord(node, marketKeys.settlement(k), marketCodecs.settlement);
    const c = readMarketRecord(node, marketKeys.clearing(k), marketCodecs.clearing);
    if (s !== undefined) settlements.push(s);
    if (c !== undefined) clearings.push(c);
  }

  it('is a complete chain-mode report whose energy closes', () => {
    expect(report.meta).toMatchObject({ mode: 'chain', intervals: 24 });
    expect(result.partial).toBe(false);
    const c = report.city;
    expect(c.local_production_wh + c.pcc_import_wh).toBe(c.consumption_wh + c.pcc_export_wh + c.losses_wh + c.storage_losses_wh + c.storage_delta_wh);
    expect(settlements).toHaveLength(24);
    expect(clearings).toHaveLength(24);
    expect(settlements.every((s) => s.status === 'settled' && s.members.every((m) => m.metered))).toBe(true);
  });

  it('has all four validators on the same state, at the height the report gives', async () => {
    const height = node.status().height;
    expect(mg?.height).toBe(height);
    await cluster.waitForHeight(height);
    const hashes = new Set(cluster.nodes.map((n) => n.status().appHash));
    expect(hashes.size).toBe(1);
  });

  it('PCC exchange, losses and local trades: the chain\'s settlement and clearing records', () => {
    expect(report.city.pcc_import_wh).toBe(settlements.reduce((s, x) => s + (x.pcc?.importWh ?? 0), 0));
    expect(report.city.pcc_export_wh).toBe(settlements.reduce((s, x) => s + (x.pcc?.exportWh ?? 0), 0));
    expect(report.city.losses_wh).toBe(settlements.reduce((s, x) => s + (x.lossesWh ?? 0), 0));
    const traded = clearings.reduce((s, c) => s + c.trades.reduce((t, x) => t + x.energyWh, 0), 0);
    expect(traded).toBeGreaterThan(0);
    expect(report.city.local_traded_wh).toBe(traded);
    expect(report.city.curtailed_wh).toBe(clearings.reduce((s, c) => s + c.curtailed.reduce((t, x) => t + x.energyWh, 0), 0));
    // the same households as the independently simulated baseline
    expect(report.city.consumption_wh).toBe(report.baseline.consumption_wh);
    expect(report.city.self_sufficiency).toBe(1 - report.city.pcc_import_wh / report.baseline.consumption_wh);
  });

  it('minted coin and the treasury: the supply and the treasury\'s balance', () => {
    const supply = z.object({ mintedUc: z.number().int() }).parse(node.query('supply').value);
    expect(report.city.minted_uc).toBe(supply.mintedUc);
    const mp = marketParams(cluster.chain.genesis.params);
    expect(report.city.treasury_uc).toBe(account(cluster, mp.treasuryAddress).balance);
    expect(report.city.treasury_uc).toBeGreaterThan(0);
  });

  it('each member\'s bill: what its account lost beyond its deposit and transaction fees, minted coin added back', () => {
    const deposit = defaultParams().membership.depositUc;
    for (const line of mg?.members ?? []) {
      const signer = cluster.chain.accounts[line.id];
      if (signer === undefined) throw new Error(`no account ${line.id}`);
      const { balance, nonce } = account(cluster, signer.address);
      const fees = nonce * SIM_FEES.baseUc;
      expect(ACCOUNT_BALANCE_UC - deposit - fees + line.minted_uc - balance).toBe(line.bill_uc);
    }
    expect(mg?.members.reduce((s, m) => s + m.minted_uc, 0)).toBe(report.city.minted_uc);
  });
});
