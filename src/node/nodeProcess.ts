/**
 * Running `gridledger node start` as child processes on loopback: free ports for their homes and
 * the spawn itself, shared by `gridledger testnet`, the chain benchmark and the simulation's
 * `--processes` mode.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/gridledger.js');
const HOST = '127.0.0.1' as const;

/** Free TCP ports on loopback, all distinct (each held open until every one is chosen). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, HOST, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no TCP address');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface SpawnNodeOptions {
  /**
   * A process group of its own, so a Ctrl-C at the terminal reaches only the parent, which then
   * stops the node when it is done with it (default: the parent's group).
   */
  detached?: boolean;
  /** Extra environment variables (e.g. GRIDLEDGER_LOG_LEVEL). */
  env?: Readonly<Record<string, string>>;
}

/** Starts `node start --home DIR` as a child (in this process group by default), its output to DIR/node.log. */
export function spawnNode(home: string, extraArgs: readonly string[] = [], opts: SpawnNodeOptions = {}): ChildProcess {
  const log = openSync(path.join(home, 'node.log'), 'a');
  try {
    return spawn(process.execPath, [BIN, 'node', 'start', '--home', home, ...extraArgs], {
      stdio: ['ignore', log, log],
      ...(opts.detached === true ? { detached: true } : {}),
      ...(opts.env === undefined ? {} : { env: { ...process.env, ...opts.env } }),
    });
  } finally {
    closeSync(log); // the child holds its own descriptor
  }
}
