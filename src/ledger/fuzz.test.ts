import { describe, expect, it } from 'vitest';
import { isGridLedgerError } from '../errors.ts';
import { ERROR_CODES } from './codes.ts';
import { encodeCanonical } from './encoding.ts';
import { defaultParams } from './params.ts';
import { devNet, tinyFeeder } from './testkit.ts';
import { decodeTx } from './tx/envelope.ts';
import { defaultRegistry } from './tx/registry.ts';

/** xorshift32: a seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const b = Array.from(src);
  const edits = 1 + (next() % 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : next() % b.length;
    switch (next() % 7) {
      case 0: // flip a bit
        b[at] = ((b[at] ?? 0) ^ (1 << (next() % 8))) & 0xff;
        break;
      case 1: // set a byte to an interesting value
        b[at] = [0x00, 0xff, 0x7f, 0x80, 0x18, 0x19, 0x1a, 0x1b, 0x5f, 0x9f, 0xbf, 0xf6, 0xf7, 0xfb][next() % 14] ?? 0;
        break;
      case 2: // insert
        b.splice(at, 0, next() & 0xff);
        break;
      case 3: // delete
        b.splice(at, 1 + (next() % 3));
        break;
      case 4: // truncate
        b.length = at;
        break;
      case 5: // duplicate a slice
        b.splice(at, 0, ...b.slice(at, at + 1 + (next() % 16)));
        break;
      default: // declare a huge length
        b.splice(at, 1, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    }
  }
  return new Uint8Array(b);
}

describe('transaction decoder fuzz', () => {
  it('100,000 random and mutated byte strings: only GridLedgerError with a known code, never a crash', () => {
    const net = devNet({ feeder: tinyFeeder(3) });
    const alice = net.chain.accounts['alice'];
    const bob = net.chain.accounts['bob'];
    if (alice === undefined || bob === undefined) throw new Error('fixture');
    const seeds = [
      net.tx(alice, 'transfer', { to: bob.address, amountUc: 12_345 }),
      net.tx(alice, 'stake', { validator: bob.address, amountUc: 7 }),
      net.tx(alice, 'join_request', { bus: 2, meterKeyHint: bob.publicKey, depositUc: 10_000_000, exportLimitW: 1, importLimitW: 2 }),
      net.tx(net.chain.operator, 'publish_feeder', { model: tinyFeeder(2) }),
      net.tx(alice, 'leave', {}),
      encodeCanonical({ a: [1, 2, { b: new Uint8Array(3) }], c: 'x', d: null, e: true, f: -1, g: 1.5 }),
    ];
    const maxTxBytes = defaultParams().limits.maxTxBytes;
    const next = rng(0x5eed);
    const known = new Set(Object.keys(ERROR_CODES));
    const seen = new Map<string, number>();
    let decoded = 0;
    for (let i = 0; i < 100_000; i++) {
      let bytes: Uint8Array;
      if (i % 4 === 0) {
        bytes = new Uint8Array(next() % 300);
        for (let k = 0; k < bytes.length; k++) bytes[k] = next() & 0xff;
      } else {
        bytes = mutate(seeds[next() % seeds.length] as Uint8Array, next);
      }
      try {
        decodeTx(bytes, defaultRegistry, maxTxBytes);
        decoded++;
      } catch (e) {
        if (!isGridLedgerError(e) || !known.has(e.code)) throw new Error(`unexpected error for ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
        seen.set(e.code, (seen.get(e.code) ?? 0) + 1);
      }
      // A slice also goes through the whole admission path (signature included).
      if (i % 50 === 0) {
        const r = net.check(bytes);
        if (r.code !== 0 && !known.has(r.error ?? '')) throw new Error(`unexpected checkTx result ${r.error ?? ''}`);
      }
    }
    // The mutants reach past the CBOR layer into every stage of the decoder.
    for (const stage of ['ENCODING_INVALID', 'ENCODING_NOT_CANONICAL', 'TX_MALFORMED', 'TX_BODY_INVALID']) expect(seen.get(stage) ?? 0, stage).toBeGreaterThan(0);
    expect(decoded).toBeGreaterThan(0);
  });
});
