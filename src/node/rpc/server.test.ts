import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { codecs, devNet, formatAddress, fromHex, stateKeys, toHex, txHash } from '../../ledger/index.ts';
import { decodeWith } from '../../ledger/encoding.ts';
import { createSteeredClock } from '../steeredClock.ts';
import type { DevNet, Signer } from '../../ledger/index.ts';
import { createRpcClient } from './client.ts';
import type { RpcClient } from './client.ts';
import { createFakeNode } from './fakeNode.ts';
import type { FakeNode } from './fakeNode.ts';
import { createRpcServer } from './server.ts';
import type { RpcServer } from './server.ts';

let net: DevNet;
let node: FakeNode;
let server: RpcServer;
let client: RpcClient;
let base: string;
let alice: Signer;
let bob: Signer;

beforeAll(async () => {
  net = devNet({ chainId: 'rpc-test' });
  node = createFakeNode(net);
  server = createRpcServer(node, { host: '127.0.0.1', port: 0 });
  const addr = await server.start();
  client = createRpcClient(addr);
  base = `http://127.0.0.1:${addr.port}`;
  const a = net.chain.accounts['alice'];
  const b = net.chain.accounts['bob'];
  if (a === undefined || b === undefined) throw new Error('dev accounts missing');
  alice = a;
  bob = b;
});

afterAll(async () => {
  await server.stop();
});

/** Commits as soon as something waits in the fake mempool, as a chain making blocks would. */
function commitSoon(): void {
  const timer = setInterval(() => {
    if (node.pending > 0) {
      node.commit();
      clearInterval(timer);
    }
  }, 5);
}

async function rpcError(p: Promise<unknown>): Promise<GridLedgerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GridLedgerError)) throw new Error(`expected a GridLedgerError, got ${String(e)}`);
  return e;
}

describe('node RPC', () => {
  it('answers status before the first block', async () => {
    const s = await client.status();
    expect(s).toMatchObject({ height: 0, block_id: null, chain_id: 'rpc-test', validator: toHex(net.chain.validators[0]?.address ?? new Uint8Array()) });
    expect((await rpcError(client.block())).code).toBe('RPC_NOT_FOUND');
  });

  it('submits a transfer, waits for its commit, and shows it in block, tx and account', async () => {
    const before = await client.account(formatAddress(bob.address));
    const tx = net.tx(alice, 'transfer', { to: bob.address, amountUc: 12_345 });
    commitSoon();
    const r = await client.submitTx(tx, { wait: true });
    expect(r).toEqual({ hash: toHex(txHash(tx)), height: 1, code: 0 });

    const after = await client.account(formatAddress(bob.address));
    expect(after.balance - before.balance).toBe(12_345);
    expect((await client.account(formatAddress(alice.address))).nonce).toBe(1);

    const block = await client.block(1);
    expect(block.txs).toEqual([toHex(txHash(tx))]);
    expect(await client.block()).toEqual(block);
    const status = await client.status();
    expect(status.height).toBe(1);
    expect(status.block_id).toBe(block.block_id);

    const got = await client.tx(toHex(txHash(tx)));
    expect(got).toMatchObject({ height: 1, index: 0, code: 0 });
    expect(Buffer.from(got.tx, 'base64')).toEqual(Buffer.from(tx));
  });

  it('answers a refused transaction with its code and message, not an HTTP error', async () => {
    const replay = net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 }, { nonce: 0 });
    const r = await client.submitTx(replay);
    expect(r.code).not.toBe(0);
    expect(r).toMatchObject({ error: 'TX_NONCE_TOO_LOW' });
    expect('message' in r && r.message.length > 0).toBe(true);
  });

  it('admits a batch without waiting and reports each result', async () => {
    const ok = net.tx(alice, 'transfer', { to: bob.address, amountUc: 5 });
    const dup = ok;
    const res = await client.submitTxs([ok, dup]);
    expect(res.results[0]).toEqual({ hash: toHex(txHash(ok)), code: 0 });
    expect(res.results[1]?.code).not.toBe(0);
    node.commit();
  });

  it('refuses bad params and bodies with 400 and a stable code', async () => {
    expect((await rpcError(client.block(0))).code).toBe('RPC_BAD_REQUEST');
    expect((await rpcError(client.tx('xyz'))).code).toBe('RPC_BAD_REQUEST');
    expect((await rpcError(client.account('gl-not-an-address'))).code).toBe('ADDRESS_INVALID');
    expect((await rpcError(client.block(99))).code).toBe('RPC_NOT_FOUND');
    expect((await rpcError(client.tx('ab'.repeat(32)))).code).toBe('RPC_NOT_FOUND');

    const post = (body: string): Promise<Response> => fetch(`${base}/tx`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    for (const body of ['{"tx": 5}', '{"tx": "AAAA", "extra": 1}', '{"tx": "not base64!"}', '{broken']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 1, error: 'RPC_BAD_REQUEST' });
    }
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
  });

  it('reads a raw state key: the account record the ledger stores, null for an absent key', async () => {
    const key = stateKeys.account(alice.address);
    const r = await client.stateKey(key);
    expect(r.key).toBe(key);
    expect(r.value).not.toBeNull();
    const decoded = decodeWith(codecs.account.schema, fromHex(r.value ?? ''), 'STATE_CORRUPT', 'account');
    expect(decoded).toEqual({ balanceUc: (await client.account(formatAddress(alice.address))).balance, nonce: 2 });
    expect(await client.stateKey('mkt/clr/0')).toEqual({ key: 'mkt/clr/0', value: null });
    const res = await fetch(`${base}/state`);
    expect(res.status).toBe(400);
  });

  it('has no clock route on a node without a steered clock', async () => {
    expect((await rpcError(client.advanceClock(1))).code).toBe('RPC_NOT_FOUND');
  });

  it('moves a steered clock forward, never back', async () => {
    const clock = createSteeredClock(1_000_000);
    const steered = createRpcServer(node, { host: '127.0.0.1', port: 0, clock });
    const c = createRpcClient(await steered.start());
    try {
      expect((await c.advanceClock(5_000_000)).time).toBeGreaterThanOrEqual(5_000_000);
      expect(clock.nowMs()).toBeGreaterThanOrEqual(5_000_000);
      const back = await c.advanceClock(2_000_000);
      expect(back.time).toBeGreaterThanOrEqual(5_000_000);
      const bad = await fetch(`${c.url}/clock/advance`, { method: 'POST', body: '{"time": -1}', headers: { 'content-type': 'application/json' } });
      expect(bad.status).toBe(400);
    } finally {
      await steered.stop();
    }
  });

  it('reports a node that does not answer as RPC_UNREACHABLE', async () => {
    const dead = createRpcClient({ host: '127.0.0.1', port: 1 }, { timeoutMs: 2000 });
    expect((await rpcError(dead.status())).code).toBe('RPC_UNREACHABLE');
  });
});
