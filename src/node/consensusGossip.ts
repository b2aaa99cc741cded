/**
 * Gossip of consensus messages (docs/node.md section 3): the proposals and votes of recent
 * heights by signature, so that a duplicate is dropped before anything is verified or logged and
 * a stalled height's messages can be sent again; the node's own signed messages; and its status.
 */
import type { ConsensusOutput, EngineStatus } from '../consensus/index.ts';
import type { PeerId, PeerTransport } from '../net/transport.ts';
import { encodeProposal, encodeStatus, encodeVote, TOPIC } from './messages.ts';
import type { StatusMessage } from './messages.ts';

const sigKey = (signature: Uint8Array): string => Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('hex');

export class ConsensusGossip {
  private readonly transport: PeerTransport;
  /** Messages of recent heights by signature. */
  private readonly seen = new Map<number, Map<string, { topic: number; bytes: Uint8Array }>>();
  private lastTickKey = '';
  /** Proposals and votes taken from peers: a height with new ones since the last tick is not stalled. */
  private signedInputs = 0;
  private signedInputsAtTick = 0;

  constructor(transport: PeerTransport) {
    this.transport = transport;
  }

  /** Keeps a message; false if it was seen before. */
  remember(height: number, signature: Uint8Array, topic: number, bytes: Uint8Array): boolean {
    let byKey = this.seen.get(height);
    if (byKey === undefined) {
      byKey = new Map();
      this.seen.set(height, byKey);
    }
    const k = sigKey(signature);
    if (byKey.has(k)) return false;
    byKey.set(k, { topic, bytes });
    return true;
  }

  /** A refused message: neither sent again nor blocking a valid copy. */
  forget(height: number, signature: Uint8Array): void {
    this.seen.get(height)?.delete(sigKey(signature));
  }

  /** A peer's proposal or vote was taken. */
  noteSignedInput(): void {
    this.signedInputs++;
  }

  /** The node's own signed messages leave (the signer put each into the WAL when it signed it). */
  sendOwn(outputs: ConsensusOutput[]): void {
    for (const out of outputs) {
      if (out.type === 'broadcast-proposal') this.broadcastOwn(TOPIC.proposal, out.proposal.height, out.proposal.signature, encodeProposal(out.proposal));
      else if (out.type === 'broadcast-vote') this.broadcastOwn(TOPIC.vote, out.vote.height, out.vote.signature, encodeVote(out.vote));
    }
  }

  broadcastStatus(status: StatusMessage): void {
    this.transport.broadcast(TOPIC.status, encodeStatus(status));
  }

  sendStatus(peer: PeerId, status: StatusMessage): void {
    this.transport.send(peer, TOPIC.status, encodeStatus(status));
  }

  /** Every gossip interval: a height stalled since the last one gets its messages sent again. */
  tick(st: EngineStatus, working: boolean): void {
    const key = `${st.height}/${st.round}/${st.step}/${st.decided}`;
    // Stalled: no step and no message from a peer for a whole interval. Messages may have been lost
    // (a partition, a full queue): send what this node holds for the height again.
    if (working && key === this.lastTickKey && this.signedInputs === this.signedInputsAtTick) {
      for (const m of this.seen.get(st.height)?.values() ?? []) this.transport.broadcast(m.topic, m.bytes);
    }
    this.lastTickKey = key;
    this.signedInputsAtTick = this.signedInputs;
  }

  /** Messages of heights below `height` are no longer needed. */
  dropBelow(height: number): void {
    for (const h of [...this.seen.keys()]) if (h < height) this.seen.delete(h);
  }

  private broadcastOwn(topic: number, height: number, signature: Uint8Array, bytes: Uint8Array): void {
    this.remember(height, signature, topic, bytes);
    this.transport.broadcast(topic, bytes);
  }
}
