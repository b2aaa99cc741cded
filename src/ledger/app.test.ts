import { describe, expect, it } from 'vitest';
import { GridLedgerError, isGridLedgerError, thrownCode } from '../errors.ts';
import { addressFromPublicKey, formatAddress } from './address.ts';
import { creditUc, mintUc } from './accounts.ts';
import { createApp, restoreApp } from './app.ts';
import type { FinalizeBlockRequest, LedgerApp } from './app.ts';
import { EMPTY_COMMIT, makeBlock, ZERO_HASH } from './block.ts';
import type { Block } from './block.ts';
import { toHex, utf8 } from './bytes.ts';
import type { BlockHook } from './context.ts';
import { encodeCanonical } from './encoding.ts';
import { verificationCount } from './keys.ts';
import { stateKeys } from './records.ts';
import { verifyStateProof } from './smt.ts';
import { auditSupply } from './supply.ts';
import { buildTx, devChain, devNet, devSigner, tinyFeeder } from './testkit.ts';
import type { DevNet } from './testkit.ts';

function who(net: DevNet) {
  const alice = net.chain.accounts['alice'];
  const bob = net.chain.accounts['bob'];
  const v0 = net.chain.validators[0];
  if (alice === undefined || bob === undefined || v0 === undefined) throw new Error('fixture');
  return { alice, bob, v0 };
}

function proposal(net: DevNet, txs: Uint8Array[], over: Partial<Block['header']> = {}): Block {
  const info = net.app.info();
  const { v0 } = who(net);
  const block = makeBlock(
    {
      chainId: info.chainId,
      height: info.height + 1,
      timeMs: info.timeMs + 1000,
      lastBlockId: ZERO_HASH,
      appHash: info.appHash,
      proposer: v0.address,
      validatorsHash: ZERO_HASH,
      nextValidatorsHash: ZERO_HASH,
    },
    txs,
    [],
    EMPTY_COMMIT,
  );
  return { ...block, header: { ...block.header, ...over } };
}


