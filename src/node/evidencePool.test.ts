import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidatorSet } from '../consensus/index.ts';
import type { DuplicateVoteEvidence, SignedVote } from '../consensus/index.ts';
import { makeValidators, signVoteRaw } from '../consensus/testKit.ts';
import type { TestValidator } from '../consensus/testKit.ts';
import { fromHex, toHex } from '../ledger/index.ts';
import type { EvidenceItem, Signer } from '../ledger/index.ts';
import { devNet } from '../ledger/testkit.ts';
import type { DevNet } from '../ledger/testkit.ts';
import { createInprocHub } from '../net/inproc/inprocHub.ts';
import type { PeerTransport } from '../net/transport.ts';
import { evidenceKey } from './blockValidation.ts';
import { EvidencePool } from './evidencePool.ts';
import { decodeEvidence, encodeEvidence, encodeVote, TOPIC } from './messages.ts';
import { ledgerVerifier } from './nodeRuntime.ts';
import { createMemoryChainStore } from './store/memoryChainStore.ts';
import { memoryEvidenceStore } from './wal/evidenceFile.ts';
import type { PendingEvidenceStore } from './wal/evidenceFile.ts';

const CHAIN = 'pool-1';
const live: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((t) => t.stop()));
});

/** A few event-loop turns, until `cond` holds (frames cross the in-process hub asynchronously). */
async function settle(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  return cond();
}

/** What the pool saved, in order, with how many frames its transport had sent at each save. */
interface SaveLog {
  readonly lists: string[][];
  readonly framesSentAt: number[];
}

interface Fixture {
  net: DevNet;
  vals: TestValidator[];
  disk: PendingEvidenceStore;
  saves: SaveLog;
  a: PeerTransport;
  /** Evidence frames the connected peer `b` received. */
  heard: EvidenceItem[];
  height: { committed: number };
  pool: (disk?: PendingEvidenceStore) => EvidencePool;
}

/**
 * A devNet of four validators with three committed blocks; the pool's transport `a` connected to
 * a peer `b` over the in-process hub; pending evidence kept in a memory store whose saves are logged.
 */
async function fixture(): Promise<Fixture> {
  const net = devNet({ chainId: CHAIN, validators: 4 });
  for (let h = 1; h <= 3; h++) net.block([]);
  const vals = net.chain.validators.map((s: Signer) => ({ key: s, address: toHex(s.address), publicKey: s.publicKey, votingPower: 10 }));
  const set = ValidatorSet.genesis(vals);
  const hub = createInprocHub();
  const a = hub.createTransport('a');
  const b = hub.createTransport('b');
  live.push(a, b);
  const heard: EvidenceItem[] = [];
  b.onMessage((_peer, topic, bytes) => {
    if (topic === TOPIC.evidence) heard.push(decodeEvidence(bytes));
  });
  await a.start();
  await b.start();
  a.dial([hub.addressOf('b')]);
  expect(await settle(() => a.connectedPeers().length === 1 && b.connectedPeers().length === 1)).toBe(true);

  const saves: SaveLog = { lists: [], framesSentAt: [] };
  const inner = memoryEvidenceStore();
  const disk: PendingEvidenceStore = {
    load: () => inner.load(),
    save(items) {
      saves.lists.push(items.map(savedKey));
      saves.framesSentAt.push(a.stats().framesSent);
      inner.save(items);
    },
  };
  const height = { committed: 3 };
  const pool = (evidenceStore: PendingEvidenceStore = disk): EvidencePool => {
    const p = new EvidencePool({
      chainId: CHAIN,
      app: net.app,
      store: createMemoryChainStore(),
      evidenceStore,
      transport: a,
      verifier: ledgerVerifier,
      logger: pino({ level: 'silent' }),
      committedHeight: () => height.committed,
    });
    for (let h = 1; h <= 3; h++) p.noteBlock(h, set, blockTime(net, h));
    return p;
  };
  return { net, vals, disk, saves, a, heard, height, pool };
}

function savedKey(bytes: Uint8Array): string {
  try {
    return evidenceKey(decodeEvidence(bytes));
  } catch {
    return 'undecodable';
  }
}

/** devNet's block h carries genesis time + h seconds. */
const blockTime = (net: DevNet, h: number): number => net.chain.genesis.genesisTimeMs + h * 1_000;

