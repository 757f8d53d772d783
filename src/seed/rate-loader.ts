/**
 * The live path (--rate N): one INSERT per row at N rows per second, each its own transaction, as
 * the tutorials' data generator writes customers so that Debezium streams them one by one. Rows
 * are parsed with csv-parse here: at a few thousand rows per second parsing speed does not matter,
 * and every row needs its fields as query parameters.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Client } from 'pg';
import { InputError } from '../errors';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';
import type { LoadCounts } from './copy-loader';
import { createPacer } from './pacer';
import { rowError } from './row-errors';

export interface RateLoadOptions {
  table: QualifiedName;
  columns: string[];
  upsertKey?: string[];
  truncate: boolean;
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
  const records = Readable.from(rest()).pipe(parse({ relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }));
  const sql = insertSql(options);
  const pacer = createPacer(options.rate);
  const counts: LoadCounts = { rows: 0, inserted: 0, updated: 0, batches: 0 };
  if (options.truncate) await client.query(`TRUNCATE ${quoteQualified(options.table)}`);
  try {
    for await (const fields of records as AsyncIterable<string[]>) {
      if (counts.rows >= options.limit) break;
      const row = counts.rows + 1;
      if (fields.length !== options.columns.length) {
        throw new InputError(`malformed row ${row}: ${fields.length} fields where the header has ${options.columns.length}; ${row - 1} row(s) before it were inserted`);
      }
      await pacer.wait(counts.rows, options.signal);
      if (options.signal?.aborted) break;
      try {
        const result = await client.query<{ inserted: boolean }>(sql, fields.map((f) => (f === '' ? null : f)));
        if (result.rows[0]?.inserted === true) counts.inserted += 1;
        else if (result.rows[0]?.inserted === false) counts.updated += 1;
      } catch (err) {
        throw rowError({ ...(err as object), message: (err as Error).message, where: `line 1` }, { firstRow: row, rows: 1, committed: row - 1 }) ?? err;
      }
      counts.rows += 1;
      counts.batches += 1;
      options.onProgress?.(counts.rows, bytes);
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('CSV_')) throw new InputError(`the source is not valid CSV after row ${counts.rows}: ${(err as Error).message}`);
    throw err;
  } finally {
    records.destroy();
  }
  return counts;
}

function insertSql(options: RateLoadOptions): string {
  const cols = options.columns.map(quoteIdent);
  const values = cols.map((_c, i) => `$${i + 1}`).join(', ');
  const key = options.upsertKey;
  const others = key ? options.columns.filter((c) => !key.includes(c)).map(quoteIdent) : [];
  let conflict = '';
  if (key) {
    conflict = others.length === 0
      ? `ON CONFLICT (${key.map(quoteIdent).join(', ')}) DO NOTHING`
      : `ON CONFLICT (${key.map(quoteIdent).join(', ')}) DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
         WHERE (${others.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${others.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  }
  return `INSERT INTO ${quoteQualified(options.table)} AS t (${cols.join(', ')}) VALUES (${values}) ${conflict} RETURNING (t.xmax = 0) AS inserted`;
}
