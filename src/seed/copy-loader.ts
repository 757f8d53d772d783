/**
 * The bulk path: CSV bytes go to Postgres' own CSV parser through COPY, in batches that end on
 * record boundaries. Each batch is one transaction, so a bad row rolls back its batch only and the
 * report names the row. Into an empty table rows are copied directly; into a table with rows they
 * are copied into a temporary table and upserted by primary key, so re-running never duplicates
 * and rows that did not change are not rewritten (no spurious change events).
 * With `atomic` (--truncate) the TRUNCATE and every batch are one transaction: a load that fails or
 * is killed leaves the old rows whole. A table created for the load is created in its first
 * transaction (`setupSql`), so a load that fails there leaves no empty table behind.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Client } from 'pg';
import type { Writable } from 'node:stream';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';
import { type CsvRecordScanner, hasContent, isMarkerRecord, quoteMarkers, recordBytes } from './csv-records';
import { rowError } from './row-errors';

export interface CopyLoadOptions {
  table: QualifiedName;
  columns: string[];
  /** Upsert by these key columns; undefined = plain COPY into the table. */
  upsertKey?: string[];
  truncate: boolean;
  /** One transaction for the whole load (with truncate: the old rows stay until it commits). */
  atomic: boolean;
  /** Statements run first, in the first batch's transaction (CREATE TABLE …). */
  setupSql: string[];
  batchSize: number;
  limit: number;
  onProgress?: (rows: number, bytes: number) => void;
  /** Ctrl-C: the batch in flight is rolled back, committed batches stay. */
  signal?: AbortSignal;
}

export interface LoadCounts {
  /** Rows committed (an interrupted atomic load commits none). */
  rows: number;
  inserted: number;
  updated: number;
  batches: number;
  /** Whether the setup (table creation, truncate) was committed. */
  setupDone: boolean;
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
  const counts: LoadCounts = { rows: 0, inserted: 0, updated: 0, batches: 0, setupDone: false };
  // Counted as batches end; moved to `counts` when their transaction commits.
  const uncommitted = { rows: 0, inserted: 0, updated: 0, batches: 0 };
  let setupPending = [...options.setupSql, ...(options.truncate ? [`TRUNCATE ${target}`] : [])];
  let copy: (Writable & { rowCount: number }) | undefined;
  let copyError: Error | undefined;
  let inTransaction = false;
  let batchRows = 0;
  // Bytes of a record not yet complete: held back so that a batch ends exactly on a record.
  let carry: Buffer[] = [];

  const startBatch = async () => {
    if (!inTransaction && (options.upsertKey || options.atomic || setupPending.length)) {
      await client.query('BEGIN');
      inTransaction = true;
    }
    for (const sql of setupPending) await client.query(sql);
    setupPending = [];
    copyError = undefined;
    copy = client.query(copyFrom(copySql));
    // Postgres may reject a row at any moment, also while nothing awaits the stream: keep the
    // error for the next write or the end of the batch instead of letting it go unhandled.
    copy.on('error', (err) => {
      copyError ??= err;
    });
  };
  const write = async (buf: Buffer) => {
    if (copyError) throw copyError;
    if (buf.length === 0 || !copy) return;
    if (!copy.write(buf)) await once(copy, 'drain');
  };
  const commit = async () => {
    if (inTransaction) await client.query('COMMIT');
    inTransaction = false;
    counts.rows += uncommitted.rows;
    counts.inserted += uncommitted.inserted;
    counts.updated += uncommitted.updated;
    counts.batches += uncommitted.batches;
    counts.setupDone = true;
    Object.assign(uncommitted, { rows: 0, inserted: 0, updated: 0, batches: 0 });
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
      // ON COMMIT DELETE ROWS empties the stage only at a commit; an atomic load commits once.
      if (options.atomic) await client.query(`TRUNCATE ${STAGE}`);
    }
    copy = undefined;
    uncommitted.rows += batchRows;
    uncommitted.inserted += inserted;
    uncommitted.updated += updated;
    uncommitted.batches += 1;
    scanner.forgetBefore(counts.rows + uncommitted.rows + recordOffset);
    batchRows = 0;
    if (!options.atomic) await commit();
  };
  /** Rows read so far, committed or not: what --limit and the progress count. */
  const loaded = () => counts.rows + uncommitted.rows + batchRows;

  let bytes = bytesRead;
  try {
    let chunk: Buffer | undefined = firstChunk;
    while (loaded() < options.limit) {
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
      while (offset < chunk.length && loaded() < options.limit) {
        const want = Math.min(options.batchSize - batchRows, options.limit - loaded());
        const { records, end, skipTo, markers } = scanner.scan(chunk, offset, want);
        if (records > 0) {
          if (!copy) await startBatch();
          for (const part of recordBytes(carry, chunk, offset, end, markers)) await write(part);
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
      options.onProgress?.(loaded(), bytes);
    }
    // A last record without a final newline (or a quoted field left open, which Postgres reports).
    const tail = Buffer.concat(carry);
    if (loaded() < options.limit && (hasContent(tail) || scanner.insideQuotes)) {
      if (!copy) await startBatch();
      await write(isMarkerRecord(tail) ? quoteMarkers(tail, [], true) : tail);
      batchRows += 1;
    }
    // Also with no rows at all: the table is created, the truncate happens.
    if (copy || setupPending.length) {
      if (!copy) await startBatch();
      await endBatch();
    }
    if (inTransaction || uncommitted.batches) await commit();
    options.onProgress?.(counts.rows, bytes);
    return counts;
  } catch (err) {
    copy?.destroy();
    if (inTransaction) await client.query('ROLLBACK').catch(() => {});
    const firstRow = counts.rows + uncommitted.rows + 1;
    const rowOfLine = (line: number) => scanner.recordOfLine(firstRow - 1 + recordOffset, line) - recordOffset + 1;
    throw rowError(err, { firstRow, rows: batchRows, committed: counts.rows, atomic: options.atomic, rowOfLine }) ?? err;
  }
}

/** INSERT … ON CONFLICT that counts what it inserted and updated; unchanged rows are not touched. */
function buildUpsert(target: string, columns: string[], key: string[]): string {
  const cols = columns.map(quoteIdent);
  const others = columns.filter((c) => !key.includes(c)).map(quoteIdent);
  const onConflict =
    others.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE (${others.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${others.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  return `WITH changed AS (
      INSERT INTO ${target} AS t (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${STAGE}
      ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${onConflict}
      RETURNING (t.xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM changed`;
}
