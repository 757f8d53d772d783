/**
 * The history table of one source table (and its `--current` mirror): created from the event
 * schema, followed as the source adds columns or widens types, refused when a type changes
 * incompatibly. Everything here runs inside the batch transaction, so a refused change leaves the
 * target exactly as it was.
 */
import type { Client } from 'pg';
import type { ConnectSchema } from '../../debezium';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../pg/identifiers';
import type { TablePlan } from '../batch';
import { SinkSchemaError } from '../errors';
import { lockDdl } from './catalog';
import { canWiden, pgTypeOf } from './types';

/** Columns the sink adds after the source's; a source column with one of these names is refused. */
export const VERSION_COLUMNS = ['valid_from', 'valid_to', 'is_current', 'operation_type'] as const;
export const LINEAGE_COLUMNS = ['_source_lsn', '_source_op', '_source_txid', '_kafka_topic', '_kafka_partition', '_kafka_offset'] as const;
const RESERVED = new Set<string>([...VERSION_COLUMNS, ...LINEAGE_COLUMNS]);
const MAX_IDENTIFIER_BYTES = 63;

export interface HistoryTable {
  history: QualifiedName;
  mirror?: QualifiedName;
  keyColumns: string[];
  /** Source columns as the history table has them, in table order, with format_type() types. */
  columns: Map<string, string>;
  truncateLsn: bigint | null;
}

export interface TableOptions {
  /** Target schema; undefined = the source table's schema. */
  targetSchema?: string;
  current: boolean;
}

export function historyName(plan: Pick<TablePlan, 'table'>, options: TableOptions): { history: QualifiedName; mirror: QualifiedName } {
  const schema = options.targetSchema ?? plan.table.schema;
  const history = { schema, table: `${plan.table.table}_history` };
  if (Buffer.byteLength(history.table) > MAX_IDENTIFIER_BYTES) {
    throw new SinkSchemaError(
      `the history table name ${history.table} is longer than ${MAX_IDENTIFIER_BYTES} bytes`,
      'PostgreSQL would truncate it: rename the source table or sink it elsewhere',
    );
  }
  return { history, mirror: { schema, table: plan.table.table } };
}

/** Source columns and their types as the batch's schemas want them (the newest schema wins a name). */
export function wantedColumns(schemas: readonly ConnectSchema[], where: string): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const schema of schemas) {
    for (const field of schema.fields ?? []) {
      if (RESERVED.has(field.field)) {
        throw new SinkSchemaError(
          `${where}: source column ${field.field} has the name of a column the sink adds`,
          'rename the source column, or sink the table with a view that renames it',
        );
      }
      const types = wanted.get(field.field) ?? [];
      const type = pgTypeOf(field);
      if (!types.includes(type)) types.push(type);
      wanted.set(field.field, types);
    }
  }
  return wanted;
}

/** Makes the tables match the batch; returns them as they now are (inside the open transaction). */
export async function prepareTable(client: Client, plan: TablePlan, options: TableOptions, known: HistoryTable | undefined): Promise<HistoryTable> {
  const { history, mirror } = historyName(plan, options);
  const where = `table ${history.schema}.${history.table}`;
  const wanted = wantedColumns(plan.schemas, where);
  let table = known ?? (await readTable(client, history));
  if (!table) {
    await lockDdl(client);
    table = (await readTable(client, history)) ?? (await createTable(client, plan, history, options.current ? mirror : undefined, wanted));
  }
  if (plan.keyColumns.length && table.keyColumns.join(',') !== plan.keyColumns.join(',')) {
    throw new SinkSchemaError(
      `${where}: the source key changed from (${table.keyColumns.join(', ')}) to (${plan.keyColumns.join(', ')})`,
      'a history keeps one key: sink the table into another --target-schema',
    );
  }
  if (options.current && !table.mirror) table = await addMirror(client, table, mirror);
  const changes: string[] = [];
  for (const [column, types] of wanted) {
    const existing = table.columns.get(column);
    if (existing === undefined) {
      const type = types[types.length - 1];
      changes.push(`ADD COLUMN ${quoteIdent(column)} ${type}`);
      table.columns.set(column, type);
      continue;
    }
    for (const type of types) {
      if (canWiden(type, existing)) continue;
      if (canWiden(existing, type)) {
        changes.push(`ALTER COLUMN ${quoteIdent(column)} TYPE ${type}`);
        table.columns.set(column, type);
        continue;
      }
      throw new SinkSchemaError(
        `${where}: column ${column} changed type from ${existing} to ${type}, which the history cannot hold`,
        'nothing of this batch was written. Keep the old versions elsewhere (ALTER TABLE … RENAME) and restart the sink to begin a new history, or sink into another --target-schema',
      );
    }
  }
  if (changes.length) {
    await lockDdl(client);
    await client.query(`ALTER TABLE ${quoteQualified(table.history)} ${changes.join(', ')}`);
    if (table.mirror) await client.query(`ALTER TABLE ${quoteQualified(table.mirror)} ${changes.join(', ')}`);
  }
  return table;
}

