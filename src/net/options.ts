import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { FRAME_HEADER_BYTES } from './frame.ts';
import { MAX_TOPIC, MIN_TOPIC } from './transport.ts';
import type { NetLogger } from './transport.ts';

const MiB = 1024 * 1024;

/** The numeric settings both implementations share; every one has a default. */
export const transportSettingsSchema = z
  .strictObject({
    /** Largest payload one frame may carry, sent or received (a whole block must fit). */
    maxFrameBytes: z.number().int().min(1024).max(256 * MiB).default(4 * MiB),
    /** Bound of each peer's outgoing queue, headers included. */
    maxQueueBytes: z.number().int().positive().default(16 * MiB),
    overflow: z.enum(['drop-oldest', 'disconnect']).default('drop-oldest'),
    /**
     * Topics whose frames go out only when no other frame waits for the peer (big and not urgent,
     * e.g. transaction batches), so they never hold up the rest; default none (one FIFO).
     */
    bulkTopics: z.array(z.number().int().min(MIN_TOPIC).max(MAX_TOPIC)).readonly().default([]),
    /** A peer whose score falls to this or below is banned. */
    banScore: z.number().negative().default(-100),
    banMs: z.number().int().nonnegative().default(10 * 60_000),
    /** Penalties fade: a score halves towards 0 every half-life. */
    scoreHalfLifeMs: z.number().int().positive().default(5 * 60_000),
    /** Redial backoff: first retry after redialMinMs, doubling up to redialMaxMs. */
    redialMinMs: z.number().int().positive().default(250),
    redialMaxMs: z.number().int().positive().default(30_000),
  })
  .refine((s) => s.maxQueueBytes >= s.maxFrameBytes + FRAME_HEADER_BYTES, {
    message: 'maxQueueBytes must hold at least one largest frame',
  })
  .refine((s) => s.redialMaxMs >= s.redialMinMs, { message: 'redialMaxMs must be at least redialMinMs' });

export type TransportSettings = z.output<typeof transportSettingsSchema>;

/** Options every transport takes: the settings above, a logger and a clock (for scores and bans). */
export type TransportOptions = z.input<typeof transportSettingsSchema> & {
  logger?: NetLogger;
  now?: () => number;
};

export interface ResolvedOptions {
  settings: TransportSettings;
  logger: NetLogger;
  now: () => number;
}

const silent: NetLogger = { debug: () => undefined, warn: () => undefined };

export function resolveOptions(options: TransportOptions): ResolvedOptions {
  const { logger, now, ...rest } = options;
  const parsed = transportSettingsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new GridLedgerError('NET_BAD_OPTIONS', `invalid transport options: ${parsed.error.message}`, { cause: parsed.error });
  }
  return { settings: parsed.data, logger: logger ?? silent, now: now ?? Date.now };
}
