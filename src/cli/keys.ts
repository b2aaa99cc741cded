/**
 * `gridledger keys add|list|show NAME --home DIR [--json]` (DESIGN.md section 7): the key files in
 * a home's keys/. New keys are encrypted with GRIDLEDGER_PASSPHRASE, or plain in a dev home.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { generateKeyPair } from '../ledger/index.ts';
import { keyInfo, keyProtection, listKeys, loadHome, PASSPHRASE_ENV, writeKey } from '../node/home.ts';
import type { KeyInfo } from '../node/home.ts';
import { parseFlags, passphrase, printJson } from './node.ts';

const flags = z.strictObject({ home: z.string().min(1), json: z.boolean().optional() });

/** `keys show` JSON: {name, address, public_key}. */
export function keyJson(k: KeyInfo): { name: string; address: string; public_key: string } {
  return { name: k.name, address: k.address, public_key: k.publicKey };
}

const line = (k: KeyInfo): string => `${k.name.padEnd(12)} ${k.address} ${k.publicKey}${k.encrypted ? '' : ' (plain)'}\n`;

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description("manage the key files in a node home's keys/ directory");

  keys
    .command('add')
    .description(`create a new Ed25519 key NAME (encrypted with ${PASSPHRASE_ENV}; plain in a --dev home)`)
    .argument('<name>', 'key name: lower-case letters, digits, _ or -')
    .requiredOption('--home <dir>', 'node home')
    .option('--json', 'print {name, address, public_key}')
    .action((name: string, raw: unknown) => {
      const f = parseFlags(flags, raw);
      const home = loadHome(f.home);
      writeKey(home.paths, name, generateKeyPair(), keyProtection(home.config, passphrase()));
      const k = keyInfo(home.paths, name);
      if (f.json === true) printJson(keyJson(k));
      else process.stdout.write(`added ${line(k)}`);
    });

  keys
    .command('list')
    .description('list the keys in the home')
    .requiredOption('--home <dir>', 'node home')
    .option('--json', 'print [{name, address, public_key}]')
    .action((raw: unknown) => {
      const f = parseFlags(flags, raw);
      const all = listKeys(loadHome(f.home).paths);
      if (f.json === true) printJson(all.map(keyJson));
      else process.stdout.write(all.map(line).join(''));
    });

  keys
    .command('show')
    .description('show the address and public key of key NAME')
    .argument('<name>', 'key name')
    .requiredOption('--home <dir>', 'node home')
    .option('--json', 'print {name, address, public_key}')
    .action((name: string, raw: unknown) => {
      const f = parseFlags(flags, raw);
      const k = keyInfo(loadHome(f.home).paths, name);
      if (f.json === true) printJson(keyJson(k));
      else process.stdout.write(line(k));
    });
}
