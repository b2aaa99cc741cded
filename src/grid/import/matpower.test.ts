import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { parseMatpower } from './matpower.ts';

const ieee33Text = readFileSync(new URL('../../../data/feeders/ieee33.m', import.meta.url), 'utf8');
const ZBASE_33 = (12.66 * 12.66) / 10;

/** The error a parse throws, checked to be a GRID_IMPORT GridLedgerError. */
function importFailure(text: string, source = 'bad.m'): GridLedgerError {
  try {
    parseMatpower(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(GridLedgerError);
    expect((e as GridLedgerError).code).toBe('GRID_IMPORT');
    return e as GridLedgerError;
  }
  throw new Error('expected the import to fail');
}

const tiny = (bus: string, extra = ''): string => `function mpc = tiny
mpc.version = '2';
mpc.baseMVA = 10;
mpc.bus = [
${bus}
];
mpc.gen = [
  1 0 0 10 -10 1.02 100 1 10 0;
];
mpc.branch = [
  1 2 0.01 0.02 0.001 5 5 5 0 0 1 -360 360;
  2 3 0.01 0.02 0 0 0 0 0 0 1 -360 360;
];
${extra}`;
const TINY_BUSES = `  1 3 0 0 0 0 1 1 0 12.66 1 1.05 0.95;
  2 1 0.1 0.05 0 0 1 1 0 12.66 1 1.1 0.9;
  3 1 0.2 0.1 0 0 1 1 0 12.66 1 1.1 0.9;`;

describe('parseMatpower on the IEEE 33-bus feeder', () => {
  const m = parseMatpower(ieee33Text, 'data/feeders/ieee33.m');

  it('reads 33 buses, 37 branches of which the 5 tie lines are open, 32 loads', () => {
    expect(m.name).toBe('ieee33');
    expect(m.baseMva).toBe(10);
    expect(m.buses).toHaveLength(33);
    expect(m.branches).toHaveLength(37);
    expect(m.branches.filter((b) => !b.inService).map((b) => [b.from, b.to])).toEqual([[21, 8], [9, 15], [12, 22], [18, 33], [25, 29]]);
    expect(m.loads).toHaveLength(32);
    expect(m.sgens).toHaveLength(0);
    expect(m.slack).toEqual({ bus: 1, vmPu: 1, vaDeg: 0 });
  });

  it('has Baran and Wu total load 3715 kW and 2300 kvar', () => {
    expect(m.loads.reduce((s, l) => s + l.pKw, 0)).toBeCloseTo(3715, 9);
    expect(m.loads.reduce((s, l) => s + l.qKvar, 0)).toBeCloseTo(2300, 9);
  });

  it('has branch 1-2 at 0.0922 + j0.0470 ohm on Zbase = 12.66^2 / 10', () => {
    const b = m.branches[0];
    expect(b).toMatchObject({ kind: 'line', from: 1, to: 2, tap: 1, shiftDeg: 0, rating: null, bFromPu: 0, bToPu: 0 });
    expect(b?.rPu).toBeCloseTo(0.0922 / ZBASE_33, 10);
    expect(b?.xPu).toBeCloseTo(0.047 / ZBASE_33, 10);
  });

  it('takes voltage limits from the bus matrix', () => {
    expect(m.buses[0]).toMatchObject({ id: 1, baseKv: 12.66, vMinPu: 1, vMaxPu: 1 });
    expect(m.buses[17]).toMatchObject({ id: 18, vMinPu: 0.9, vMaxPu: 1.1 });
  });
});

describe('parseMatpower field mapping', () => {
  it('maps rateA, b, ratio, angle, status, gens and loads', () => {
    const text = tiny(TINY_BUSES).replace('2 3 0.01 0.02 0 0 0 0 0 0 1', '2 3 0.01 0.02 0 0 0 0 0.98 -30 0').replace(
      'mpc.gen = [\n',
      'mpc.gen = [\n  3 0.05 0.01 0 0 1 100 1 0.05 0;\n',
    );
    const m = parseMatpower(text, 'tiny.m');
    expect(m.slack).toEqual({ bus: 1, vmPu: 1.02, vaDeg: 0 });
    expect(m.branches[0]).toMatchObject({ kind: 'line', tap: 1, shiftDeg: 0, bFromPu: 0.0005, bToPu: 0.0005, rating: { kind: 'apparent', mva: 5 } });
    expect(m.branches[1]).toMatchObject({ kind: 'trafo', tap: 0.98, shiftDeg: -30, inService: false, rating: null });
    expect(m.loads).toEqual([
      { id: 2, bus: 2, pKw: 100, qKvar: 50, inService: true },
      { id: 3, bus: 3, pKw: 200, qKvar: 100, inService: true },
    ]);
    // Gen row 1 becomes static generator 1; row 2 sits on the slack bus and sets its voltage.
    expect(m.sgens).toEqual([{ id: 1, bus: 3, pKw: 50, qKvar: 10, kind: 'other', inService: true }]);
    expect(m.buses[0]).toMatchObject({ vMinPu: 0.95, vMaxPu: 1.05 });
  });

  it('reads generator kinds from mpc.genfuel', () => {
    const text = tiny(TINY_BUSES, "mpc.genfuel = {'ng'; 'solar'};").replace('mpc.gen = [\n', 'mpc.gen = [\n  1 0 0 0 0 1 100 1 0 0;\n').replace(
      '  1 0 0 10 -10 1.02 100 1 10 0;',
      '  3 0.05 0 0 0 1 100 1 0.05 0;',
    );
    expect(parseMatpower(text, 'fuel.m').sgens[0]?.kind).toBe('pv');
  });

  it('takes elements on an isolated bus (type 4) out of service', () => {
    const m = parseMatpower(tiny(TINY_BUSES.replace('3 1 0.2', '3 4 0.2')), 'iso.m');
    expect(m.buses[2]?.inService).toBe(false);
    expect(m.branches[1]?.inService).toBe(false);
    expect(m.loads[1]?.inService).toBe(false);
  });
});

describe('parseMatpower MATLAB syntax', () => {
  it('reads comments, continuations, commas, block comments and brackets on their own lines', () => {
    const text = `function mpc = styled   % a case
%{
mpc.bus = [ 99 ];  this is a block comment
%}
mpc.version = "2";
mpc.baseMVA = 10 ;
mpc.bus = ...
[
  1, 3, 0, 0, 0, 0, 1, 1, 0, 12.66, 1, 1.1, 0.9   % slack
  2  1  100e-3 .05 ...
     0  0  1  1  0  12.66  1  1.1  0.9;
  3  1  +0.2 0.1 0 0 1 1 0 12.66 1 1.1 0.9;;
];
mpc.gen = [1 0 0 10 -10 1 100 1 10 0];
mpc.branch = [
  1 2 0.01 0.02 0 0 0 0 0 0 1 -360 360
  2 3 0.01 0.02 0 0 0 0 0 0 1 -360 360 ];
mpc.gencost = [2 0 0 3 0 20 0];
mpc.bus_name = { 'PCC'; 'a''b'; 'c' };
`;
    const m = parseMatpower(text, 'styled.m');
    expect(m.name).toBe('styled');
    expect(m.buses.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(m.loads.map((l) => [l.bus, l.pKw, l.qKvar])).toEqual([[2, 100, 50], [3, 200, 100]]);
    expect(m.branches).toHaveLength(2);
  });

  it("applies case33bw.m's kW -> MW and ohm -> p.u. conversions after the matrices", () => {
    const inOhms = `function mpc = case3bw
mpc.version = '2';
mpc.baseMVA = 10;
mpc.bus = [ %% (Pd and Qd are specified in kW & kVAr here, converted to MW & MVAr below)
\t1\t3\t0\t0\t0\t0\t1\t1\t0\t12.66\t1\t1\t1;
\t2\t1\t100\t60\t0\t0\t1\t1\t0\t12.66\t1\t1.1\t0.9;
\t3\t1\t90\t40\t0\t0\t1\t1\t0\t12.66\t1\t1.1\t0.9;
];
mpc.gen = [
\t1\t0\t0\t10\t-10\t1\t100\t1\t10\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0;
];
mpc.branch = [  %% (r and x specified in ohms here, converted to p.u. below)
\t1\t2\t0.0922\t0.0470\t0\t0\t0\t0\t0\t0\t1\t-360\t360;
\t2\t3\t0.4930\t0.2511\t0\t0\t0\t0\t0\t0\t1\t-360\t360;
];
%% convert branch impedances from Ohms to p.u.
[PQ, PV, REF, NONE, BUS_I, BUS_TYPE, PD, QD, GS, BS, BUS_AREA, VM, ...
    VA, BASE_KV, ZONE, VMAX, VMIN, LAM_P, LAM_Q, MU_VMAX, MU_VMIN] = idx_bus;
[F_BUS, T_BUS, BR_R, BR_X, BR_B, RATE_A, RATE_B, RATE_C, ...
    TAP, SHIFT, BR_STATUS, PF, QF, PT, QT, MU_SF, MU_ST, ...
    ANGMIN, ANGMAX, MU_ANGMIN, MU_ANGMAX] = idx_brch;
Vbase = mpc.bus(1, BASE_KV) * 1e3;      %% in Volts
Sbase = mpc.baseMVA * 1e6;              %% in VA
mpc.branch(:, [BR_R BR_X]) = mpc.branch(:, [BR_R BR_X]) / (Vbase^2 / Sbase);

%% convert loads from kW to MW
mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3;
`;
    const m = parseMatpower(inOhms, 'case3bw.m');
    const ref = parseMatpower(ieee33Text, 'ieee33.m');
    expect(m.loads.map((l) => [l.pKw, l.qKvar])).toEqual([[100, 60], [90, 40]]);
    for (const k of [0, 1]) {
      // ieee33.m holds 10 significant digits.
      expect(Math.abs((m.branches[k]?.rPu as number) / (ref.branches[k]?.rPu as number) - 1)).toBeLessThan(1e-9);
      expect(Math.abs((m.branches[k]?.xPu as number) / (ref.branches[k]?.xPu as number) - 1)).toBeLessThan(1e-9);
    }
    // The same file without its conversion lines would be 1000x off: it must not read the same.
    const unconverted = parseMatpower(inOhms.slice(0, inOhms.indexOf('%% convert branch')), 'raw.m');
    expect(unconverted.loads[0]?.pKw).toBe(100_000);

    // define_constants and a multiplication are recognised too.
    const viaConstants = inOhms.replace(/\[PQ[\s\S]*?idx_brch;/, 'define_constants;').replace('/ 1e3;', '* 1e-3;');
    expect(parseMatpower(viaConstants, 'c.m').loads[0]?.pKw).toBeCloseTo(100, 12);

    // A conversion with a base that is not this case's is refused, naming the line.
    const wrongBase = inOhms.replace('Vbase = mpc.bus(1, BASE_KV) * 1e3;', 'Vbase = 11e3;');
    expect(importFailure(wrongBase, 'wb.m').message).toMatch(/^wb\.m:24: .*base impedance/);
  });

  it('refuses any other assignment into mpc after the matrices, naming the line', () => {
    const e = importFailure(tiny(TINY_BUSES, 'define_constants;\nmpc.bus(2, PD) = 0.5;'), 'edit.m');
    expect(e.message).toMatch(/^edit\.m:17: 'mpc\.bus\(2, PD\) = 0\.5' assigns into mpc after its matrices/);
    expect(importFailure(tiny(TINY_BUSES, 'define_constants;\nmpc.bus(:, VM) = mpc.bus(:, VM) * 1.05;')).message).toMatch(/:17: .*not a known unit conversion/);
    expect(importFailure(tiny(TINY_BUSES, 'mpc.branch(end+1, :) = [3 1 0.1 0.1 0 0 0 0 0 0 1 -360 360];')).message).toMatch(/:16: .*assigns into mpc/);
    expect(importFailure(tiny(TINY_BUSES, "disp('hello');")).message).toMatch(/:16: .*statement not understood/);
    expect(importFailure(tiny(TINY_BUSES, 'mpc.dcline = [];')).message).toMatch(/:16: mpc\.dcline/);
  });
});

describe('parseMatpower bad files', () => {
  const good = tiny(TINY_BUSES);

  it('accepts the good base file', () => {
    expect(parseMatpower(good, 'good.m').buses).toHaveLength(3);
  });

  it('names a truncated file', () => {
    expect(importFailure(good.slice(0, good.indexOf('mpc.branch') + 40), 'cut.m').message).toMatch(/^cut\.m:12: '\[' opened here is never closed \(file truncated\?\)/);
  });

  it('names a missing baseMVA or version', () => {
    expect(importFailure(good.replace('mpc.baseMVA = 10;', '')).message).toMatch(/mpc\.baseMVA is missing/);
    expect(importFailure(good.replace("mpc.version = '2';", '')).message).toMatch(/mpc\.version is missing/);
    expect(importFailure(good.replace("'2'", "'1'")).message).toMatch(/version is '1', expected '2'/);
  });

  it('names a wrong column count and its line', () => {
    expect(importFailure(good.replace('1 1.05 0.95;', '1 1.05;')).message).toMatch(/^bad\.m:5: mpc\.bus row has 12 columns, the other rows 13/);
    const short = good.replace(/ 1 1\.05 0\.95;| 1 1\.1 0\.9;/g, ';');
    expect(importFailure(short).message).toMatch(/^bad\.m:5: mpc\.bus rows have 10 columns, expected at least 13/);
  });

  it('names a non-numeric value and its line', () => {
    expect(importFailure(good.replace('0.2 0.1', 'abc 0.1')).message).toMatch(/^bad\.m:7: mpc\.bus: expected a number, found 'abc'/);
    expect(importFailure(good.replace('0.2 0.1', '0.2*2 0.1')).message).toMatch(/^bad\.m:7: .*expression/);
    expect(importFailure(good.replace('0.2 0.1', '0.2 - 0.1')).message).toMatch(/^bad\.m:7: .*arithmetic/);
  });

  it('refuses PV buses, shunts, a missing slack and dangling references, naming them', () => {
    expect(importFailure(good.replace('3 1 0.2', '3 2 0.2')).message).toMatch(/^bad\.m:7: bus 3 is a PV bus/);
    expect(importFailure(good.replace('2 1 0.1 0.05 0 0', '2 1 0.1 0.05 0 0.3')).message).toMatch(/^bad\.m:6: bus 2: shunt GS=0 BS=0\.3/);
    expect(importFailure(good.replace('1 3 0 0', '1 1 0 0')).message).toMatch(/no reference bus/);
    expect(importFailure(good.replace('2 3 0.01', '2 7 0.01')).message).toMatch(/^bad\.m:14: branch 2 ends at bus 7/);
    expect(importFailure(good.replace('mpc.gen', 'mpc.genx')).message).toMatch(/mpc\.genx is not a case field/);
  });
});
