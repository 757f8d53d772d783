/**
 * A bad row, reported by its number. Postgres names the failing line of a COPY in the error's
 * CONTEXT ("COPY customers, line 3, column customerId: …"); the loader knows the row each batch
 * started with, so the row number in the source follows.
 */
import { InputError } from '../errors';
import type { PgErrorLike } from '../pg/errors';

/** SQLSTATE classes that mean the data was bad, not the server: 22 data exception, 23 constraint. */
const DATA_ERROR = /^(22|23)/;

export interface BatchSpan {
  /** Data row number (1 = the first row after the header) of the batch's first row. */
  firstRow: number;
  rows: number;
  /** Rows committed before this batch. */
  committed: number;
  /** The whole load was one transaction (--truncate): nothing of it was applied. */
  atomic?: boolean;
  /** The row number of physical line `line` of the batch, when rows may span lines. */
  rowOfLine?: (line: number) => number;
}

export function rowError(err: unknown, span: BatchSpan): InputError | undefined {
  const e = err as PgErrorLike;
  if (!e || typeof e.code !== 'string') return undefined;
  const line = /\bline (\d+)/.exec(e.where ?? '');
  const column = /\bcolumn (\S+?):/.exec(e.where ?? '') ?? /\bcolumn "([^"]+)"/.exec(e.message);
  const applied = span.atomic
    ? 'nothing was loaded: the truncate and the load are one transaction, so the table keeps its old rows'
    : `${span.committed} row(s) before it were committed by earlier batches; nothing of its batch was applied`;
  const hint = span.atomic
    ? 'fix the row (or the source) and run the command again'
    : 'fix the row (or the source) and run the command again: rows already loaded are upserted, not duplicated';
  if (line && (DATA_ERROR.test(e.code) || /^(22P04|22P02)$/.test(e.code))) {
    const row = span.rowOfLine ? span.rowOfLine(Number(line[1])) : span.firstRow + Number(line[1]) - 1;
    const what = stripControl(e.message) + (column && !e.message.includes(column[1]) ? ` (column ${column[1]})` : '');
    const detail = e.detail ? ` — ${stripControl(e.detail)}` : '';
    return new InputError(`malformed row ${row}: ${what}${detail}; ${applied}`, hint);
  }
  if (e.code === '21000') {
    const last = span.firstRow + span.rows - 1;
    return new InputError(`rows ${span.firstRow}–${last} name the same key twice (${stripControl(e.message)}); ${applied}`, hint);
  }
  if (DATA_ERROR.test(e.code)) {
    return new InputError(
      `a row of rows ${span.firstRow}–${span.firstRow + span.rows - 1} was rejected: ${stripControl(e.message)}${e.detail ? ` — ${stripControl(e.detail)}` : ''}; ${applied}`,
      hint,
    );
  }
  return undefined;
}

/** Row values from a file may hold control characters; they must not reach a terminal raw. */
function stripControl(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}
