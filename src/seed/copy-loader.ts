/**
 * The bulk path: CSV bytes go to Postgres' own CSV parser through COPY, in batches that end on
 * record boundaries. Each batch is one transaction, so a bad row rolls back its batch only and the
 * report names the row. Into an empty table rows are copied directly; into a table with rows they
 * are copied into a temporary table and upserted by primary key, so re-running never duplicates
 * and rows that did not change are not rewritten (no spurious change events).
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Client } from 'pg';
import type { Writable } from 'node:stream';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';
import { CsvRecordScanner, hasContent } from './csv-records';
import { rowError } from './row-errors';

export interface CopyLoadOptions {
  table: QualifiedName;
  columns: string[];
  /** Upsert by these key columns; undefined = plain COPY into the table. */
  upsertKey?: string[];
  truncate: boolean;
  batchSize: number;
  limit: number;
  onProgress?: (rows: number, bytes: number) => void;
  /** Ctrl-C: the batch in flight is rolled back, committed batches stay. */
  signal?: AbortSignal;
}

export interface LoadCounts {
  rows: number;
  inserted: number;
  updated: number;
  batches: number;
}

const STAGE = quoteIdent('cdc_seed_stage');

export async function copyLoad(
  client: Client,
  options: CopyLoadOptions,
  scanner: CsvRecordScanner,
  firstChunk: Buffer,
  chunks: AsyncIterator<Buffer>,
  bytesRead: number,
  /** Scanner records before data row 1 (1 when the scanner read the header). */
  recordOffset = 0,
): Promise<LoadCounts> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const target = quoteQualified(options.table);
  const columnList = options.columns.map(quoteIdent).join(', ');
  const copySql = `COPY ${options.upsertKey ? STAGE : target} (${columnList}) FROM STDIN WITH (FORMAT csv)`;
  if (options.upsertKey) {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (LIKE ${target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
  }
  const upsertSql = options.upsertKey ? buildUpsert(target, options.columns, options.upsertKey) : '';
  const counts: LoadCounts = { rows: 0, inserted: 0, updated: 0, batches: 0 };
  let truncatePending = options.truncate;
  let copy: (Writable & { rowCount: number }) | undefined;
  let copyError: unknown;
  let inTransaction = false;
  let batchRows = 0;
  // Bytes of a record not yet complete: held back so that a batch ends exactly on a record.
  let carry: Buffer[] = [];

  const startBatch = async () => {
    if (options.upsertKey || truncatePending) {
      await client.query('BEGIN');
      inTransaction = true;
    }
    if (truncatePending) await client.query(`TRUNCATE ${target}`);
    copyError = undefined;
    copy = client.query(copyFrom(copySql));
    // Postgres may reject a row at any moment, also while nothing awaits the stream: keep the
    // error for the next write or the end of the batch instead of letting it go unhandled.
    copy.on('error', (err) => { copyError ??= err; });
  };
  const write = async (buf: Buffer) => {
    if (copyError) throw copyError;
    if (buf.length === 0 || !copy) return;
    if (!copy.write(buf)) await once(copy, 'drain');
  };
  const endBatch = async () => {
    if (!copy) return;
    const stream = copy;
    if (copyError) throw copyError;
    stream.end();
    await finished(stream);
    let inserted = stream.rowCount;
    let updated = 0;
    if (options.upsertKey) {
      const result = await client.query<{ inserted: string; updated: string }>(upsertSql);
      inserted = Number(result.rows[0].inserted);
      updated = Number(result.rows[0].updated);
    }
    if (inTransaction) await client.query('COMMIT');
    inTransaction = false;
    truncatePending = false;
    copy = undefined;
    counts.rows += batchRows;
    counts.inserted += inserted;
    counts.updated += updated;
    counts.batches += 1;
    batchRows = 0;
    scanner.forgetBefore(counts.rows + recordOffset);
  };

  let bytes = bytesRead;
  try {
    let chunk: Buffer | undefined = firstChunk;
    while (counts.rows + batchRows < options.limit) {
      if (options.signal?.aborted) {
        copy?.destroy();
        copy = undefined;
        if (inTransaction) await client.query('ROLLBACK');
        inTransaction = false;
        options.onProgress?.(counts.rows, bytes);
        return counts;
      }
      if (!chunk) {
        const next = await chunks.next();
        if (next.done) break;
        chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        bytes += chunk.length;
      }
      let offset = 0;
      while (offset < chunk.length && counts.rows + batchRows < options.limit) {
        const want = Math.min(options.batchSize - batchRows, options.limit - counts.rows - batchRows);
        const { records, end, skipTo } = scanner.scan(chunk, offset, want);
        if (records > 0) {
          if (!copy) await startBatch();
          for (const part of carry) await write(part);
          await write(chunk.subarray(offset, end));
          batchRows += records;
          carry = [];
        }
        if (skipTo !== undefined) {
          // A blank line: neither sent nor counted (a lone \r carried from the last buffer goes too).
          carry = [];
          offset = skipTo;
        } else if (records === want) {
          offset = end;
          await endBatch();
        } else {
          carry.push(chunk.subarray(end));
          offset = chunk.length;
        }
      }
      chunk = undefined;
      options.onProgress?.(counts.rows + batchRows, bytes);
    }
    // A last record without a final newline (or a quoted field left open, which Postgres reports).
    const tail = Buffer.concat(carry);
    if (counts.rows + batchRows < options.limit && (hasContent(tail) || scanner.insideQuotes)) {
      if (!copy) await startBatch();
      await write(tail);
      batchRows += 1;
    }
    if (copy || truncatePending) {
      if (!copy) await startBatch();
      await endBatch();
    }
    options.onProgress?.(counts.rows, bytes);
    return counts;
  } catch (err) {
    copy?.destroy();
    if (inTransaction) await client.query('ROLLBACK').catch(() => {});
    const firstRow = counts.rows + 1;
    const rowOfLine = (line: number) => scanner.recordOfLine(firstRow - 1 + recordOffset, line) - recordOffset + 1;
    throw rowError(err, { firstRow, rows: batchRows, committed: counts.rows, rowOfLine }) ?? err;
  }
}

/** INSERT … ON CONFLICT that counts what it inserted and updated; unchanged rows are not touched. */
function buildUpsert(target: string, columns: string[], key: string[]): string {
  const cols = columns.map(quoteIdent);
  const others = columns.filter((c) => !key.includes(c)).map(quoteIdent);
  const onConflict = others.length === 0
    ? 'DO NOTHING'
    : `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE (${others.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${others.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  return `WITH changed AS (
      INSERT INTO ${target} AS t (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${STAGE}
      ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${onConflict}
      RETURNING (t.xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM changed`;
}
