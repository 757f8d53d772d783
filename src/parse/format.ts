/**
 * holding_pivot rows as text: `text` (the tutorials' comma-joined line, missing values as `None`),
 * `csv` (RFC 4180 via csv-stringify: header row, CRLF, quoting where needed), `jsonl` (one object per
 * row; decimals stay strings, big integers stay exact).
 */
import { JsonNumber, stringifyLossless } from '../json';
import type { Decoded } from '../debezium';
import { PIVOT_TAIL_COLUMNS, type PivotRow } from './pivot';

export const OUTPUT_FORMATS = ['text', 'csv', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RowFormatter {
  /** Text for a batch of rows (each line newline-terminated); includes the CSV header before the first row. */
  format(rows: PivotRow[], insertedAt: string): string;
}

export function pivotColumns(identity: string[]): string[] {
  return [...identity, ...PIVOT_TAIL_COLUMNS];
}

/** `csvHeader: false`: a worker's formatter, whose rows follow a header written by the main thread. */
export function createFormatter(format: OutputFormat, identity: string[], csvHeader = true): RowFormatter {
  const columns = pivotColumns(identity);
  if (format === 'jsonl') {
    const keys = columns.map((c) => JSON.stringify(c) + ':');
    return {
      format(rows, insertedAt) {
        let out = '';
        const inserted = JSON.stringify(insertedAt);
        for (const row of rows) {
          const cells = cellsOf(row);
          let line = '{';
          for (let k = 0; k < cells.length; k++) {
            line += (k ? ',' : '') + keys[k] + (k === cells.length - 2 ? inserted : stringifyLossless(cells[k]));
          }
          out += line + '}\n';
        }
        return out;
      },
    };
  }
  if (format === 'csv') {
    // Loaded for CSV output only (start-up of the other formats).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { stringify: csvStringify } = require('csv-stringify/sync') as typeof import('csv-stringify/sync');
    let headerWritten = !csvHeader;
    return {
      format(rows, insertedAt) {
        const records = rows.map((row) => cellsOf(row).map((cell, k, all) => (k === all.length - 2 ? insertedAt : csvCell(cell))));
        const header = !headerWritten;
        headerWritten = true;
        if (records.length === 0 && !header) return '';
        return csvStringify(records, { header, columns, record_delimiter: 'windows' });
      },
    };
  }
  return {
    format(rows, insertedAt) {
      let out = '';
      // Cell by cell as cellsOf() lists them, without building the list (the hot path of `cdc parse`).
      // The rows of one event share their identity and their times: written once for all of them.
      let identity: Decoded[] | undefined;
      let head = '';
      let created: Decoded | undefined;
      let updated: Decoded | undefined;
      let deleted: Decoded | undefined;
      let op: string | undefined;
      let tail = '';
      for (const row of rows) {
        if (row.identity !== identity) {
          identity = row.identity;
          head = '';
          for (const cell of identity) head += textCell(cell) + ',';
        }
        if (row.created !== created || row.updated !== updated || row.deleted !== deleted || row.op !== op || tail === '') {
          ({ created, updated, deleted, op } = row);
          tail = ',' + textCell(created) + ',' + textCell(updated) + ',' + textCell(deleted) + ',' + insertedAt + ',' + textCell(op) + '\n';
        }
        out += head + textCell(row.field) + ',' + textCell(row.oldValue) + ',' + textCell(row.newValue) + tail;
      }
      return out;
    },
  };
}

/** identity…, field, old, new, created, updated, deleted, <inserted placeholder>, op */
function cellsOf(row: PivotRow): Decoded[] {
  return [...row.identity, row.field, row.oldValue, row.newValue, row.created, row.updated, row.deleted, null, row.op];
}

/** Text cell: Python's str() of the tutorials (None for missing); line breaks escaped so a row stays one line. */
export function textCell(value: Decoded): string {
  if (value === null) return 'None';
  if (typeof value === 'number') return String(value);
  const text = plain(value);
  return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? text.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : text;
}

function csvCell(value: Decoded): string {
  return value === null ? '' : plain(value);
}

function plain(value: Decoded): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof JsonNumber) return value.text;
  return stringifyLossless(value);
}
