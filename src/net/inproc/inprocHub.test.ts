import { afterEach, describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../../errors.ts';
import type { PeerTransport } from '../transport.ts';
import { createInprocHub } from './inprocHub.ts';
import type { InprocFrame } from './inprocHub.ts';

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('in-process hub', () => {
  const live: PeerTransport[] = [];
  afterEach(async () => {
    await Promise.all(live.splice(0).map((t) => t.stop()));
  });

  async function connectedPair(hub: ReturnType<typeof createInprocHub>): Promise<[PeerTransport, PeerTransport, number[][]]> {
    const a = hub.createTransport('a');
    const b = hub.createTransport('b');
    live.push(a, b);
    const got: number[][] = [];
    b.onMessage((_peer, topic, bytes) => got.push([topic, ...bytes]));
    await a.start();
    await b.start();
    a.dial([hub.addressOf('b')]);
    await waitFor('connected', () => a.connectedPeers().length === 1);
    return [a, b, got];
  }

  it('lets a drop hook discard chosen frames, seeing sender, receiver and topic', async () => {
    const hub = createInprocHub();
    const [a, b, got] = await connectedPair(hub);
    const seen: InprocFrame[] = [];
    hub.setFaults({
      drop: (f) => {
        seen.push(f);
        return f.topic === 2;
      },
    });
    for (let i = 0; i < 6; i++) a.send(b.peerId, 1 + (i % 2), Uint8Array.of(i));
    await waitFor('three frames', () => got.length === 3);
    expect(got).toEqual([
      [1, 0],
      [1, 2],
      [1, 4],
    ]);
    expect(seen.map((f) => [f.from, f.to, f.topic])).toEqual([
      ['a', 'b', 1],
      ['a', 'b', 2],
      ['a', 'b', 1],
      ['a', 'b', 2],
      ['a', 'b', 1],
      ['a', 'b', 2],
    ]);
  });

  it('delays frames without letting a later frame overtake an earlier one', async () => {
    const hub = createInprocHub();
    const [a, b, got] = await connectedPair(hub);
    hub.setFaults({ delayMs: (f) => 400 - 100 * (f.bytes[0] ?? 0) }); // later frames ask for less delay
    for (let i = 0; i < 4; i++) a.send(b.peerId, 1, Uint8Array.of(i));
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([]); // held, not delivered at once
    hub.setFaults({});
    a.send(b.peerId, 1, Uint8Array.of(9)); // undelayed, still behind the delayed ones
    await waitFor('five frames', () => got.length === 5);
    expect(got.map((f) => f[1])).toEqual([0, 1, 2, 3, 9]);
  });

  it('delivers copies: the receiver never shares the sender’s buffer', async () => {
    const hub = createInprocHub();
    const [a, b] = await connectedPair(hub);
    const kept: Uint8Array[] = [];
    b.onMessage((_p, _t, bytes) => kept.push(bytes));
    const sent = Uint8Array.of(1, 2, 3);
    a.send(b.peerId, 1, sent);
    await waitFor('frame', () => kept.length === 1);
    sent.fill(0);
    expect(kept[0]).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('refuses a bad peer id and a second transport with a started peer id', async () => {
    const hub = createInprocHub();
    let code: string | undefined;
    try {
      hub.createTransport('has space');
    } catch (e) {
      code = isGridLedgerError(e) ? e.code : undefined;
    }
    expect(code).toBe('NET_BAD_PEER_ID');
    const first = hub.createTransport('x');
    live.push(first);
    await first.start();
    await expect(hub.createTransport('x').start()).rejects.toMatchObject({ code: 'NET_PEER_ID_IN_USE' });
  });
});
