/**
 * Deterministic keys, genesis and transaction builders for tests, benchmarks, simulations and
 * `node init --dev`. Dev keys are derived from a label: never use them for real coin.
 */
import type { FeederModel } from '../grid/model.ts';
import { addressFromPublicKey } from './address.ts';
import { utf8 } from './bytes.ts';
import { sha256 } from './hash.ts';
import { createSigner } from './keys.ts';
import type { Signer } from './keys.ts';
import { parseGenesis } from './genesis.ts';
import type { Genesis, GenesisJson } from './genesis.ts';
import { defaultParams, minFeeUc } from './params.ts';
import type { Params } from './params.ts';
import { signTx } from './tx/envelope.ts';
import { formatAddress } from './address.ts';
import { toHex } from './bytes.ts';
import { createApp } from './app.ts';
import type { AppOptions, CheckTxResult, FinalizeBlockRequest, FinalizeBlockResult, LedgerApp } from './app.ts';

/** The same key for the same label, every time. */
export function devSigner(label: string): Signer {
  return createSigner(sha256(utf8(`gridledger-dev-key:${label}`)));
}

export interface DevChain {
  readonly genesis: Genesis;
  readonly validators: Signer[];
  /** Funded, to pay its transactions' fees. */
  readonly operator: Signer;
  /** Funded accounts by label. */
  readonly accounts: Record<string, Signer>;
}

export interface DevChainOptions {
  chainId?: string;
  genesisTimeMs?: number;
  validators?: number;
  stakeUc?: number;
  /** Labels of funded accounts (default alice and bob). */
  accounts?: readonly string[];
  balanceUc?: number;
  params?: Params;
  feeder?: FeederModel;
}

export function devChain(opts: DevChainOptions = {}): DevChain {
  const chainId = opts.chainId ?? 'dev-1';
  const validators = Array.from({ length: opts.validators ?? 1 }, (_, i) => devSigner(`${chainId}/validator/${i}`));
  const operator = devSigner(`${chainId}/operator`);
  const labels = opts.accounts ?? ['alice', 'bob'];
  const accounts: Record<string, Signer> = {};
  for (const l of labels) accounts[l] = devSigner(`${chainId}/${l}`);
  const json: GenesisJson = {
    chainId,
    genesisTimeMs: opts.genesisTimeMs ?? 1_767_225_600_000,
    params: opts.params ?? defaultParams(),
    operator: { publicKey: toHex(operator.publicKey) },
    accounts: [...validators, operator, ...Object.values(accounts)].map((s) => ({ address: formatAddress(s.address), balanceUc: opts.balanceUc ?? 1_000_000_000_000 })),
    validators: validators.map((s) => ({ publicKey: toHex(s.publicKey), rewardAddress: formatAddress(addressFromPublicKey(s.publicKey)), stakeUc: opts.stakeUc ?? 100_000_000 })),
  };
  if (opts.feeder !== undefined) json.feeder = opts.feeder;
  return { genesis: parseGenesis(json), validators, operator, accounts };
}

/** Signs a transaction paying exactly the minimum fee for its size (unless `feeUc` is given). */
export function buildTx(
  signer: Signer,
  tx: { chainId: string; nonce: number; type: string; body: unknown; feeUc?: number },
  params: Params = defaultParams(),
): Uint8Array {
  if (tx.feeUc !== undefined) return signTx({ chainId: tx.chainId, nonce: tx.nonce, feeUc: tx.feeUc, type: tx.type, body: tx.body }, signer);
  // The fee's own encoding changes the size by a byte or two: settle in a few rounds.
  let feeUc = minFeeUc(params, 0);
  for (;;) {
    const bytes = signTx({ chainId: tx.chainId, nonce: tx.nonce, feeUc, type: tx.type, body: tx.body }, signer);
    const needed = minFeeUc(params, bytes.length);
    if (needed <= feeUc) return bytes;
    feeUc = needed;
  }
}

/**
 * A one-process chain for tests and simulations: an app after genesis, a clock that advances
 * `blockMs` per block, and nonces tracked per signer.
 */
export interface DevNet {
  readonly app: LedgerApp;
  readonly chain: DevChain;
  /** Signs a transaction with the signer's next nonce (paying the minimum fee unless given). */
  tx(signer: Signer, type: string, body: unknown, opts?: { feeUc?: number; nonce?: number }): Uint8Array;
  /** checkTx without a mempool. */
  check(bytes: Uint8Array): CheckTxResult;
  /** Finalizes and commits one block holding `txs`. */
  block(txs: readonly Uint8Array[], extra?: Partial<FinalizeBlockRequest>): FinalizeBlockResult;
  /** tx() then block([tx]): the transaction's result. */
  send(signer: Signer, type: string, body: unknown, opts?: { feeUc?: number }): FinalizeBlockResult['txResults'][number];
  readonly timeMs: number;
}

export function devNet(opts: DevChainOptions & { app?: AppOptions; blockMs?: number } = {}): DevNet {
  const chain = devChain(opts);
  const app = createApp(opts.app);
  app.initChain(chain.genesis);
  app.commit();
  const nonces = new Map<string, number>();
  const blockMs = opts.blockMs ?? 1000;
  let timeMs = chain.genesis.genesisTimeMs;
  const net: DevNet = {
    app,
    chain,
    get timeMs() {
      return timeMs;
    },
    tx(signer, type, body, o = {}) {
      const id = toHex(signer.address);
      const nonce = o.nonce ?? nonces.get(id) ?? 0;
      if (o.nonce === undefined) nonces.set(id, nonce + 1);
      const base = { chainId: chain.genesis.chainId, nonce, type, body };
      return buildTx(signer, o.feeUc === undefined ? base : { ...base, feeUc: o.feeUc }, chain.genesis.params);
    },
    check: (bytes) => app.checkTx(bytes),
    block(txs, extra = {}) {
      timeMs = extra.timeMs ?? timeMs + blockMs;
      const validator = chain.validators[0];
      if (validator === undefined) throw new Error('no validator');
      const r = app.finalizeBlock({ height: app.info().height + 1, timeMs, proposer: validator.address, txs, ...extra });
      app.commit();
      return r;
    },
    send(signer, type, body, o = {}) {
      const r = net.block([net.tx(signer, type, body, o)]).txResults[0];
      if (r === undefined) throw new Error('no result');
      return r;
    },
  };
  return net;
}

/** A minimal radial feeder (slack bus 0, buses 1..n in a line) for tests. */
export function tinyFeeder(buses = 3): FeederModel {
  return {
    name: `tiny-${buses}`,
    baseMva: 1,
    fHz: 50,
    buses: Array.from({ length: buses + 1 }, (_, id) => ({ id, baseKv: 0.4, vMinPu: 0.9, vMaxPu: 1.1, inService: true })),
    branches: Array.from({ length: buses }, (_, i) => ({
      kind: 'line' as const,
      id: i,
      from: i,
      to: i + 1,
      rPu: 0.01,
      xPu: 0.005,
      gFromPu: 0,
      bFromPu: 0,
      gToPu: 0,
      bToPu: 0,
      tap: 1,
      shiftDeg: 0,
      inService: true,
      rating: { kind: 'current' as const, maxIKa: 0.2 },
    })),
    loads: [],
    sgens: [],
    slack: { bus: 0, vmPu: 1, vaDeg: 0 },
  };
}

