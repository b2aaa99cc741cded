/**
 * `gridledger query status|block [HEIGHT]|account ADDR|tx HASH --home DIR --json` (DESIGN.md
 * section 7): asks the node running on the home over its RPC. JSON fields are a contract.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { parseAddress } from '../ledger/index.ts';
import { loadHome } from '../node/home.ts';
import { intFlag, parseFlags, printJson, rpcFor } from './node.ts';

const flags = z.strictObject({ home: z.string().min(1), json: z.boolean().optional() });

const kv = (pairs: Record<string, unknown>): string =>
  `${Object.entries(pairs)
    .map(([k, v]) => `${k.padEnd(10)} ${Array.isArray(v) ? v.join('\n           ') || '-' : String(v)}`)
    .join('\n')}\n`;

function withHome(cmd: Command): Command {
  return cmd.requiredOption('--home <dir>', 'node home (its config.json says where the RPC is)').option('--json', 'print JSON');
}

export function registerQueryCommands(program: Command): void {
  const query = program.command('query').description('read chain state from the node running on a home');

  withHome(query.command('status').description('height, latest block id, chain id and validator of the node')).action(async (raw: unknown) => {
    const f = parseFlags(flags, raw);
    const s = await rpcFor(loadHome(f.home)).status();
    if (f.json === true) printJson(s);
    else process.stdout.write(kv({ chain: s.chain_id, height: s.height, block: s.block_id ?? '-', validator: s.validator ?? '-', peers: s.peers }));
  });

  withHome(query.command('block').description('a committed block (the latest without HEIGHT)'))
    .argument('[height]', 'block height ≥ 1')
    .action(async (height: string | undefined, raw: unknown) => {
      const f = parseFlags(flags, raw);
      const h = height === undefined ? undefined : parseFlags(z.strictObject({ height: intFlag(1, Number.MAX_SAFE_INTEGER) }), { height }).height;
      const b = await rpcFor(loadHome(f.home)).block(h);
      if (f.json === true) printJson({ height: b.height, block_id: b.block_id, time: b.time, proposer: b.proposer, txs: b.txs });
      else process.stdout.write(kv({ height: b.height, block: b.block_id, time: new Date(b.time).toISOString(), proposer: b.proposer, txs: b.txs }));
    });

  withHome(query.command('account').description('balance (µc) and nonce of an account'))
    .argument('<address>', 'account address (gl…)')
    .action(async (address: string, raw: unknown) => {
      const f = parseFlags(flags, raw);
      parseAddress(address); // a mistyped address fails here, with its own code
      const a = await rpcFor(loadHome(f.home)).account(address);
      if (f.json === true) printJson({ address: a.address, balance: a.balance, nonce: a.nonce });
      else process.stdout.write(kv({ address: a.address, balance: `${a.balance} µc`, nonce: a.nonce }));
    });

  withHome(query.command('tx').description('a committed transaction by hash'))
    .argument('<hash>', 'transaction hash (64 hex digits)')
    .action(async (hash: string, raw: unknown) => {
      const f = parseFlags(flags, raw);
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new GridLedgerError('CLI_BAD_ARGUMENT', 'a transaction hash is 64 lower-case hex digits');
      const t = await rpcFor(loadHome(f.home)).tx(hash);
      if (f.json === true) printJson(t);
      else process.stdout.write(kv({ hash: t.hash, height: t.height, index: t.index, code: t.code, log: t.log }));
    });
}
