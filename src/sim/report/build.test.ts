import { describe, expect, it } from 'vitest';
import { GridLedgerError } from '../../errors.ts';
import { buildReport } from './build.ts';
import { baselineCity, tradingCity } from './city.fixture.ts';
import { reportSchema } from './schema.ts';

const META = { scenario: 'two-feeders', seed: 7, days: 1, utcOffsetMinutes: 60, generatedBy: 'gridledger test' };

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GridLedgerError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('buildReport', () => {
  const report = buildReport(tradingCity(), baselineCity(), META);

  it('counts members whose bill is higher than in the baseline', () => {
    // a 500,000 vs 450,000: worse; b -200,000 vs -100,000: better; c 300,000 vs 300,000: equal,
    // not worse; d 100,000 vs 150,000: better; e -400,000 vs -450,000: earns less, worse
    expect(report.members_worse_off).toBe(2);
    expect(report.members).toBe(5);
    expect(report.microgrids.map((m) => m.members_worse_off)).toEqual([1, 1]);
    const flags = report.microgrids.flatMap((m) => m.members.map((p) => `${p.id}:${p.worse_off}`));
    expect(flags).toEqual(['a:true', 'b:false', 'c:false', 'd:false', 'e:true']);
    // the baseline lists north's members in another order: matched by id
    expect(report.microgrids[0]?.members.map((p) => p.baseline_bill_uc)).toEqual([450_000, -100_000, 300_000]);
  });

  it('has the top-level shape of DESIGN.md section 7 and passes its own schema', () => {
    expect(reportSchema.parse(report)).toEqual(report);
    expect(report.city.pcc_import_wh).toBe(3830);
    expect(report.baseline.bills_uc).toBe(350_000);
    expect(report.baseline.local_traded_wh).toBe(0);
    const north = report.microgrids[0];
    expect(north).toMatchObject({ name: 'north', height: 57, blocks: 55, transactions: 412, finality_p50_ms: 640, peak_import_w: 5320 });
    expect(north?.baseline.bills_uc).toBe(650_000);
    expect(report.meta).toEqual({
      scenario: 'two-feeders',
      seed: 7,
      days: 1,
      interval_minutes: 15,
      start_ms: Date.UTC(2025, 5, 21),
      intervals: 4,
      utc_offset_minutes: 60,
      generated_by: 'gridledger test',
    });
  });

  it('keeps wall time out of the deterministic part', () => {
    expect('run' in report).toBe(false);
    const timed = buildReport(tradingCity(), baselineCity(), META, { wallMs: 2000 });
    expect(timed.run).toEqual({ wall_ms: 2000, intervals_per_s: 2 }); // 4 intervals in 2 s
    const { run: _run, ...rest } = timed;
    expect(rest).toEqual(report);
  });

  it('refuses a baseline that does not match the trading run', () => {
    const noMember = baselineCity();
    noMember.microgrids[1]?.members.pop();
    expect(code(() => buildReport(tradingCity(), noMember, META))).toBe('REPORT_BASELINE_MISMATCH');

    const renamed = baselineCity();
    const m = renamed.microgrids[1]?.members[0];
    if (m !== undefined) m.memberId = 'x';
    expect(code(() => buildReport(tradingCity(), renamed, META))).toBe('REPORT_BASELINE_MISMATCH');

    const swapped = baselineCity();
    swapped.microgrids.reverse();
    expect(code(() => buildReport(tradingCity(), swapped, META))).toBe('REPORT_BASELINE_MISMATCH');
  });

  it('needs chain figures for the trading run', () => {
    const city = tradingCity();
    const mg = city.microgrids[0];
    if (mg !== undefined) mg.chain = null;
    expect(code(() => buildReport(city, baselineCity(), META))).toBe('REPORT_MISSING_CHAIN');
  });
});
