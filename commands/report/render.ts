/**
 * Rendering report results: a table on a TTY, CSV or JSON lines in a pipe, one JSON document with
 * --json. Counts and sums are written exactly as PostgreSQL computed them (no float rounding).
 */
import { stringify } from 'csv-stringify/sync';
import type { Context } from '../../src/context';
import { stringifyLossless } from '../../src/json';
import type { ReportResult } from '../../src/report';
import { reportDocument, rowObject } from '../../src/report/document';
import { writeTable } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';

export type ReportFormat = 'table' | 'csv' | 'jsonl';

export function renderReport(ctx: Context, result: ReportResult, format: ReportFormat, json: boolean): void {
  if (json) {
    ctx.stdout.write(stringifyLossless(reportDocument(result), ctx.stdoutIsTTY ? 2 : 0) + '\n');
    return;
  }
  const names = result.columns.map((c) => c.name);
  switch (format) {
    case 'jsonl':
      for (const row of result.rows) ctx.stdout.write(stringifyLossless(rowObject(result.columns, row)) + '\n');
      return;
    case 'csv':
      ctx.stdout.write(stringify([names, ...result.rows.map((row) => row.map((v) => v ?? ''))]));
      return;
    case 'table':
      writeTable(
        ctx,
        names,
        result.rows.map((row) => row.map((v) => sanitizeForTerminal(v ?? ''))),
      );
      return;
  }
}
