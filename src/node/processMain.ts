/**
 * What `gridledger node start --home DIR` runs: one node in this process. Loads the home, claims
 * it with node.pid, builds the libp2p transport (a validator's key is also its peer identity; a
 * follower has only a `node` key, its peer identity, and signs nothing),
 * the wall clock and a pino logger, creates the node and its RPC, and runs until SIGINT or
 * SIGTERM, then stops cleanly: RPC closed, node stopped (transport, WAL, store), node.pid removed.
 * A genesis with a market gets the market's hooks and deadlines (marketComposition.ts); a
 * simulation's nodes run a steered clock and make blocks on demand.
 */
import '../net/polyfill.ts';
import pino from 'pino';
import type { Logger } from 'pino';
import { GridLedgerError } from '../errors.ts';
import { createLibp2pTransport } from '../net/libp2p/libp2pTransport.ts';
import { createRealClock } from './clock.ts';
import { marketComposition } from './marketComposition.ts';
import { createSteeredClock } from './steeredClock.ts';
import type { SteeredClock } from './steeredClock.ts';
import { identityKeyName, loadHome, readKey, removePidFile, writePidFile } from './home.ts';
import { BULK_TOPICS } from './messages.ts';
import { createNode } from './nodeRuntime.ts';
import type { LocalNode } from './nodeRuntime.ts';
import { createRpcServer } from './rpc/server.ts';
import type { RpcServer } from './rpc/server.ts';

export interface RunNodeOptions {
  home: string;
  /** For encrypted key files. */
  passphrase?: string;
  /** Overrides config.json's intervalMs for this run. */
  intervalMs?: number;
  /** Simulation: a clock starting at the genesis time that POST /clock/advance moves forward (steeredClock.ts). */
  steeredClock?: boolean;
  /** Blocks only when transactions wait or the market needs one, instead of every intervalMs. */
  onDemand?: boolean;
  /** Default: pino JSON lines on stdout at GRIDLEDGER_LOG_LEVEL (default info). */
  logger?: Logger;
}

/** Resolves once the node has stopped after SIGINT/SIGTERM; rejects if it cannot start. */
export async function runNode(opts: RunNodeOptions): Promise<void> {
  const home = loadHome(opts.home);
  const { paths, config } = home;
  const logger = opts.logger ?? pino({ name: config.moniker, level: process.env['GRIDLEDGER_LOG_LEVEL'] ?? 'info' });
  writePidFile(paths); // before opening the store: a second node on this home stops here

  let node: LocalNode | undefined;
  let rpc: RpcServer | undefined;
  const shutdown = async (): Promise<void> => {
    await rpc?.stop().catch((err: unknown) => logger.warn({ err }, 'rpc: stop failed'));
    await node?.stop();
    removePidFile(paths);
  };

  try {
    const key = readKey(paths, identityKeyName(config.role), opts.passphrase);
    const transport = await createLibp2pTransport({ seed: key.secretKey, listen: [config.listen], logger, bulkTopics: BULK_TOPICS });
    const market = marketComposition(home.genesis.params);
    const steered: SteeredClock | undefined = opts.steeredClock === true ? createSteeredClock(home.genesis.genesisTimeMs) : undefined;
    node = createNode({
      homeConfig: { chainId: config.chainId, genesis: home.genesis, validatorKey: config.role === 'validator' ? key.secretKey : null, dataDir: paths.data, walDir: paths.wal },
      transport,
      clock: steered ?? createRealClock(),
      logger,
      peers: config.peers,
      blockPolicy: opts.onDemand === true ? { kind: 'on-demand' } : { kind: 'interval', intervalMs: opts.intervalMs ?? config.intervalMs },
      ...(market === undefined ? {} : { app: market.app, needsBlockAt: market.needsBlockAt }),
    });
    await node.start();
    rpc = createRpcServer(node, { host: config.rpc.host, port: config.rpc.port, logger, ...(steered === undefined ? {} : { clock: steered }) });
    const bound = await rpc.start();
    logger.info({ home: paths.root, rpc: `http://${bound.host}:${bound.port}`, listen: transport.listenAddresses(), pid: process.pid }, 'node: running');
  } catch (e) {
    await shutdown().catch((err: unknown) => logger.warn({ err }, 'node: cleanup after a failed start failed'));
    if (e instanceof Error && 'code' in e && e.code === 'EADDRINUSE') {
      throw new GridLedgerError('NODE_PORT_IN_USE', `a port of ${paths.config} is taken: ${e.message}`, { cause: e });
    }
    throw e;
  }

  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'node: stopping');
      shutdown().then(() => {
        logger.info('node: stopped');
        resolve();
      }, reject);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
