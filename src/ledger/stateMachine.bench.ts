/**
 * `npm run bench -- ledger`: signed transfers applied per second by the state machine alone
 * (finalizeBlock + commit on transactions already admitted, so their signatures were verified at
 * admission and are not verified again), beside this machine's Ed25519 verification rate
 * measured in the same run, and the admission rate (checkTx: decode, verify, check).
 */
import type { Benchmark, Figure } from '../../bench/harness.ts';
import { formatAddress } from './address.ts';
import { createApp } from './app.ts';
import type { LedgerApp } from './app.ts';
import { toHex } from './bytes.ts';
import { parseGenesis, genesisToJson } from './genesis.ts';
import type { Signer } from './keys.ts';
import { buildTx, devChain, devSigner } from './testkit.ts';
import { measureVerifyRate } from '../../bench/ed25519.ts';

const ACCOUNTS = 4_000;
const BLOCKS = 5;
const TXS_PER_BLOCK = 2_000;
const REPEATS = Number(process.env["LEDGER_BENCH_REPEATS"] ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Workload {
  genesisJson: ReturnType<typeof genesisToJson>;
  blocks: Uint8Array[][];
  proposer: Uint8Array;
}

function workload(): Workload {
  const signers: Signer[] = Array.from({ length: ACCOUNTS }, (_, i) => devSigner(`bench/${i}`));
  const chain = devChain({ chainId: 'bench-1', accounts: [] });
  const json = genesisToJson(chain.genesis);
  json.accounts.push(...signers.map((s) => ({ address: formatAddress(s.address), balanceUc: 1_000_000_000 })));
  const blocks: Uint8Array[][] = [];
  const nonces = new Map<Signer, number>();
  for (let b = 0; b < BLOCKS; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < TXS_PER_BLOCK; i++) {
      const from = signers[(b * 7 + i) % ACCOUNTS] as Signer;
      const to = signers[(i * 31 + b + 1) % ACCOUNTS] as Signer;
      const body = { to: from === to ? (signers[(i + 1) % ACCOUNTS] as Signer).address : to.address, amountUc: 1 + ((i * 13) % 1000) };
      const nonce = nonces.get(from) ?? 0;
      nonces.set(from, nonce + 1);
      txs.push(buildTx(from, { chainId: 'bench-1', nonce, type: 'transfer', body }, chain.genesis.params));
    }
    blocks.push(txs);
  }
  const proposer = chain.validators[0]?.address;
  if (proposer === undefined) throw new Error('no validator');
  return { genesisJson: json, blocks, proposer };
}

function freshApp(w: Workload): LedgerApp {
  const app = createApp();
  app.initChain(parseGenesis(w.genesisJson));
  app.commit();
  return app;
}


export const benchmarks: Benchmark[] = [
  {
    names: ['ledger.apply.tps', 'crypto.ed25519.verify_per_s', 'ledger.checktx.tps'],
    run(): Figure[] {
      const w = workload();
      const total = BLOCKS * TXS_PER_BLOCK;
      const applyRates: number[] = [];
      const checkRates: number[] = [];
      const verifyRates: number[] = [];
      let rootHex = '';
      for (let rep = 0; rep < REPEATS; rep++) {
        verifyRates.push(measureVerifyRate());
        const app = freshApp(w);
        const c0 = performance.now();
        for (const block of w.blocks) {
          for (const tx of block) {
            const r = app.checkTx(tx);
            if (r.code !== 0) throw new Error(`admission refused: ${r.error ?? ''} ${r.log}`);
          }
        }
        checkRates.push(total / ((performance.now() - c0) / 1000));
        const info = app.info();
        let timeMs = info.timeMs;
        const a0 = performance.now();
        for (const [i, block] of w.blocks.entries()) {
          timeMs += 1000;
          const r = app.finalizeBlock({ height: info.height + i + 1, timeMs, proposer: w.proposer, txs: block });
          if (r.txResults.some((t) => t.code !== 0)) throw new Error('a transfer failed');
          app.commit();
        }
        applyRates.push(total / ((performance.now() - a0) / 1000));
        const root = toHex(app.stateRoot());
        if (rootHex !== '' && root !== rootHex) throw new Error('runs disagree on the state root');
        rootHex = root;
      }
      const apply = median(applyRates);
      const verify = median(verifyRates);
      const context = { accounts: ACCOUNTS, blocks: BLOCKS, txs_per_block: TXS_PER_BLOCK, repeats: REPEATS };
      return [
        { name: 'ledger.apply.tps', value: Math.round(apply), unit: 'tx/s', ratio_to_verify: Number((apply / verify).toFixed(2)), ...context },
        { name: 'crypto.ed25519.verify_per_s', value: Math.round(verify), unit: 'verify/s', ...context },
        { name: 'ledger.checktx.tps', value: Math.round(median(checkRates)), unit: 'tx/s', ratio_to_verify: Number((median(checkRates) / verify).toFixed(2)), ...context },
      ];
    },
  },
];
