import { Command, CommanderError } from 'commander';
import { GridLedgerError } from '../errors.ts';
import { registerGridCommands } from './grid.ts';
import { registerMarketCommands } from './market.ts';

const program = new Command();
program
  .name('gridledger')
  .description('Peer-to-peer energy trading inside microgrids, on proof-of-stake chains')
  .showHelpAfterError()
  .exitOverride();

registerGridCommands(program);
registerMarketCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof GridLedgerError) {
    process.stderr.write(`error [${e.code}]: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
