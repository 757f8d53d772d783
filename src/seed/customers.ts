/**
 * `cdc seed customers`: the retail customers CSV into Postgres, by COPY in batches (default) or
 * row by row at a fixed rate (--rate). Returns what it did; the command layer renders it.
 */
import type { Client } from 'pg';
import { CdcError, InputError } from '../errors';
import { displayName, type QualifiedName } from '../pg/identifiers';
import { copyLoad, type LoadCounts } from './copy-loader';
import { CsvRecordScanner } from './csv-records';
import { checkColumnsForNewTable, createCustomersSql, CUSTOMER_KEY, interpretFirstRecord } from './customers-table';
import { readFirstRecord } from './first-record';
import { rateLoad } from './rate-loader';
import type { SeedSource } from './source';
import { planTable } from './table-setup';

export interface SeedCustomersOptions {
  table: QualifiedName;
  source: SeedSource;
  limit?: number;
  truncate: boolean;
  replicaIdentity: 'full' | 'default';
  batchSize: number;
  rate?: number;
  onProgress?: (progress: SeedProgress) => void;
  /** Ctrl-C: stop cleanly; the result says what was loaded (interrupted: true). */
  signal?: AbortSignal;
}

export interface SeedProgress {
  rows: number;
  bytes: number;
  totalBytes?: number;
  limit?: number;
}

export interface SeedCustomersResult {
  table: string;
  source: string;
  /** copy: COPY straight into the table; upsert: COPY into a temp table + INSERT … ON CONFLICT; rate: one INSERT per row. */
  mode: 'copy' | 'upsert' | 'rate';
  created: boolean;
  truncated: boolean;
  replicaIdentity: string;
  header: boolean;
  columns: string[];
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  batches: number;
  seconds: number;
  rowsPerSecond: number;
  warnings: string[];
  /** Stopped by Ctrl-C before the end of the source. */
  interrupted: boolean;
}

export async function seedCustomers(client: Client, options: SeedCustomersOptions): Promise<SeedCustomersResult> {
  const started = performance.now();
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const chunks = options.source.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const scanner = new CsvRecordScanner();
    const first = await readFirstRecord(chunks, scanner);
    if (!first) throw new InputError(`${options.source.description} is empty`, 'a CSV with a header row is expected');
    const { header, columns } = interpretFirstRecord(first.fields);

    const table = await planTable(
      client,
      options.table,
      {
        sql: () => {
          checkColumnsForNewTable(columns);
          return createCustomersSql(options.table);
        },
        primaryKey: [CUSTOMER_KEY],
      },
      options.replicaIdentity,
    );
    const missingKey = table.primaryKey.filter((k) => !columns.includes(k));
    // Rows can only be matched by a key the CSV provides; without one, refuse rather than duplicate.
    const plain = table.empty || options.truncate;
    if (!plain && (table.primaryKey.length === 0 || missingKey.length > 0)) {
      throw new CdcError(
        `${displayName(options.table)} already has rows and ${table.primaryKey.length === 0 ? 'no primary key' : `the CSV has no ${missingKey.join(', ')} column`} to match them by`,
        { hint: 'pass --truncate to replace its rows, or load into another table with --table' },
      );
    }
    const upsertKey = plain && !options.rate ? undefined : table.primaryKey.length && missingKey.length === 0 ? table.primaryKey : undefined;
    const onProgress = (rows: number, bytes: number) => options.onProgress?.({ rows, bytes, totalBytes: options.source.size, limit: options.limit });
    // Without a header the first record is data and goes in with the rest.
    const firstBytes = header ? first.rest : Buffer.concat([first.bytes, first.rest]);
    let counts: LoadCounts;
    if (options.rate) {
      counts = await rateLoad(
        client,
        {
          table: options.table,
          columns,
          upsertKey,
          truncate: options.truncate,
          setupSql: table.createSql,
          limit,
          rate: options.rate,
          onProgress,
          signal: options.signal,
        },
        firstBytes,
        chunks,
        first.read,
      );
    } else {
      const scannerForRows = header ? scanner : new CsvRecordScanner();
      counts = await copyLoad(
        client,
        {
          table: options.table,
          columns,
          upsertKey,
          truncate: options.truncate,
          atomic: options.truncate,
          setupSql: table.createSql,
          batchSize: options.batchSize,
          limit,
          onProgress,
          signal: options.signal,
        },
        scannerForRows,
        firstBytes,
        chunks,
        first.read,
        header ? 1 : 0,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      table: displayName(options.table),
      source: options.source.description,
      mode: options.rate ? 'rate' : upsertKey ? 'upsert' : 'copy',
      // An interrupted load may have rolled back the table's creation and the truncate.
      created: table.created && counts.setupDone,
      truncated: options.truncate && counts.setupDone,
      replicaIdentity: table.replicaIdentity,
      header,
      columns,
      rows: counts.rows,
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.rows - counts.inserted - counts.updated,
      batches: counts.batches,
      seconds: Math.round(seconds * 1000) / 1000,
      rowsPerSecond: seconds > 0 ? Math.round(counts.rows / seconds) : counts.rows,
      warnings: table.warnings,
      interrupted: Boolean(options.signal?.aborted),
    };
  } finally {
    options.source.stream.destroy();
  }
}
