import { sign as cryptoSign, verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, toHex } from './bytes.ts';
import { P, addPoints, decodePoint, encodedY, isIdentity, isSmallOrder } from './curve.ts';
import { createSigner, generateKeyPair, isAcceptablePublicKey, isRegistrableKey, keyPairFromSeed, verifySignature } from './keys.ts';

// RFC 8032 section 7.1, tests 1-3.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i] ?? 0);
  return x;
}

function bigToLe(x: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let v = x;
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const SPKI_PREFIX = fromHex('302a300506032b6570032100');
/** Node's verify alone, without the ledger's key checks. */
function nodeVerify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, pk)), format: 'der', type: 'spki' });
  return cryptoVerify(null, msg, key, sig);
}

describe('Ed25519 (the protocol rule)', () => {
  it('matches the RFC 8032 vectors: key derivation, signing and verification', () => {
    for (const v of RFC8032) {
      const pair = keyPairFromSeed(fromHex(v.secret));
      expect(toHex(pair.publicKey)).toBe(v.public);
      const signer = createSigner(fromHex(v.secret));
      expect(toHex(signer.sign(fromHex(v.message)))).toBe(v.signature);
      expect(verifySignature(pair.publicKey, fromHex(v.message), fromHex(v.signature))).toBe(true);
    }
  });

  it('refuses forgeries: another message, a flipped bit, another key, wrong lengths', () => {
    const v = RFC8032[1];
    if (v === undefined) throw new Error('vector');
    const pk = fromHex(v.public);
    const sig = fromHex(v.signature);
    expect(verifySignature(pk, fromHex('73'), sig)).toBe(false);
    for (const bit of [0, 100, 255, 256, 511]) {
      const bad = new Uint8Array(sig);
      bad[bit >> 3] = (bad[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(verifySignature(pk, fromHex('72'), bad)).toBe(false);
    }
    expect(verifySignature(fromHex(RFC8032[0]?.public ?? ''), fromHex('72'), sig)).toBe(false);
    expect(verifySignature(pk, fromHex('72'), sig.subarray(0, 63))).toBe(false);
    expect(verifySignature(pk.subarray(0, 31), fromHex('72'), sig)).toBe(false);
  });

  it('refuses a signature whose S is not reduced (S + L): no malleability', () => {
    for (const v of RFC8032) {
      const sig = fromHex(v.signature);
      const s = leToBig(sig.subarray(32));
      const malleated = concatBytes(sig.subarray(0, 32), bigToLe(s + L, 32));
      // [S+L]B = [S]B, so a verifier that skips the S < L check would accept this.
      expect(verifySignature(fromHex(v.public), fromHex(v.message), malleated)).toBe(false);
      expect(nodeVerify(fromHex(v.public), fromHex(v.message), malleated)).toBe(false);
    }
  });

  it('documents why small-order keys are refused: Node alone accepts a forgery under one', () => {
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
    // R = identity, S = 0: [0]B = R + [k]·identity for every message.
    const forged = concatBytes(identity, new Uint8Array(32));
    expect(nodeVerify(identity, new Uint8Array([1, 2, 3]), forged)).toBe(true);
    expect(verifySignature(identity, new Uint8Array([1, 2, 3]), forged)).toBe(false);
    expect(isAcceptablePublicKey(identity)).toBe(false);
  });

  it('refuses non-canonical key encodings (y >= p)', () => {
    const yP2 = bigToLe(P + 2n, 32); // non-canonical 2
    expect(isAcceptablePublicKey(yP2)).toBe(false);
    const pair = generateKeyPair();
    expect(isAcceptablePublicKey(pair.publicKey)).toBe(true);
    expect(isRegistrableKey(pair.publicKey)).toBe(true);
  });

  it('registrable keys must be curve points', () => {
    // y = 2 is not the y of any point (x^2 would be a non-square).
    const two = bigToLe(2n, 32);
    expect(decodePoint(two)).toBeNull();
    expect(isAcceptablePublicKey(two)).toBe(true);
    expect(isRegistrableKey(two)).toBe(false);
  });

  it('generates distinct key pairs that sign and verify', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(bytesEqual(a.publicKey, b.publicKey)).toBe(false);
    const s = createSigner(a.secretKey);
    const msg = new Uint8Array([9, 9]);
    expect(verifySignature(a.publicKey, msg, s.sign(msg))).toBe(true);
    expect(verifySignature(b.publicKey, msg, s.sign(msg))).toBe(false);
    expect(verifySignature(a.publicKey, msg, new Uint8Array(cryptoSign(null, msg, { key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), b.secretKey]), format: 'der', type: 'pkcs8' })))).toBe(false);
  });
});

describe('small-order blocklist', () => {
  const list = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];

  it('every canonical entry, with either sign bit, is a point of order dividing 8', () => {
    let points = 0;
    for (const hex of list) {
      for (const signBit of [0, 0x80]) {
        const enc = fromHex(hex);
        enc[31] = (enc[31] ?? 0) | signBit;
        const p = decodePoint(enc);
        if (p === null) continue; // x = 0 with the sign bit set is not an encoding
        points++;
        expect(isSmallOrder(p), hex).toBe(true);
        expect(isAcceptablePublicKey(enc)).toBe(false);
      }
    }
    // The torsion subgroup has exactly eight points: the list covers all of them.
    expect(points).toBe(8);
  });

  it('the order-8 entries really have order 8, and the base point is not small', () => {
    for (const hex of list.slice(2, 4)) {
      const p = decodePoint(fromHex(hex));
      if (p === null) throw new Error('not a point');
      const p4 = addPoints(addPoints(p, p), addPoints(p, p));
      expect(isIdentity(p4)).toBe(false);
    }
    const base = decodePoint(fromHex('5866666666666666666666666666666666666666666666666666666666666666'));
    if (base === null) throw new Error('base point');
    expect(isSmallOrder(base)).toBe(false);
    expect(encodedY(fromHex(list[4] ?? '')) === P - 1n).toBe(true);
  });
});

describe('canonical key check', () => {
  it('agrees with exact arithmetic (y < p) at and around the boundary', () => {
    for (let d = -3n; d <= 20n; d++) {
      const y = P + d;
      for (const sign of [0, 0x80]) {
        const enc = bigToLe(y, 32);
        enc[31] = (enc[31] ?? 0) | sign;
        const smallOrderY = [0n, 1n, P - 1n, P, P + 1n].includes(y);
        expect(isAcceptablePublicKey(enc), `y = p + ${d}`).toBe(y < P && !smallOrderY);
      }
    }
  });
});
