/**
 * A report result as one JSON document (`cdc report --json` and `cdc serve` answer the same):
 * counts and sums as exact JSON numbers, dates and text as strings.
 */
import { JsonNumber } from '../json';
import type { ColumnSpec } from './catalog';
import type { ReportResult } from './run';

export function rowObject(columns: ColumnSpec[], row: (string | null)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const value = row[i];
    out[column.name] = value === null ? null : column.type === 'integer' || column.type === 'decimal' ? new JsonNumber(value) : value;
  });
  return out;
}

export function reportDocument(result: ReportResult): Record<string, unknown> {
  return {
    report: result.report,
    schema: result.schema,
    at: result.at,
    columns: result.columns.map((c) => c.name),
    rows: result.rows.map((row) => rowObject(result.columns, row)),
  };
}