/** Two prevotes of `v` at `height`/`round`: nil, then a block (canonical order). */
function votes(net: DevNet, v: TestValidator, height: number, round = 0): [SignedVote, SignedVote] {
  const t = blockTime(net, height);
  return [
    signVoteRaw(CHAIN, v, { type: 'prevote', height, round, blockId: null, timestampMs: t + 1 }),
    signVoteRaw(CHAIN, v, { type: 'prevote', height, round, blockId: 'e1'.repeat(32), timestampMs: t + 2 }),
  ];
}

function item(net: DevNet, v: TestValidator, height: number, round = 0): EvidenceItem {
  const [a, b] = votes(net, v, height, round);
  return { type: 'duplicate_vote', validator: fromHex(v.address), height, timeMs: blockTime(net, height), voteA: encodeVote(a), voteB: encodeVote(b) };
}

function found(net: DevNet, v: TestValidator, height: number, round = 0): DuplicateVoteEvidence {
  const [voteA, voteB] = votes(net, v, height, round);
  return { voteA, voteB, validatorPower: 10, totalVotingPower: 40, timestampMs: blockTime(net, height) };
}

const keys = (items: readonly EvidenceItem[]): string[] => items.map(evidenceKey);
/** Items as their wire bytes (decoded items hold Uint8Arrays where built ones may hold Buffers). */
const wire = (items: readonly EvidenceItem[]): string[] => items.map((i) => toHex(encodeEvidence(i)));
const val = (f: Fixture, i: number): TestValidator => f.vals[i] as TestValidator;

