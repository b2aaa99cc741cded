/**
 * A simulated chain: N validators on the in-memory network, one seed for everything random
 * (link faults, clock skews, keys' labels), and the checks a run ends with: agreement (no two
 * nodes committed different blocks at one height) and valid commits.
 */
import { createHash } from 'node:crypto';
import type { Hex, SignatureVerifier, TimeoutConfig, ValidatorSchedule, ValidatorSet } from '../../consensus/index.ts';
import { MemoryNetwork } from './network.ts';
import type { LinkFaults } from './network.ts';
import { createPrng } from './prng.ts';
import type { Prng } from './prng.ts';
import { EventScheduler } from './scheduler.ts';
import { SimValidator } from './simValidator.ts';
import type { CommittedBlock, ConsensusModule, SimEnv, SimMessage } from './simValidator.ts';

export interface ClusterOptions {
  consensus: ConsensusModule;
  /** Voting power of each validator; its length is the number of validators. */
  powers: readonly number[];
  seed: number;
  chainId?: string;
  links?: Partial<LinkFaults>;
  /** Indexes of validators that equivocate. */
  equivocators?: readonly number[];
  relay?: boolean;
  gossipIntervalMs?: number;
  commitDelayMs?: number;
  appDelayMs?: number;
  clockSkewMaxMs?: number;
  timeouts?: Partial<TimeoutConfig>;
}

export type Agreement = { ok: true } | { ok: false; height: number; blockIds: (Hex | undefined)[] };

/**
 * Verifies each (key, message, signature) once per simulation: every node would verify it,
 * with the same answer, so the simulation saves the repeats (a positive answer is kept only for
 * the exact bytes it was given).
 */
export function sharedVerifier(inner: SignatureVerifier): SignatureVerifier {
  const ok = new Map<string, Uint8Array>();
  return {
    verify(publicKey, message, signature) {
      const k = Buffer.from(signature).toString('hex') + Buffer.from(publicKey).toString('hex');
      const known = ok.get(k);
      if (known !== undefined && Buffer.from(known).equals(message)) return true;
      const good = inner.verify(publicKey, message, signature);
      if (good) ok.set(k, message);
      return good;
    },
  };
}

export class SimCluster {
  readonly scheduler = new EventScheduler();
  readonly network: MemoryNetwork<SimMessage>;
  readonly nodes: SimValidator[];
  readonly prng: Prng;
  readonly chainId: string;
  private readonly sets: ValidatorSet[] = [];
  private readonly consensus: ConsensusModule;
  private schedule: ValidatorSchedule;
  private readonly verifier: SignatureVerifier;

  constructor(opts: ClusterOptions) {
    const c = opts.consensus;
    this.consensus = c;
    this.prng = createPrng(opts.seed);
    this.chainId = opts.chainId ?? `sim-${opts.seed}`;
    this.verifier = sharedVerifier(c.createEd25519Verifier());
    this.network = new MemoryNetwork<SimMessage>(this.scheduler, this.prng.fork(), opts.powers.length, opts.links);
    const keys = opts.powers.map((_, i) =>
      c.ed25519FromSeed(createHash('sha256').update(`${this.chainId}/validator-${i}`).digest()),
    );
    this.schedule = c.genesisSchedule(
      1,
      keys.map((k, i) => ({
        address: c.validatorAddress(k.publicKey),
        publicKey: k.publicKey,
        votingPower: opts.powers[i] ?? 1,
      })),
    );
    const env: SimEnv = {
      consensus: c,
      chainId: this.chainId,
      scheduler: this.scheduler,
      network: this.network,
      verifier: this.verifier,
      genesisTimeMs: 1_700_000_000_000,
      validatorSetAt: (height) => this.validatorSetAt(height),
      gossipIntervalMs: opts.gossipIntervalMs ?? 1000,
      commitDelayMs: opts.commitDelayMs ?? 1000,
      appDelayMs: opts.appDelayMs ?? 2,
      relay: opts.relay ?? false,
      ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
    };
    const skewRng = this.prng.fork();
    const skewMax = opts.clockSkewMaxMs ?? 50;
    const equivocators = new Set(opts.equivocators ?? []);
    this.nodes = keys.map(
      (key, index) =>
        new SimValidator(env, {
          index,
          key,
          address: c.validatorAddress(key.publicKey),
          clockSkewMs: skewRng.between(-skewMax, skewMax),
          equivocate: equivocators.has(index),
        }),
    );
  }

  /** The (unchanging) validators of `height`, with that height's proposer priorities. */
  validatorSetAt(height: number): ValidatorSet {
    while (this.sets.length < height) {
      this.sets.push(this.schedule.validators);
      this.schedule = this.consensus.advanceSchedule(this.schedule, []);
    }
    return this.sets[height - 1] as ValidatorSet;
  }

  start(): void {
    for (const n of this.nodes) n.start();
  }

  /** Runs the simulation to virtual time `untilMs`, or until `stop` holds. */
  run(untilMs: number, stop?: () => boolean): boolean {
    return this.scheduler.runUntil(untilMs, stop);
  }

  heights(): number[] {
    return this.nodes.map((n) => n.height);
  }

  /** No two nodes committed different blocks at one height. */
  agreement(): Agreement {
    const top = Math.max(...this.heights());
    for (let h = 1; h <= top; h++) {
      const ids = this.nodes.map((n) => n.chain[h - 1]?.blockId);
      const first = ids.find((id) => id !== undefined);
      if (ids.some((id) => id !== undefined && id !== first)) return { ok: false, height: h, blockIds: ids };
    }
    return { ok: true };
  }

  /** Every committed block's commit holds > 2/3 of that height's validator power, validly signed. */
  commitsValid(): boolean {
    const { consensus: c, verifier } = this;
    const valid = (b: CommittedBlock): boolean =>
      b.commit.blockId === b.blockId &&
      c.verifyCommit(this.chainId, this.validatorSetAt(b.height), b.commit, verifier).ok;
    return this.nodes.every((n) => n.chain.every(valid));
  }
}
