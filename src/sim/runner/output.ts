/** Writes a run's `report.json` and `report.html` into its output folder (created if missing). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderHtml } from '../report/html.ts';
import type { Report } from '../report/schema.ts';
import type { ReportSeries } from '../report/series.ts';

export interface WrittenReport {
  jsonFile: string;
  htmlFile: string;
}

export function writeReport(outDir: string, report: Report, series: ReportSeries): WrittenReport {
  mkdirSync(outDir, { recursive: true });
  const jsonFile = path.join(outDir, 'report.json');
  const htmlFile = path.join(outDir, 'report.html');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(htmlFile, renderHtml(report, series));
  return { jsonFile, htmlFile };
}
