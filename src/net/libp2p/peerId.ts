/**
 * Peer identity from the node's own Ed25519 key, so a node keeps its peer id across restarts and
 * other nodes can compute it from its public key to build its address.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id';
import { GridLedgerError } from '../../errors.ts';
import type { PeerId } from '../transport.ts';

/** libp2p's key for a 32-byte Ed25519 seed (RFC 8032 private key, as Node's crypto uses it). */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  if (seed.length !== 32) throw new GridLedgerError('NET_BAD_KEY', `an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return generateKeyPairFromSeed('Ed25519', seed);
}

export function peerIdOfKey(key: Ed25519PrivateKey): PeerId {
  return peerIdFromPrivateKey(key).toString();
}

/** The peer id of the node whose raw 32-byte Ed25519 public key this is. */
export function peerIdFromEd25519PublicKey(publicKey: Uint8Array): PeerId {
  if (publicKey.length !== 32) throw new GridLedgerError('NET_BAD_KEY', `an Ed25519 public key is 32 bytes, got ${publicKey.length}`);
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString();
}
