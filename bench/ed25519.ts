import { devSigner, verifySignature } from '../src/ledger/index.ts';

/**
 * Ed25519 verifications per second on one core, through the ledger's own rule (Node's crypto,
 * KeyObjects cached as the node caches them): the ceiling every chain figure is compared with.
 * Median of five rounds of 4,000 verifications over 256 keys and 200-byte messages.
 */
export function measureVerifyRate(): number {
  const msgs = Array.from({ length: 256 }, (_, i) => {
    const k = devSigner(`bench-verify/${i}`);
    const m = new Uint8Array(200).fill(i & 0xff);
    return { pk: k.publicKey, m, sig: k.sign(m) };
  });
  for (const x of msgs) verifySignature(x.pk, x.m, x.sig); // warm the KeyObject cache
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const n = 4_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const x = msgs[i % msgs.length];
      if (x === undefined || !verifySignature(x.pk, x.m, x.sig)) throw new Error('verify failed');
    }
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[2] ?? Number.NaN;
}
