import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTx, createSigner, decodeBlock, fromHex, decodeCanonical, devChain, encodeCanonical, formatAddress, toHex, utf8 } from '../ledger/index.ts';
import type { PeerTransport } from '../net/transport.ts';
import { voteSignBytes } from '../consensus/index.ts';
import { createVirtualClock } from './clock.ts';
import { devValidatorSeed, disagreements, startCluster, stopCluster } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { decodeVote, encodeVote, TOPIC } from './messages.ts';
import { createNode } from './nodeRuntime.ts';
import { createMemoryChainStore } from './store/memoryChainStore.ts';
import type { ChainStore } from './store/chainStore.ts';
import { createInprocHub } from '../net/inproc/inprocHub.ts';

let running: Cluster | undefined;
afterEach(async () => {
  if (running !== undefined) await stopCluster(running);
  running = undefined;
});

const TIMEOUTS = { proposeMs: 1000, proposeDeltaMs: 200, prevoteMs: 500, prevoteDeltaMs: 200, precommitMs: 500, precommitDeltaMs: 200 };

describe('consensus host', () => {
  it('replays its WAL after a restart mid-height: same round, no double sign, the chain goes on', async () => {
    const c = await startCluster({ validators: 4, clock: 'virtual', timeouts: TIMEOUTS, blockPolicy: { kind: 'interval', intervalMs: 500 } });
    running = c;
    await c.waitForHeight(3);
    // No proposal reaches anyone: rounds pass without a decision, each logged in every WAL.
    c.dropFrames((f) => f.topic === TOPIC.proposal);
    const stalled = (): boolean => {
      const s = c.node(0).consensusStatus();
      return s.consensusHeight === s.height + 1 && s.round >= 3;
    };
    expect(await c.runUntil(stalled, { maxMs: 60_000 })).toBe(true);
    const before = c.node(0).consensusStatus();
    await c.stopNode(0);
    const back = await c.restartNode(0);
    const replayed = back.consensusStatus();
    expect(replayed.consensusHeight).toBe(before.consensusHeight);
    expect(replayed.round).toBe(before.round);
    expect(replayed.step).toBe(before.step);

    c.dropFrames(undefined);
    await c.waitForHeight(before.consensusHeight + 2, { maxMs: 120_000 });
    expect(disagreements(c)).toEqual([]);
    // Nobody saw two different votes of one validator: the restarted node signed nothing twice.
    for (let h = 1; h <= c.node(0).status().height; h++) expect(decodeBlock(c.node(0).getBlock(h)?.bytes ?? new Uint8Array()).evidence).toEqual([]);
  });

  it('an equivocating validator ends with committed evidence, slashed and tombstoned', async () => {
    const byzantine = 3;
    const c = await startCluster({
      validators: 4,
      clock: 'virtual',
      blockPolicy: { kind: 'interval', intervalMs: 500 },
      wrapTransport: (i, t) => (i === byzantine ? doubleSigner(t, 'cluster-1', devValidatorSeed('cluster-1', i)) : t),
    });
    running = c;
    const address = c.node(byzantine).address ?? '';
    const stakeBefore = validatorRecord(c, 0, address);
    expect(stakeBefore.tombstoned).toBe(false);
    await c.runUntil(() => evidenceHeights(c).length > 0, { maxMs: 30_000 });
    const [evidenceAt] = evidenceHeights(c);
    expect(evidenceAt).toBeDefined();
    await c.waitForHeight((evidenceAt ?? 0) + 4);

    const block = decodeBlock(c.node(0).getBlock(evidenceAt ?? 0)?.bytes ?? new Uint8Array());
    expect(block.evidence.map((e) => toHex(e.validator))).toContain(address);
    for (let i = 0; i < 3; i++) {
      const after = validatorRecord(c, i, address);
      expect(after.tombstoned).toBe(true);
      expect(after.jailed).toBe(true);
      // doubleSignSlashPpm = 5 %
      expect(after.bondedUc).toBe(stakeBefore.bondedUc - Math.floor((stakeBefore.bondedUc * 50_000) / 1_000_000));
    }
    const supply = c.node(0).query('supply').value as { burnedUc: number };
    expect(supply.burnedUc).toBeGreaterThan(0);
    // Removed from the set two heights later; the three honest validators go on.
    const active = c.node(0).query('validators').value as { active: Array<{ address: string }> };
    expect(active.active.map((v) => v.address)).not.toContain(formatAddress(Buffer.from(address, 'hex')));
    const h = c.node(0).status().height;
    await c.waitForHeight(h + 3);
    // A restart after the set changed restores the new set and its proposer order from the store.
    await c.stopNode(1);
    await c.restartNode(1);
    await c.waitForHeight(c.node(0).status().height + 4);
    expect(disagreements(c)).toEqual([]);
  });

  it('a validator restarted after the stakes changed keeps the same proposer order as the others', async () => {
    const c = await startCluster({ validators: 4, clock: 'virtual', blockPolicy: { kind: 'interval', intervalMs: 500 } });
    running = c;
    const alice = c.chain.accounts['alice'];
    if (alice === undefined) throw new Error('fixture');
    // Unequal power (350, 100, 100, 100): proposer priorities now matter, not only the rotation.
    const stake = buildTx(alice, { chainId: 'cluster-1', nonce: 0, type: 'stake', body: { validator: fromHex(c.node(0).address ?? ''), amountUc: 250_000_000 } }, c.chain.genesis.params);
    const r = c.node(0).submitTx(stake, { waitForCommit: true });
    await c.runUntil(() => c.node(0).status().height > 5, { maxMs: 30_000 });
    expect((await r).code).toBe(0);
    await c.waitForHeight(c.node(0).status().height + 4);
    await c.stopNode(2);
    const back = await c.restartNode(2);
    await c.waitForHeight(c.node(0).status().height + 12);
    expect(disagreements(c)).toEqual([]);
    // Had it computed another proposer order, it would have refused the others' proposals as
    // "not the proposer of the round" and penalized them; and missed the commits.
    for (const peer of ['node0', 'node1', 'node3']) expect(back.transport.score(peer)).toBe(0);
    expect(back.syncedBlocks).toBe(0);
  });

  it('refuses to start when the restored state is not the state its last block produced', async () => {
    const chain = devChain({ chainId: 'solo-1' });
    const clock = createVirtualClock(chain.genesis.genesisTimeMs);
    const store = createMemoryChainStore();
    const make = (s: ChainStore, validatorKey: Uint8Array | null) =>
      createNode({
        homeConfig: { chainId: 'solo-1', genesis: chain.genesis, validatorKey, dataDir: null, walDir: null },
        transport: createInprocHub().createTransport('solo'),
        clock,
        logger: pino({ level: 'silent' }),
        store: s,
        blockPolicy: { kind: 'interval', intervalMs: 100 },
      });
    const solo = make(store, devValidatorSeed('solo-1', 0));
    await solo.start();
    clock.advanceTo(clock.nowMs() + 1_000); // one validator: every height decides within its timers
    expect(solo.status().height).toBeGreaterThanOrEqual(5);
    await solo.stop();
    expect(() => make(tampered(store), null)).toThrow(expect.objectContaining({ code: 'NODE_APP_HASH_MISMATCH' }));
    expect(make(store, null).status().height).toBe(solo.status().height);
  });
});

