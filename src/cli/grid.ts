import type { Command } from 'commander';

/** `gridledger grid ...`: power-flow tools on feeder files. */
export function registerGridCommands(program: Command): void {
  program.command('grid').description('feeder models and AC power flow');
}
