/**
 * MATPOWER's column numbers (1-based, as idx_bus, idx_brch and idx_gen return them), for the
 * names a case file may use after `define_constants` or `[PQ, PV, ...] = idx_bus;`.
 */
const IDX_BUS: [string, number][] = [
  ['PQ', 1], ['PV', 2], ['REF', 3], ['NONE', 4], ['BUS_I', 1], ['BUS_TYPE', 2], ['PD', 3], ['QD', 4],
  ['GS', 5], ['BS', 6], ['BUS_AREA', 7], ['VM', 8], ['VA', 9], ['BASE_KV', 10], ['ZONE', 11],
  ['VMAX', 12], ['VMIN', 13], ['LAM_P', 14], ['LAM_Q', 15], ['MU_VMAX', 16], ['MU_VMIN', 17],
];
const IDX_BRCH: [string, number][] = [
  ['F_BUS', 1], ['T_BUS', 2], ['BR_R', 3], ['BR_X', 4], ['BR_B', 5], ['RATE_A', 6], ['RATE_B', 7],
  ['RATE_C', 8], ['TAP', 9], ['SHIFT', 10], ['BR_STATUS', 11], ['PF', 14], ['QF', 15], ['PT', 16],
  ['QT', 17], ['MU_SF', 18], ['MU_ST', 19], ['ANGMIN', 12], ['ANGMAX', 13], ['MU_ANGMIN', 20],
  ['MU_ANGMAX', 21],
];
const IDX_GEN: [string, number][] = [
  ['GEN_BUS', 1], ['PG', 2], ['QG', 3], ['QMAX', 4], ['QMIN', 5], ['VG', 6], ['MBASE', 7],
  ['GEN_STATUS', 8], ['PMAX', 9], ['PMIN', 10], ['MU_PMAX', 22], ['MU_PMIN', 23], ['MU_QMAX', 24],
  ['MU_QMIN', 25], ['PC1', 11], ['PC2', 12], ['QC1MIN', 13], ['QC1MAX', 14], ['QC2MIN', 15],
  ['QC2MAX', 16], ['RAMP_AGC', 17], ['RAMP_10', 18], ['RAMP_30', 19], ['RAMP_Q', 20], ['APF', 21],
];

/** Output order of each index function, so `[a, b, ...] = idx_bus;` binds by position. */
export const INDEX_FUNCTIONS: Record<string, number[]> = {
  idx_bus: IDX_BUS.map(([, v]) => v),
  idx_brch: IDX_BRCH.map(([, v]) => v),
  idx_gen: IDX_GEN.map(([, v]) => v),
};

/** Everything `define_constants` sets (its idx_cost names are not needed here). */
export const DEFINE_CONSTANTS: ReadonlyMap<string, number> = new Map([...IDX_BUS, ...IDX_BRCH, ...IDX_GEN]);

/** Names of the columns this importer reads, for messages. */
export const COLUMN_NAMES: Record<'bus' | 'gen' | 'branch', string[]> = {
  bus: IDX_BUS.slice(4, 17).map(([n]) => n),
  gen: IDX_GEN.slice(0, 10).map(([n]) => n),
  branch: IDX_BRCH.slice(0, 11).map(([n]) => n).concat(['ANGMIN', 'ANGMAX']),
};

/** Columns a row must have: the version 2 bus matrix, the gen columns up to PMIN, branch up to BR_STATUS. */
export const MIN_COLUMNS: Record<'bus' | 'gen' | 'branch', number> = { bus: 13, gen: 10, branch: 11 };
