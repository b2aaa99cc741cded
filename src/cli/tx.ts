/**
 * `gridledger tx transfer --home DIR --from NAME --to ADDR --amount UCOIN --json` (DESIGN.md
 * section 7): signs with a key of the home, takes the nonce from the node, waits for the commit.
 * Accepted: {hash, height, code: 0}. Refused (at admission or in the block): {code, message} on
 * stdout, the message on stderr, exit code 3.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { addressFromPublicKey, buildTx, createSigner, formatAddress, parseAddress } from '../ledger/index.ts';
import { loadHome, readKey } from '../node/home.ts';
import { intFlag, parseFlags, passphrase, printJson, rpcFor } from './node.ts';

/** Exit code of a transaction the chain refused (docs/cli.md). */
export const EXIT_TX_REFUSED = 3;

const flags = z.strictObject({
  home: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  amount: intFlag(1, Number.MAX_SAFE_INTEGER),
  waitMs: intFlag(1, 600_000).optional(),
  json: z.boolean().optional(),
});

export function registerTxCommands(program: Command): void {
  const tx = program.command('tx').description('sign and send transactions to the node running on a home');

  tx.command('transfer')
    .description('send coin from a key of the home to an address, and wait until it is committed')
    .requiredOption('--home <dir>', 'node home (keys and RPC address)')
    .requiredOption('--from <name>', 'name of the signing key in HOME/keys')
    .requiredOption('--to <address>', 'recipient address (gl…)')
    .requiredOption('--amount <ucoin>', 'amount in micro-coin (µc, 1 coin = 1,000,000 µc)')
    .option('--wait-ms <ms>', 'how long to wait for the commit', '30000')
    .option('--json', 'print {hash, height, code} (or {code, message} when refused)')
    .action(async (raw: unknown) => {
      const f = parseFlags(flags, raw);
      const home = loadHome(f.home);
      const to = parseAddress(f.to);
      const signer = createSigner(readKey(home.paths, f.from, passphrase()).secretKey);
      const rpc = rpcFor(home);
      const { nonce } = await rpc.account(formatAddress(addressFromPublicKey(signer.publicKey)));
      const bytes = buildTx(signer, { chainId: home.genesis.chainId, nonce, type: 'transfer', body: { to, amountUc: f.amount } }, home.genesis.params);
      const r = await rpc.submitTx(bytes, { wait: true, timeoutMs: f.waitMs ?? 30_000 });
      if ('message' in r) {
        if (f.json === true) printJson({ code: r.code, message: r.message });
        else process.stdout.write(`refused: ${r.message}\n`);
        process.stderr.write(`error [${r.error}]: ${r.message}\n`);
        process.exitCode = EXIT_TX_REFUSED;
        return;
      }
      if (f.json === true) printJson({ hash: r.hash, height: r.height, code: r.code });
      else process.stdout.write(`committed ${r.hash} at height ${r.height ?? '?'}\n`);
    });
}
