/**
 * Pending evidence survives a restart: a validator equivocates towards one node only, that node
 * is restarted before the evidence is committed (and cannot have told anyone: evidence frames are
 * dropped), and after the restart the evidence is still committed and the validator slashed. An
 * item already committed, found again in the evidence file after a crash, is not proposed again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { voteSignBytes } from '../consensus/index.ts';
import { createSigner, decodeBlock, formatAddress, toHex } from '../ledger/index.ts';
import type { PeerTransport } from '../net/transport.ts';
import { devValidatorSeed, disagreements, startCluster, stopCluster } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { decodeVote, encodeEvidence, encodeVote, TOPIC } from './messages.ts';
import { loadEvidenceFile, saveEvidenceFile } from './wal/evidenceFile.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gl-evidence-restart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let running: Cluster | undefined;
afterEach(async () => {
  if (running !== undefined) await stopCluster(running);
  running = undefined;
});

const CHAIN = 'cluster-1';
const BYZANTINE = 3;
const WITNESS = 0;

describe('pending evidence across a restart', () => {
  it('is committed after the only node holding it restarts, and never proposed twice', async () => {
    const dataDir = path.join(root, 'a');
    const c = await startCluster({
      validators: 4,
      clock: 'virtual',
      dataDir,
      blockPolicy: { kind: 'interval', intervalMs: 500 },
      wrapTransport: (i, t) => (i === BYZANTINE ? equivocateOnceTo(t, `node${WITNESS}`, devValidatorSeed(CHAIN, i)) : t),
    });
    running = c;
    const evidenceFile = path.join(dataDir, `node${WITNESS}`, 'wal', 'evidence.json');
    const byzantine = c.node(BYZANTINE).address ?? '';
    const stakeBefore = validatorRecord(c, 1, byzantine);

    // The witness cannot pass the evidence on: only its own saved copy can get it committed.
    c.dropFrames((f) => f.topic === TOPIC.evidence);
    expect(await c.runUntil(() => c.node(WITNESS).consensusStatus().pendingEvidence > 0, { maxMs: 30_000 })).toBe(true);
    for (const i of [1, 2, BYZANTINE]) expect(c.node(i).consensusStatus().pendingEvidence).toBe(0);
    expect(evidenceHeights(c)).toEqual([]);
    expect(loadEvidenceFile(evidenceFile)).toHaveLength(1);

    await c.stopNode(WITNESS);
    const back = await c.restartNode(WITNESS);
    expect(back.consensusStatus().pendingEvidence).toBe(1);

    expect(await c.runUntil(() => evidenceHeights(c).length > 0, { maxMs: 60_000 })).toBe(true);
    const [evidenceAt] = evidenceHeights(c);
    await c.waitForHeight((evidenceAt ?? 0) + 3, { maxMs: 60_000 });
    const block = decodeBlock(c.node(WITNESS).getBlock(evidenceAt ?? 0)?.bytes ?? new Uint8Array());
    expect(block.evidence.map((e) => toHex(e.validator))).toEqual([byzantine]);
    // The proposer of that block held the evidence: the restarted witness, nobody else had it.
    expect(toHex(block.header.proposer)).toBe(back.address);
    for (const i of [0, 1, 2]) {
      const after = validatorRecord(c, i, byzantine);
      expect(after.tombstoned).toBe(true);
      expect(after.bondedUc).toBe(stakeBefore.bondedUc - Math.floor((stakeBefore.bondedUc * 50_000) / 1_000_000)); // 5 %
    }
    expect(back.consensusStatus().pendingEvidence).toBe(0);
    expect(loadEvidenceFile(evidenceFile)).toEqual([]);

    // A crash between the store commit and the file update leaves the committed item in the file.
    await c.stopNode(WITNESS);
    const committed = block.evidence[0];
    if (committed === undefined) throw new Error('no evidence in the block');
    saveEvidenceFile(evidenceFile, [encodeEvidence(committed)]);
    const again = await c.restartNode(WITNESS);
    expect(again.consensusStatus().pendingEvidence).toBe(0);
    expect(loadEvidenceFile(evidenceFile)).toEqual([]);
    await c.waitForHeight(again.status().height + 6, { maxMs: 60_000 });
    expect(evidenceHeights(c)).toEqual([evidenceAt]);
    expect(disagreements(c)).toEqual([]);
  });
});

function evidenceHeights(c: Cluster): number[] {
  const node = c.nodes.find((_, i) => c.isRunning(i));
  const out: number[] = [];
  for (let h = 1; h <= (node?.status().height ?? 0); h++) {
    const b = node?.getBlock(h);
    if (b !== null && b !== undefined && decodeBlock(b.bytes).evidence.length > 0) out.push(h);
  }
  return out;
}

function validatorRecord(c: Cluster, node: number, addressHex: string): { tombstoned: boolean; bondedUc: number } {
  const r = c.node(node).query(`validator/${formatAddress(Buffer.from(addressHex, 'hex'))}`);
  expect(r.code).toBe(0);
  return r.value as { tombstoned: boolean; bondedUc: number };
}

/**
 * A Byzantine validator for tests: its first prevote for a block from height 2 on gets a twin
 * for nil, signed, sent to one peer only. Every other message goes out as usual.
 */
function equivocateOnceTo(inner: PeerTransport, target: string, seed: Uint8Array): PeerTransport {
  const key = createSigner(seed);
  let done = false;
  return Object.assign(Object.create(inner) as PeerTransport, {
    broadcast(topic: number, bytes: Uint8Array): number {
      const n = inner.broadcast(topic, bytes);
      if (done || topic !== TOPIC.vote) return n;
      const v = decodeVote(bytes);
      if (v.type !== 'prevote' || v.height < 2 || v.blockId === null) return n;
      done = true;
      const twin = { type: v.type, height: v.height, round: v.round, blockId: null, timestampMs: v.timestampMs, validator: v.validator };
      inner.send(target, topic, encodeVote({ ...twin, signature: key.sign(voteSignBytes(CHAIN, twin)) }));
      return n;
    },
  });
}
