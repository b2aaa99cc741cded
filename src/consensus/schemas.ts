/**
 * Schemas for consensus messages arriving from outside (network decoding, blocks that carry a
 * commit): validate with these before handing anything to the engine.
 */
import { z } from 'zod';

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/);
const height = z.number().int().min(1);
const round = z.number().int().min(0);
const bytes = z.instanceof(Uint8Array);

export const signedVoteSchema = z.object({
  type: z.enum(['prevote', 'precommit']),
  height,
  round,
  blockId: hex.nullable(),
  timestampMs: z.number().int(),
  validator: hex,
  signature: bytes,
});

export const signedProposalSchema = z.object({
  height,
  round,
  polRound: z.number().int().min(-1),
  blockId: hex,
  timestampMs: z.number().int(),
  proposer: hex,
  signature: bytes,
  value: bytes,
});

export const commitSchema = z.object({
  height,
  round,
  blockId: hex,
  precommits: z.array(signedVoteSchema),
});
