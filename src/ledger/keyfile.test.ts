import { describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { bytesEqual } from './bytes.ts';
import { decryptKey, encryptKey, isEncryptedKeyFile, parseKeyFile, plainKeyFile } from './keyfile.ts';
import { generateKeyPair } from './keys.ts';

const FAST = { n: 1024, r: 8, p: 1 }; // tests only: real files use DEFAULT_SCRYPT


describe('key files', () => {
  const pair = generateKeyPair();

  it('encrypted: round-trips through JSON with the passphrase', () => {
    const file = JSON.parse(JSON.stringify(encryptKey(pair, 'correct horse', { scrypt: FAST })));
    expect(JSON.stringify(file)).not.toContain(Buffer.from(pair.secretKey).toString('hex'));
    const back = decryptKey(file, 'correct horse');
    expect(bytesEqual(back.secretKey, pair.secretKey)).toBe(true);
    expect(bytesEqual(back.publicKey, pair.publicKey)).toBe(true);
  });

  it('encrypted: wrong or missing passphrase is refused', () => {
    const file = encryptKey(pair, 'correct horse', { scrypt: FAST });
    expect(thrownCode(() => decryptKey(file, 'wrong horse'))).toBe('KEYFILE_BAD_PASSPHRASE');
    expect(thrownCode(() => decryptKey(file))).toBe('KEYFILE_PASSPHRASE_REQUIRED');
  });

  it('encrypted: an edited header or ciphertext fails authentication', () => {
    const file = encryptKey(pair, 'pw', { scrypt: FAST });
    const other = generateKeyPair();
    const swapped = { ...file, ...plainKeyFile(other), crypto: file.crypto };
    delete (swapped as { secretKey?: string }).secretKey;
    expect(thrownCode(() => decryptKey(swapped, 'pw'))).toBe('KEYFILE_BAD_PASSPHRASE');
    const flipped = { ...file, crypto: { ...file.crypto, ciphertext: `${file.crypto.ciphertext[0] === '0' ? '1' : '0'}${file.crypto.ciphertext.slice(1)}` } };
    expect(thrownCode(() => decryptKey(flipped, 'pw'))).toBe('KEYFILE_BAD_PASSPHRASE');
  });

  it('the same passphrase with a fresh salt gives a different file', () => {
    const a = encryptKey(pair, 'pw', { scrypt: FAST });
    const b = encryptKey(pair, 'pw', { scrypt: FAST });
    expect(a.crypto.salt).not.toBe(b.crypto.salt);
    expect(a.crypto.ciphertext).not.toBe(b.crypto.ciphertext);
  });

  it('plain (dev) files round-trip without a passphrase and are told apart', () => {
    const file = plainKeyFile(pair);
    expect(isEncryptedKeyFile(parseKeyFile(file))).toBe(false);
    expect(bytesEqual(decryptKey(file).secretKey, pair.secretKey)).toBe(true);
    const lying = { ...file, publicKey: plainKeyFile(generateKeyPair()).publicKey };
    expect(thrownCode(() => decryptKey(lying))).toBe('KEYFILE_INVALID');
  });

  it('malformed files are refused with KEYFILE_INVALID', () => {
    for (const bad of [null, 42, {}, { version: 2 }, { ...plainKeyFile(pair), secretKey: 'zz' }, { ...plainKeyFile(pair), extra: 1 }]) {
      expect(thrownCode(() => decryptKey(bad))).toBe('KEYFILE_INVALID');
    }
  });
});