async function readTable(client: Client, history: QualifiedName): Promise<HistoryTable | undefined> {
  const { rows } = await client.query(
    `SELECT key_columns, mirror_table, truncate_lsn::text AS truncate_lsn, applied_lsn IS NOT NULL AS tracked FROM cdc_sink.tables WHERE target_schema = $1 AND history_table = $2`,
    [history.schema, history.table],
  );
  if (rows.length === 0) {
    const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [quoteQualified(history)]);
    if (exists.rows[0].found) {
      throw new SinkSchemaError(
        `table ${history.schema}.${history.table} exists and was not created by cdc sink`,
        'drop or rename it, or choose another --target-schema',
      );
    }
    return undefined;
  }
  const row = rows[0] as { key_columns: string[]; mirror_table: string | null; truncate_lsn: string | null; tracked: boolean };
  const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [quoteQualified(history)]);
  if (!exists.rows[0].found) {
    // Dropped by hand (a fresh start): forget it, and a new history is created.
    await client.query('DELETE FROM cdc_sink.tables WHERE target_schema = $1 AND history_table = $2', [history.schema, history.table]);
    await client.query('DELETE FROM cdc_sink.applied WHERE target_schema = $1 AND history_table = $2', [history.schema, history.table]);
    return undefined;
  }
  if (!row.tracked) {
    // A history from before cdc_sink.applied: its versions' highest LSN, once (a full scan).
    await client.query(
      `UPDATE cdc_sink.tables SET applied_lsn = (SELECT coalesce(max(_source_lsn), 0) FROM ${quoteQualified(history)})
       WHERE target_schema = $1 AND history_table = $2 AND applied_lsn IS NULL`,
      [history.schema, history.table],
    );
  }
  const columns = await tableColumns(client, history);
  for (const c of [...VERSION_COLUMNS, ...LINEAGE_COLUMNS]) columns.delete(c);
  return {
    history,
    mirror: row.mirror_table === null ? undefined : { schema: history.schema, table: row.mirror_table },
    keyColumns: row.key_columns,
    columns,
    truncateLsn: row.truncate_lsn === null ? null : BigInt(row.truncate_lsn),
  };
}

async function tableColumns(client: Client, name: QualifiedName): Promise<Map<string, string>> {
  const { rows } = await client.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoteQualified(name)],
  );
  return new Map(rows.map((r: { attname: string; type: string }) => [r.attname, r.type]));
}

async function createTable(
  client: Client,
  plan: TablePlan,
  history: QualifiedName,
  mirror: QualifiedName | undefined,
  wanted: Map<string, string[]>,
): Promise<HistoryTable> {
  const columns = new Map([...wanted].map(([name, types]) => [name, types[types.length - 1]]));
  const source = [...columns].map(([name, type]) => `${quoteIdent(name)} ${type}`);
  const keys = plan.keyColumns.map(quoteIdent).join(', ');
  const target = quoteQualified(history);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(history.schema)}`);
  await client.query(
    `CREATE TABLE ${target} (${[
      ...source,
      'valid_from timestamptz NOT NULL',
      'valid_to timestamptz',
      'is_current boolean NOT NULL',
      'operation_type text NOT NULL',
      '_source_lsn bigint NOT NULL',
      '_source_op text NOT NULL',
      '_source_txid bigint',
      '_kafka_topic text NOT NULL',
      '_kafka_partition integer NOT NULL',
      '_kafka_offset bigint NOT NULL',
    ].join(', ')})`,
  );
  // One current version per key (and the lookup of it); the newest event per key (duplicates);
  // versions by time (point in time).
  await client.query(`CREATE UNIQUE INDEX ON ${target} (${keys}) WHERE is_current`);
  await client.query(`CREATE INDEX ON ${target} (${keys}, _source_lsn)`);
  await client.query(`CREATE INDEX ON ${target} (valid_from, valid_to)`);
  await client.query(`COMMENT ON TABLE ${target} IS 'SCD2 history of ${plan.table.schema}.${plan.table.table}, maintained by cdc sink postgres'`);
  // A new history has no version: its applied LSN starts at 0 (cdc_sink.applied raises it).
  await client.query(`DELETE FROM cdc_sink.applied WHERE target_schema = $1 AND history_table = $2`, [history.schema, history.table]);
  await client.query(
    `INSERT INTO cdc_sink.tables (target_schema, history_table, source_schema, source_table, key_columns, applied_lsn) VALUES ($1, $2, $3, $4, $5, 0)`,
    [history.schema, history.table, plan.table.schema, plan.table.table, plan.keyColumns],
  );
  const table: HistoryTable = { history, keyColumns: plan.keyColumns, columns, truncateLsn: null };
  return mirror ? addMirror(client, table, mirror) : table;
}

/** `--current`: a plain table of the current rows, filled from the history's current versions. */
async function addMirror(client: Client, table: HistoryTable, mirror: QualifiedName): Promise<HistoryTable> {
  await lockDdl(client);
  const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [quoteQualified(mirror)]);
  if (exists.rows[0].found) {
    throw new SinkSchemaError(
      `table ${mirror.schema}.${mirror.table} exists and was not created by cdc sink: --current will not write into it`,
      'sink into another --target-schema (the source table itself may live there)',
    );
  }
  const columns = [...table.columns].map(([name, type]) => `${quoteIdent(name)} ${type}`);
  const list = [...table.columns.keys()].map(quoteIdent).join(', ');
  await client.query(`CREATE TABLE ${quoteQualified(mirror)} (${columns.join(', ')}, PRIMARY KEY (${table.keyColumns.map(quoteIdent).join(', ')}))`);
  await client.query(`INSERT INTO ${quoteQualified(mirror)} (${list}) SELECT ${list} FROM ${quoteQualified(table.history)} WHERE is_current`);
  await client.query(`UPDATE cdc_sink.tables SET mirror_table = $3 WHERE target_schema = $1 AND history_table = $2`, [
    table.history.schema,
    table.history.table,
    mirror.table,
  ]);
  return { ...table, mirror };
}