function evidenceHeights(c: Cluster): number[] {
  const out: number[] = [];
  for (let h = 1; h <= c.node(0).status().height; h++) {
    const b = c.node(0).getBlock(h);
    if (b !== null && decodeBlock(b.bytes).evidence.length > 0) out.push(h);
  }
  return out;
}

function validatorRecord(c: Cluster, node: number, addressHex: string): { tombstoned: boolean; jailed: boolean; bondedUc: number } {
  const r = c.node(node).query(`validator/${formatAddress(Buffer.from(addressHex, 'hex'))}`);
  expect(r.code).toBe(0);
  return r.value as { tombstoned: boolean; jailed: boolean; bondedUc: number };
}

/**
 * A Byzantine validator for tests: every vote it broadcasts goes out twice, the real one and a
 * second one for another block id (nil for a block, a made-up block for nil), both signed.
 */
function doubleSigner(inner: PeerTransport, chainId: string, seed: Uint8Array): PeerTransport {
  const key = createSigner(seed);
  return Object.assign(Object.create(inner) as PeerTransport, {
    broadcast(topic: number, bytes: Uint8Array): number {
      const n = inner.broadcast(topic, bytes);
      if (topic !== TOPIC.vote) return n;
      const v = decodeVote(bytes);
      const unsigned = { type: v.type, height: v.height, round: v.round, blockId: v.blockId === null ? 'ee'.repeat(32) : null, timestampMs: v.timestampMs, validator: v.validator };
      inner.broadcast(topic, encodeVote({ ...unsigned, signature: key.sign(voteSignBytes(chainId, unsigned)) }));
      return n;
    },
  });
}

function tampered(store: ChainStore): ChainStore {
  const key = utf8('acct/');
  return {
    ...store,
    iterateState: (prefix: Uint8Array) =>
      (function* () {
        let done = false;
        for (const [k, v] of store.iterateState(prefix)) {
          if (!done && Buffer.from(k.subarray(0, key.length)).equals(Buffer.from(key))) {
            done = true;
            const account = decodeCanonical(v) as { balanceUc: number; nonce: number };
            yield [k, encodeCanonical({ ...account, nonce: account.nonce + 1 })] as const;
          } else yield [k, v] as const;
        }
      })(),
  };
}
