import { GridLedgerError } from '../../errors.ts';

/**
 * An error in an imported feeder file. The message starts with `source:line:` (or
 * `source: table ... row ...`) so a user can find the spot, then says what was expected.
 */
export function importError(source: string, where: string | number | null, message: string): GridLedgerError {
  const at = where === null ? '' : typeof where === 'number' ? `:${where}` : ` ${where}`;
  return new GridLedgerError('GRID_IMPORT', `${source}${at}: ${message}`, {
    details: { source, ...(where === null ? {} : { where }) },
  });
}