describe('ABCI-shaped application', () => {
  it('initChain: genesis state, validator set and app hash; changes wait for commit', () => {
    const chain = devChain({ validators: 3 });
    const app = createApp();
    const init = app.initChain(chain.genesis);
    expect(init.validators).toHaveLength(3);
    expect(init.validators.every((v) => v.power === 100)).toBe(true);
    expect(toHex(init.appHash)).toBe(toHex(app.stateRoot()));
    expect(app.changes().length).toBeGreaterThan(0);
    expect(app.checkTx(new Uint8Array([1])).error).toBe('APP_COMMIT_PENDING');
    const c = app.commit();
    expect(c.height).toBe(0);
    expect(app.changes()).toEqual([]);
    expect(thrownCode(() => app.initChain(chain.genesis))).toBe('APP_ALREADY_INITIALISED');
    expect(thrownCode(() => createApp().info())).toBe('APP_NOT_INITIALISED');
  });

  it('finalizeBlock refuses a height or time out of order (the node\'s bug, not a user\'s)', () => {
    const net = devNet();
    const { v0 } = who(net);
    expect(thrownCode(() => net.app.finalizeBlock({ height: 2, timeMs: net.timeMs + 1, proposer: v0.address, txs: [] }))).toBe('BLOCK_HEIGHT_MISMATCH');
    net.block([]);
    expect(thrownCode(() => net.app.finalizeBlock({ height: 2, timeMs: net.timeMs, proposer: v0.address, txs: [] }))).toBe('BLOCK_TIME_NOT_INCREASING');
    net.app.finalizeBlock({ height: 2, timeMs: net.timeMs + 1, proposer: v0.address, txs: [] });
    expect(thrownCode(() => net.app.finalizeBlock({ height: 3, timeMs: net.timeMs + 2, proposer: v0.address, txs: [] }))).toBe('APP_COMMIT_PENDING');
  });

  it('verifies each signature once: at admission, not again when the block executes', () => {
    const net = devNet();
    const { alice, bob } = who(net);
    const txs = Array.from({ length: 5 }, () => net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 }));
    const v0 = verificationCount();
    for (const tx of txs) expect(net.check(tx).code).toBe(0);
    expect(verificationCount() - v0).toBe(5);
    const r = net.block(txs);
    expect(r.txResults.every((t) => t.code === 0)).toBe(true);
    expect(verificationCount() - v0).toBe(5);
    // A block of transactions this node never saw verifies each of them once.
    const fresh = Array.from({ length: 3 }, () => net.tx(bob, 'transfer', { to: alice.address, amountUc: 1 }));
    const v1 = verificationCount();
    net.block(fresh);
    expect(verificationCount() - v1).toBe(3);
  });

  it('processProposal accepts a good block and rejects each kind of bad one', () => {
    const net = devNet();
    const { alice, bob } = who(net);
    const tx = net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 });
    expect(net.app.processProposal(proposal(net, [tx]))).toEqual({ accept: true });
    const info = net.app.info();
    const forged = new Uint8Array(tx);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const cases: Array<[string, Block]> = [
      ['BLOCK_WRONG_CHAIN', proposal(net, [tx], { chainId: 'other-1' })],
      ['BLOCK_HEIGHT_MISMATCH', proposal(net, [tx], { height: info.height + 2 })],
      ['BLOCK_TIME_NOT_INCREASING', proposal(net, [tx], { timeMs: info.timeMs - 1 })],
      ['BLOCK_APP_HASH_MISMATCH', proposal(net, [tx], { appHash: new Uint8Array(32).fill(1) })],
      ['BLOCK_TXS_ROOT_MISMATCH', { ...proposal(net, [tx]), txs: [] }],
      ['BLOCK_EVIDENCE_HASH_MISMATCH', { ...proposal(net, [tx]), evidence: [{ type: 'duplicate_vote', validator: bob.address, height: 1, timeMs: 0, voteA: new Uint8Array(1), voteB: new Uint8Array(1) }] }],
      ['BLOCK_COMMIT_HASH_MISMATCH', { ...proposal(net, [tx]), lastCommit: { ...EMPTY_COMMIT, round: 1 } }],
      ['BLOCK_INVALID_TX', proposal(net, [forged])],
    ];
    for (const [error, block] of cases) {
      const r = net.app.processProposal(block);
      expect(r.accept, error).toBe(false);
      if (!r.accept) expect(r.error).toBe(error);
    }
  });

  it('processProposal enforces the block limits', () => {
    const base = devChain().genesis.params;
    const net = devNet({ params: { ...base, limits: { maxTxBytes: 2_000, maxBlockBytes: 2_000, maxBlockTxs: 2 } } });
    const { alice, bob } = who(net);
    const txs = Array.from({ length: 3 }, () => net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 }));
    const tooMany = net.app.processProposal(proposal(net, txs));
    expect(tooMany.accept === false && tooMany.error).toBe('BLOCK_TOO_MANY_TXS');
    const big = net.tx(alice, 'transfer', { to: bob.address, amountUc: 1, memo: new Uint8Array(1_200) });
    const tooLarge = net.app.processProposal(proposal(net, [big, big]));
    expect(tooLarge.accept === false && tooLarge.error).toBe('BLOCK_TOO_LARGE');
    expect(net.app.prepareProposal({ txs, maxBytes: 10_000 })).toHaveLength(2);
  });

  it('prepareProposal keeps order, drops what does not decode or verify, and respects maxBytes', () => {
    const net = devNet();
    const { alice, bob } = who(net);
    const a = net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 });
    const b = net.tx(alice, 'transfer', { to: bob.address, amountUc: 2 });
    const junk = new Uint8Array([1, 2, 3]);
    expect(net.app.prepareProposal({ txs: [a, junk, b], maxBytes: 1_000_000 })).toEqual([a, b]);
    expect(net.app.prepareProposal({ txs: [a, b], maxBytes: a.length })).toEqual([a]);
  });

  it('a failing transaction in a block costs its fee and nonce and nothing else', () => {
    const net = devNet();
    const { alice, bob } = who(net);
    const r = net.block([net.tx(alice, 'transfer', { to: bob.address, amountUc: 10 ** 15 }), net.tx(alice, 'transfer', { to: bob.address, amountUc: 3 })]);
    expect(r.txResults.map((t) => t.error ?? 'ok')).toEqual(['TX_INSUFFICIENT_FUNDS', 'ok']);
    expect((net.app.query(`account/${formatAddress(alice.address)}`).value as { nonce: number }).nonce).toBe(2);
  });

  it('fees go to the proposer\'s reward account, or are burned if the proposer is unknown', () => {
    const net = devNet();
    const { alice, bob } = who(net);
    const r = net.block([net.tx(alice, 'transfer', { to: bob.address, amountUc: 1 })], { proposer: new Uint8Array(20).fill(9) });
    const fee = r.txResults[0]?.feeUc ?? 0;
    expect(fee).toBeGreaterThan(0);
    expect(net.app.query('supply').value).toMatchObject({ burnedUc: fee });
    expect(r.events).toContainEqual({ type: 'fees', attributes: { proposer: formatAddress(new Uint8Array(20).fill(9)), amount_uc: String(fee), burned: 'true' } });
  });

  it('runs begin and end blockers with the block context; minting through mintUc keeps the invariant', () => {
    const seen: number[] = [];
    const lucky = devSigner('lucky').address;
    const begin: BlockHook = (_view, ctx) => seen.push(ctx.height);
    const reward: BlockHook = (view, ctx) => {
      ctx.events.push({ type: 'reward', attributes: {} });
      mintUc(view, lucky, 1_000);
    };
    const net = devNet({ app: { hooks: { beginBlockers: [begin], endBlockers: [reward] } } });
    net.block([]);
    const r = net.block([]);
    expect(seen).toEqual([1, 2]);
    expect(r.events.map((e) => e.type)).toContain('reward');
    expect(net.app.query(`account/${formatAddress(lucky)}`).value).toMatchObject({ balance: 2_000 });
    expect(net.app.query('supply').value).toMatchObject({ mintedUc: 2_000 });
    expect(auditSupply(net.app.entries()).heldUc).toBe(auditSupply(net.app.entries()).expectedUc);
  });

  it('coin created without minting stops the chain: FATAL_SUPPLY_INVARIANT, state untouched', () => {
    let cheat = false;
    const counterfeit: BlockHook = (view) => {
      if (cheat) creditUc(view, devSigner('thief').address, 1);
    };
    const net = devNet({ app: { hooks: { endBlockers: [counterfeit] } } });
    net.block([]);
    const before = net.app.info();
    cheat = true;
    const { v0 } = who(net);
    const req: FinalizeBlockRequest = { height: before.height + 1, timeMs: before.timeMs + 1000, proposer: v0.address, txs: [] };
    expect(thrownCode(() => net.app.finalizeBlock(req))).toBe('FATAL_SUPPLY_INVARIANT');
    expect(toHex(net.app.info().appHash)).toBe(toHex(before.appHash));
    expect(net.app.info().height).toBe(before.height);
  });

  it('a negative balance outside the system accounts is fatal; a system account may go negative', () => {
    const grid = devSigner('main-grid').address;
    const sell: BlockHook = (view, ctx) => {
      if (ctx.height !== 2) return;
      creditUc(view, grid, -500); // the main grid buys on credit
      creditUc(view, devSigner('seller').address, 500);
    };
    const ok = devNet({ app: { hooks: { endBlockers: [sell] }, systemAccounts: [grid] } });
    ok.block([]);
    ok.block([]);
    expect(ok.app.query(`account/${formatAddress(grid)}`).value).toMatchObject({ balance: -500 });
    const bad = devNet({ app: { hooks: { endBlockers: [sell] } } });
    bad.block([]);
    const info = bad.app.info();
    expect(thrownCode(() => bad.app.finalizeBlock({ height: 2, timeMs: info.timeMs + 1, proposer: who(bad).v0.address, txs: [] }))).toBe('FATAL_BALANCE_INVARIANT');
  });

  it('a hook that throws a GridLedgerError aborts the block (not a user error: the node must stop)', () => {
    const boom: BlockHook = () => {
      throw new GridLedgerError('MARKET_BUG', 'settlement failed');
    };
    const net = devNet({ app: { hooks: { endBlockers: [boom] } } });
    expect(thrownCode(() => net.block([]))).toBe('MARKET_BUG');
  });

  it('query answers with proofs that verify against the app hash', () => {
    const net = devNet({ feeder: tinyFeeder(2) });
    const { alice, bob } = who(net);
    net.send(alice, 'transfer', { to: bob.address, amountUc: 77 });
    const appHash = net.app.info().appHash;
    const q = net.app.query(`account/${formatAddress(bob.address)}`, { prove: true });
    expect(q.code).toBe(0);
    expect(q.key).toBe(stateKeys.account(bob.address));
    if (q.proof === undefined || q.valueBytes === undefined || q.valueBytes === null) throw new Error('no proof');
    expect(verifyStateProof(appHash, utf8(q.key ?? ''), q.valueBytes, q.proof)).toBe(true);
    const tampered = encodeCanonical({ balanceUc: 10 ** 12, nonce: 0 });
    expect(verifyStateProof(appHash, utf8(q.key ?? ''), tampered, q.proof)).toBe(false);
    const nobody = devSigner('nobody').address;
    const absent = net.app.query(`account/${formatAddress(nobody)}`, { prove: true });
    expect(absent.valueBytes).toBeNull();
    if (absent.proof === undefined) throw new Error('no proof');
    expect(verifyStateProof(appHash, utf8(stateKeys.account(nobody)), null, absent.proof)).toBe(true);
    expect(net.app.query('nonsense').error).toBe('QUERY_BAD_PATH');
    expect(net.app.query('account/gl123').error).toBe('ADDRESS_INVALID');
    for (const path of ['info', 'validators', 'members', 'operator', 'feeder', 'params', 'supply']) expect(net.app.query(path).code, path).toBe(0);
  });
});