describe('EvidencePool', () => {
  it('keeps a double-sign it found, saves it before telling the peers, and ignores it the second time', async () => {
    const f = await fixture();
    const pool = f.pool();
    const ev = item(f.net, val(f, 1), 2);
    pool.found(found(f.net, val(f, 1), 2));
    expect(pool.pendingCount).toBe(1);
    expect(f.saves.lists).toEqual([[evidenceKey(ev)]]);
    expect(f.saves.framesSentAt).toEqual([0]); // nothing sent yet when the save returned
    expect(await settle(() => f.heard.length === 1)).toBe(true);
    expect(keys(f.heard)).toEqual([evidenceKey(ev)]);

    pool.found(found(f.net, val(f, 1), 2));
    pool.receive('b', ev);
    expect(pool.pendingCount).toBe(1);
    expect(f.saves.lists).toHaveLength(1);
    expect(f.a.stats().framesSent).toBe(1);
    expect(wire(pool.forBlock(4))).toEqual(wire([ev]));
  });

  it('keeps a valid item from a peer; penalizes a forged one; does not blame a peer ahead of it', async () => {
    const f = await fixture();
    const pool = f.pool();
    const good = item(f.net, val(f, 2), 3);
    pool.receive('b', good);
    expect(pool.pendingCount).toBe(1);
    expect(f.saves.lists).toEqual([[evidenceKey(good)]]);
    expect(f.a.score('b')).toBe(0);

    // Evidence from height 4, which this node has not committed yet: dropped, no penalty.
    const ahead = item(f.net, val(f, 2), 4);
    pool.receive('b', ahead);
    expect(f.a.score('b')).toBe(0);

    const forged = { ...item(f.net, val(f, 3), 1), voteB: encodeVote({ ...votes(f.net, val(f, 3), 1)[1], signature: new Uint8Array(64) }) };
    pool.receive('b', forged);
    const afterForged = f.a.score('b');
    expect(afterForged).toBeLessThan(0);
    expect(pool.pendingCount).toBe(1);
    // Two votes for the same block are no double-sign: a malformed item, the peer's doing.
    const same = { ...item(f.net, val(f, 3), 1) };
    pool.receive('b', { ...same, voteB: same.voteA });
    expect(f.a.score('b')).toBeLessThan(afterForged);
    expect(pool.pendingCount).toBe(1);
    expect(f.saves.lists).toHaveLength(1);
    // Once the node commits height 4, the same item is fine.
    f.height.committed = 4;
    pool.noteBlock(4, ValidatorSet.genesis(f.vals), blockTime(f.net, 4));
    pool.receive('b', ahead);
    expect(pool.pendingCount).toBe(2);
  });

  it('proposes at most 16 items a block, in key order', async () => {
    const f = await fixture();
    const pool = f.pool();
    // Twenty rounds of one validator at height 1, received in numeric round order.
    for (let r = 0; r < 20; r++) pool.receive('b', item(f.net, val(f, 1), 1, r));
    expect(pool.pendingCount).toBe(20);
    // Keys compare as text: round 10 sorts before round 2.
    const rounds = [0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 2, 3, 4, 5];
    expect(keys(pool.forBlock(4))).toEqual(rounds.map((r) => `${val(f, 1).address}/1/${r}/prevote`));
    // Nothing is dropped by the cap: all twenty stay pending.
    expect(pool.pendingCount).toBe(20);
  });

  it('never proposes or takes back an item once committed, and saves the list without it', async () => {
    const f = await fixture();
    const pool = f.pool();
    const a = item(f.net, val(f, 1), 2);
    const b = item(f.net, val(f, 2), 2);
    pool.receive('b', a);
    pool.receive('b', b);
    expect(f.saves.lists).toHaveLength(2);
    pool.onCommitted([a]);
    expect(f.saves.lists.at(-1)).toEqual([evidenceKey(b)]);
    expect(wire(pool.forBlock(4))).toEqual(wire([b]));
    // The validator is not tombstoned in this ledger: only the committed keys stop it coming back.
    pool.receive('b', a);
    pool.found(found(f.net, val(f, 1), 2));
    expect(wire(pool.forBlock(4))).toEqual(wire([b]));
    expect(f.saves.lists).toHaveLength(3);
    // A block with no pending item of ours changes nothing, so nothing is saved.
    pool.onCommitted([item(f.net, val(f, 3), 1)]);
    expect(f.saves.lists).toHaveLength(3);
  });

  it('drops items of a validator the ledger tombstoned, or does not know, and saves the list without them', async () => {
    const f = await fixture();
    const pool = f.pool();
    const of1 = item(f.net, val(f, 1), 2);
    const of2 = item(f.net, val(f, 2), 2);
    pool.receive('b', of1);
    pool.receive('b', of2);
    // The engine also reports a stranger's double sign (found() does not check it).
    const [stranger] = makeValidators([10], 'stranger') as [TestValidator];
    pool.found(found(f.net, stranger, 2));
    expect(pool.pendingCount).toBe(3);
    expect(keys(pool.forBlock(4))).toEqual([evidenceKey(of1), evidenceKey(of2)].sort());
    expect(f.saves.lists.at(-1)).toEqual([evidenceKey(of1), evidenceKey(of2)].sort());

    // Block 4 tombstones validator 2 (another node's block carried evidence against it).
    f.net.block([], { misbehaviour: [{ type: 'duplicate_vote', validator: fromHex(val(f, 2).address), height: 1, timeMs: blockTime(f.net, 1) }] });
    f.height.committed = 4;
    const saved = f.saves.lists.length;
    expect(wire(pool.forBlock(5))).toEqual(wire([of1]));
    expect(pool.pendingCount).toBe(1);
    expect(f.saves.lists).toHaveLength(saved + 1);
    expect(f.saves.lists.at(-1)).toEqual([evidenceKey(of1)]);
  });

  it('load after a restart restores the pending items, dropping what no longer decodes', async () => {
    const f = await fixture();
    const before = f.pool();
    const a = item(f.net, val(f, 3), 1);
    const b = item(f.net, val(f, 1), 3);
    before.found(found(f.net, val(f, 3), 1));
    before.receive('b', b);

    const after = f.pool();
    expect(after.pendingCount).toBe(0);
    after.load();
    expect(after.pendingCount).toBe(2);
    // Validator 1 at height 3 and validator 3 at height 1, in key (address) order.
    const ordered = val(f, 1).address < val(f, 3).address ? [b, a] : [a, b];
    expect(wire(after.forBlock(4))).toEqual(wire(ordered));
    const savesBefore = f.saves.lists.length;

    // A damaged entry among them: the rest is kept and the list saved again without it.
    const raw = f.disk.load();
    f.disk.save([...raw, Uint8Array.of(0xa1, 0x00)]);
    expect(f.saves.lists.at(-1)).toContain('undecodable');
    const third = f.pool();
    third.load();
    expect(third.pendingCount).toBe(2);
    expect(f.saves.lists).toHaveLength(savesBefore + 2);
    expect(f.saves.lists.at(-1)).toEqual(keys([a, b]).sort());
  });

  it('sends every pending item to a newly connected peer', async () => {
    const f = await fixture();
    const pool = f.pool();
    const items = [item(f.net, val(f, 1), 1), item(f.net, val(f, 2), 2), item(f.net, val(f, 3), 3)];
    for (const x of items) pool.receive('b', x);
    expect(f.heard).toEqual([]); // received items are not broadcast
    pool.sendPending('b');
    expect(await settle(() => f.heard.length === 3)).toBe(true);
    expect(keys(f.heard).sort()).toEqual(keys(items).sort());
  });
});
