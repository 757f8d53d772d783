/**
 * Rendering report results: a table on a TTY, CSV or JSON lines in a pipe, one JSON document with
 * --json. Counts and sums are written exactly as PostgreSQL computed them (no float rounding).
 */
import { stringify } from 'csv-stringify/sync';
import type { Context } from '../../src/context';
import { JsonNumber, stringifyLossless } from '../../src/json';
import type { ColumnSpec, ReportResult } from '../../src/report';
import { writeTable } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';

export type ReportFormat = 'table' | 'csv' | 'jsonl';

/** A row as a JSON object: numbers as exact JSON numbers, dates and text as strings. */
export function rowObject(columns: ColumnSpec[], row: (string | null)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const value = row[i];
    out[column.name] = value === null ? null : column.type === 'integer' || column.type === 'decimal' ? new JsonNumber(value) : value;
  });
  return out;
}

export function reportJson(result: ReportResult): unknown {
  return {
    report: result.report,
    schema: result.schema,
    at: result.at,
    columns: result.columns.map((c) => c.name),
    rows: result.rows.map((row) => rowObject(result.columns, row)),
  };
}

export function renderReport(ctx: Context, result: ReportResult, format: ReportFormat, json: boolean): void {
  if (json) {
    ctx.stdout.write(stringifyLossless(reportJson(result), ctx.stdoutIsTTY ? 2 : 0) + '\n');
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
      writeTable(ctx, names, result.rows.map((row) => row.map((v) => sanitizeForTerminal(v ?? ''))));
      return;
  }
}