describe('determinism and persistence', () => {
  /** A fixed script of blocks touching every transaction type. */
  function script(chainId: string): Array<(net: DevNet) => Uint8Array[]> {
    const carol = devSigner(`${chainId}/carol`);
    const newValidator = devSigner(`${chainId}/validator/new`);
    const meter = devSigner(`${chainId}/meter`);
    return [
      (n) => [n.tx(n.chain.operator, 'publish_feeder', { model: tinyFeeder(4) }), n.tx(who(n).alice, 'transfer', { to: carol.address, amountUc: 50_000_000 })],
      (n) => [n.tx(carol, 'join_request', { bus: 3, meterKeyHint: meter.publicKey, depositUc: 10_000_000, exportLimitW: 1, importLimitW: 2 })],
      (n) => [
        n.tx(n.chain.operator, 'approve_join', { member: carol.address, bus: 3, meterPubKey: meter.publicKey, exportLimitW: 3, importLimitW: 4 }),
        n.tx(who(n).bob, 'validator_create', { pubKey: newValidator.publicKey, selfStakeUc: 2_000_000 }),
      ],
      (n) => [n.tx(who(n).alice, 'stake', { validator: addressFromPublicKey(newValidator.publicKey), amountUc: 3_000_000 })],
      (n) => [n.tx(who(n).alice, 'unstake', { validator: addressFromPublicKey(newValidator.publicKey), amountUc: 1_000_000 }), n.tx(carol, 'transfer', { to: who(n).bob.address, amountUc: 10 ** 15 })],
      (n) => [n.tx(carol, 'leave', {})],
      () => [],
    ];
  }

  it('two independent instances fed the same blocks end with identical roots; a restart from the stored changes reaches it too', () => {
    const a = devNet({ validators: 2 });
    const b = devNet({ validators: 2 });
    const disk = new Map<string, Uint8Array>();
    for (const [k, v] of a.app.entries()) disk.set(k, v);
    for (const step of script('dev-1')) {
      const txs = step(a);
      const own = step(b); // b signs its own copies: Ed25519 is deterministic, so the bytes are equal
      expect(own.map(toHex)).toEqual(txs.map(toHex));
      const ra = a.block(txs);
      const rb = b.block(own);
      expect(toHex(ra.appHash)).toBe(toHex(rb.appHash));
      expect(ra.txResults.map((t) => t.code)).toEqual(rb.txResults.map((t) => t.code));
    }
    expect(a.app.info().height).toBe(7);
    expect(toHex(a.app.stateRoot())).toBe(toHex(b.app.stateRoot()));
    // Simulate the node's disk: replay each block's changes into a key/value map.
    const c = devNet({ validators: 2 });
    const store = new Map<string, Uint8Array>();
    for (const [k, v] of c.app.entries()) store.set(k, v);
    for (const step of script('dev-1')) {
      const height = c.app.info().height + 1;
      c.app.finalizeBlock({ height, timeMs: c.chain.genesis.genesisTimeMs + 1000 * height, proposer: who(c).v0.address, txs: step(c) });
      for (const [k, v] of c.app.commit().changes) {
        const key = new TextDecoder().decode(k);
        if (v === null) store.delete(key);
        else store.set(key, v);
      }
    }
    expect(toHex(c.app.stateRoot())).toBe(toHex(a.app.stateRoot()));
    expect([...store.keys()].sort()).toEqual(c.app.entries().map(([k]) => k));
    const restored = restoreApp([...store].map(([k, v]) => [utf8(k), v] as const));
    expect(toHex(restored.stateRoot())).toBe(toHex(a.app.stateRoot()));
    expect(restored.info()).toEqual(a.app.info());
    // And it continues exactly like the original.
    const next = (app: LedgerApp): string => {
      const r = app.finalizeBlock({ height: 8, timeMs: a.timeMs + 5_000, proposer: who(a).v0.address, txs: [] });
      app.commit();
      return toHex(r.appHash);
    };
    expect(next(restored)).toBe(next(a.app));
  });

  it('restore refuses corrupt state', () => {
    const net = devNet();
    const entries = net.app.entries().map(([k, v]) => [utf8(k), v] as const);
    expect(thrownCode(() => restoreApp([...entries, [utf8('acct/zz'), new Uint8Array([0xa0])] as const]))).toBe('STATE_CORRUPT');
    expect(thrownCode(() => restoreApp([...entries, [utf8('mystery'), new Uint8Array([0xa0])] as const]))).toBe('STATE_CORRUPT');
    const inflated = entries.map(([k, v]) => (new TextDecoder().decode(k) === stateKeys.account(who(net).alice.address) ? ([k, encodeCanonical({ balanceUc: 1, nonce: 0 })] as const) : ([k, v] as const)));
    expect(thrownCode(() => restoreApp(inflated))).toBe('FATAL_SUPPLY_INVARIANT');
  });

  it('buildTx produces byte-identical transactions for the same inputs (deterministic signatures)', () => {
    const s = devSigner('x');
    const tx = { chainId: 'dev-1', nonce: 4, type: 'transfer', body: { to: new Uint8Array(20), amountUc: 9 } };
    expect(toHex(buildTx(s, tx))).toBe(toHex(buildTx(s, tx)));
  });
});
