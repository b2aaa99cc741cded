/** Chain parameters, fixed at genesis (no governance yet). */
import { z } from 'zod';
import { posInt, uint } from './amounts.ts';
import { reject } from './codes.ts';

/** Parts per million: fractions as integers (no floating point in consensus). */
const ppm = z.int().min(0).max(1_000_000);

export const paramsSchema = z
  .strictObject({
    /** Minimum fee of a transaction of `n` bytes: baseUc + perByteUc × n. */
    fees: z.strictObject({ baseUc: uint, perByteUc: uint }),
    limits: z.strictObject({ maxTxBytes: posInt, maxBlockBytes: posInt, maxBlockTxs: posInt }),
    staking: z.strictObject({
      /** Unbonding stake is released at the first block at or after start + unbondingMs. */
      unbondingMs: posInt,
      maxValidators: posInt,
      minSelfStakeUc: posInt,
      /** Voting power = floor(bonded stake / powerReductionUc). */
      powerReductionUc: posInt,
      /** Unbonding entries one delegator may have open per validator. */
      maxUnbondingEntries: posInt,
    }),
    slashing: z.strictObject({
      doubleSignSlashPpm: ppm,
      downtimeSlashPpm: ppm,
      /** Liveness window in blocks, and the share of it a validator must sign. */
      signedBlocksWindow: posInt,
      minSignedPpm: ppm,
      downtimeJailMs: uint,
      /** Evidence older than this is ignored; unbonding must last at least as long. */
      evidenceMaxAgeMs: posInt,
    }),
    membership: z.strictObject({ depositUc: uint }),
    /** The Node.js major version every validator of this chain runs (DESIGN.md section 4). */
    nodeMajorVersion: posInt,
    /** Placeholder for the market's parameters (issue 6 gives them a schema). */
    market: z.record(z.string(), z.union([z.int(), z.string(), z.boolean()])),
  })
  .refine((p) => p.staking.unbondingMs >= p.slashing.evidenceMaxAgeMs, {
    message: 'unbondingMs must be at least evidenceMaxAgeMs (a slash must still reach unbonding stake)',
  })
  .refine((p) => p.limits.maxTxBytes <= p.limits.maxBlockBytes, { message: 'maxTxBytes must not exceed maxBlockBytes' });

export type Params = z.infer<typeof paramsSchema>;

export function defaultParams(): Params {
  return {
    fees: { baseUc: 1_000, perByteUc: 10 },
    limits: { maxTxBytes: 262_144, maxBlockBytes: 4_194_304, maxBlockTxs: 10_000 },
    staking: {
      unbondingMs: 7 * 24 * 3_600_000,
      maxValidators: 100,
      minSelfStakeUc: 1_000_000,
      powerReductionUc: 1_000_000,
      maxUnbondingEntries: 7,
    },
    slashing: {
      doubleSignSlashPpm: 50_000,
      downtimeSlashPpm: 100,
      signedBlocksWindow: 100,
      minSignedPpm: 500_000,
      downtimeJailMs: 600_000,
      evidenceMaxAgeMs: 2 * 24 * 3_600_000,
    },
    membership: { depositUc: 10_000_000 },
    nodeMajorVersion: 20,
    market: {},
  };
}

export function minFeeUc(params: Params, txBytes: number): number {
  return params.fees.baseUc + params.fees.perByteUc * txBytes;
}

/** The node calls this at start: a validator on another Node major may compute differently. */
export function checkNodeVersion(params: Params, runningMajor: number): void {
  if (runningMajor !== params.nodeMajorVersion) {
    reject('NODE_VERSION_MISMATCH', `this chain pins Node ${params.nodeMajorVersion}, this process runs Node ${runningMajor}`);
  }
}
