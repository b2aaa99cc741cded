/**
 * The block of the simulation's in-memory application: a value that chains to the previous
 * block and carries that block's commit, so that every validator can recompute the block time
 * (BFT time: the weighted median of the commit's precommit times) and check the commit.
 */
import { createHash } from 'node:crypto';
import { decode, encode } from '@ipld/dag-cbor';
import { z } from 'zod';
import type { Commit, Hex } from '../../consensus/types.ts';

export interface SimBlock {
  height: number;
  proposer: Hex;
  /** Distinguishes two blocks one proposer builds at one height (a re-proposal after restart, an equivocation). */
  nonce: number;
  timeMs: number;
  lastBlockId: Hex | null;
  lastCommit: Commit | null;
}

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/);
const voteSchema = z.object({
  type: z.enum(['prevote', 'precommit']),
  height: z.number().int().min(1),
  round: z.number().int().min(0),
  blockId: hex.nullable(),
  timestampMs: z.number().int(),
  validator: hex,
  signature: z.instanceof(Uint8Array),
});
const blockSchema = z.object({
  height: z.number().int().min(1),
  proposer: hex,
  nonce: z.number().int(),
  timeMs: z.number().int(),
  lastBlockId: hex.nullable(),
  lastCommit: z
    .object({
      height: z.number().int().min(1),
      round: z.number().int().min(0),
      blockId: hex,
      precommits: z.array(voteSchema),
    })
    .nullable(),
});

export const encodeSimBlock = (b: SimBlock): Uint8Array => encode(b);

export function decodeSimBlock(bytes: Uint8Array): SimBlock | undefined {
  let raw: unknown;
  try {
    raw = decode(bytes);
  } catch {
    return undefined;
  }
  const parsed = blockSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export const simBlockId = (value: Uint8Array): Hex => createHash('sha256').update(value).digest('hex');
