/**
 * The live path (--rate N): one INSERT per row at N rows per second, each its own transaction, as
 * the tutorials' data generator writes customers so that Debezium streams them one by one. Rows
 * are parsed with csv-parse here: at a few thousand rows per second parsing speed does not matter,
 * and every row needs its fields as query parameters. Values mean what they mean to COPY's CSV
 * parser on the bulk path: an unquoted empty field is NULL, a quoted one ("") the empty string.
 * A new table's creation and the truncate go in the first row's transaction: until a row is
 * inserted the table is as it was.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Client } from 'pg';
import { InputError } from '../errors';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';
import type { LoadCounts } from './copy-loader';
import { createPacer, type Pacer } from './pacer';
import { rowError } from './row-errors';

export interface RateLoadOptions {
  table: QualifiedName;
  columns: string[];
  upsertKey?: string[];
  truncate: boolean;
  /** Statements run in the first row's transaction (CREATE TABLE …). */
  setupSql: string[];
  limit: number;
  rate: number;
  onProgress?: (rows: number, bytes: number) => void;
  /** Ctrl-C: stop before the next row; every row inserted so far stays. */
  signal?: AbortSignal;
}

export async function rateLoad(
  client: Client,
  options: RateLoadOptions,
  firstBytes: Buffer,
  chunks: AsyncIterator<Buffer>,
  bytesRead: number,
): Promise<LoadCounts> {
  let bytes = bytesRead;
  async function* rest() {
    if (firstBytes.length) yield firstBytes;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      bytes += next.value.length;
      yield next.value;
    }
  }
  const records = Readable.from(rest()).pipe(
    parse({
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }),
  );
  const sql = insertSql(options);
  // Row i is due i/N s after the first row is in (its transaction may also create or truncate the table).
  let pacer: Pacer | undefined;
  const counts: LoadCounts = { rows: 0, inserted: 0, updated: 0, batches: 0, setupDone: false };
  const setup = [...options.setupSql, ...(options.truncate ? [`TRUNCATE ${quoteQualified(options.table)}`] : [])];
  /** Runs the setup, then `work` if any, in one transaction. */
  const withSetup = async <T>(work?: () => Promise<T>): Promise<T | undefined> => {
    if (counts.setupDone || setup.length === 0) {
      counts.setupDone = true;
      return work?.();
    }
    await client.query('BEGIN');
    try {
      for (const statement of setup) await client.query(statement);
      const result = await work?.();
      await client.query('COMMIT');
      counts.setupDone = true;
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  };
  try {
    for await (const fields of records as AsyncIterable<Array<string | null>>) {
      if (counts.rows >= options.limit) break;
      const row = counts.rows + 1;
      if (fields.length !== options.columns.length) {
        throw new InputError(
          `malformed row ${row}: ${fields.length} fields where the header has ${options.columns.length}; ${row - 1} row(s) before it were inserted`,
        );
      }
      await pacer?.wait(counts.rows, options.signal);
      if (options.signal?.aborted) break;
      try {
        const result = await withSetup(() => client.query<{ inserted: boolean }>(sql, fields));
        if (result?.rows[0]?.inserted === true) counts.inserted += 1;
        else if (result?.rows[0]?.inserted === false) counts.updated += 1;
      } catch (err) {
        throw rowError({ ...(err as object), message: (err as Error).message, where: `line 1` }, { firstRow: row, rows: 1, committed: row - 1 }) ?? err;
      }
      counts.rows += 1;
      counts.batches += 1;
      pacer ??= createPacer(options.rate);
      options.onProgress?.(counts.rows, bytes);
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('CSV_'))
      throw new InputError(`the source is not valid CSV after row ${counts.rows}: ${(err as Error).message}`);
    throw err;
  } finally {
    records.destroy();
  }
  // No rows (an empty source): the table is still created, the truncate still done; not when interrupted.
  if (!options.signal?.aborted) await withSetup();
  return counts;
}

function insertSql(options: RateLoadOptions): string {
  const cols = options.columns.map(quoteIdent);
  const values = cols.map((_c, i) => `$${i + 1}`).join(', ');
  const key = options.upsertKey;
  const others = key ? options.columns.filter((c) => !key.includes(c)).map(quoteIdent) : [];
  let conflict = '';
  if (key) {
    conflict =
      others.length === 0
        ? `ON CONFLICT (${key.map(quoteIdent).join(', ')}) DO NOTHING`
        : `ON CONFLICT (${key.map(quoteIdent).join(', ')}) DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
         WHERE (${others.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${others.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  }
  return `INSERT INTO ${quoteQualified(options.table)} AS t (${cols.join(', ')}) VALUES (${values}) ${conflict} RETURNING (t.xmax = 0) AS inserted`;
}
