import { Command, CommanderError } from 'commander';
import { GridLedgerError } from '../errors.ts';
import { registerGridCommands } from './grid.ts';
import { registerMarketCommands } from './market.ts';
import { registerExampleCommand } from './example.ts';
import { registerNodeCommands } from './node.ts';
import { registerKeysCommands } from './keys.ts';
import { registerTxCommands } from './tx.ts';
import { registerQueryCommands } from './query.ts';
import { registerTestnetCommands } from './testnet.ts';
import { registerSimCommands } from './sim.ts';
import { registerDemoCommand } from './demo.ts';

const program = new Command();
program
  .name('gridledger')
  .description('Peer-to-peer energy trading inside microgrids, on proof-of-stake chains')
  .showHelpAfterError()
  .exitOverride();

registerGridCommands(program);
registerMarketCommands(program);
registerExampleCommand(program);
registerNodeCommands(program);
registerKeysCommands(program);
registerTxCommands(program);
registerQueryCommands(program);
registerTestnetCommands(program);
registerSimCommands(program);
registerDemoCommand(program);

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
