/**
 * Making sure the target table exists before rows go in, and learning what the loader needs to
 * know about it: its key (for upserts), whether it is empty (then the plain COPY path is safe)
 * and its REPLICA IDENTITY (Debezium's `before` images depend on it).
 */
import type { Client } from 'pg';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';

export type ReplicaIdentity = 'full' | 'default' | 'index' | 'nothing';

const IDENTITY_CODES: Record<string, ReplicaIdentity> = { f: 'full', d: 'default', i: 'index', n: 'nothing' };

export interface TableInfo {
  oid: number;
  replicaIdentity: ReplicaIdentity;
  primaryKey: string[];
}

export async function tableInfo(client: Client, table: QualifiedName): Promise<TableInfo | undefined> {
  const found = await client.query<{ oid: number; relreplident: string }>(
    `SELECT c.oid::int AS oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [table.schema, table.table],
  );
  if (found.rowCount === 0) return undefined;
  const { oid, relreplident } = found.rows[0];
  const key = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = $1 AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [oid],
  );
  return { oid, replicaIdentity: IDENTITY_CODES[relreplident] ?? 'default', primaryKey: key.rows.map((r) => r.attname) };
}

export interface PreparedTable extends TableInfo {
  created: boolean;
  empty: boolean;
  warnings: string[];
}

/**
 * Creates the table (and its schema) when missing, in one transaction with its REPLICA IDENTITY,
 * so a connector never sees it half set up. An existing table is left as it is; a different
 * identity than asked for becomes a warning with the command that fixes it.
 */
export async function prepareTable(
  client: Client,
  table: QualifiedName,
  createSql: () => string,
  identity: 'full' | 'default',
): Promise<PreparedTable> {
  const existing = await tableInfo(client, table);
  if (existing) {
    const empty = (await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${quoteQualified(table)}) AS empty`)).rows[0].empty;
    const warnings: string[] = [];
    if (identity === 'full' && existing.replicaIdentity !== 'full') {
      warnings.push(`${displayName(table)} exists with REPLICA IDENTITY ${existing.replicaIdentity.toUpperCase()}: updates and deletes will carry no full "before" image; ` +
        `fix it with: cdc pg check --table ${displayName(table)} --fix`);
    }
    return { ...existing, created: false, empty, warnings };
  }
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`);
    await client.query(createSql());
    if (identity === 'full') await client.query(`ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  const info = await tableInfo(client, table);
  if (!info) throw new Error(`table ${displayName(table)} vanished right after it was created`);
  return { ...info, created: true, empty: true, warnings: [] };
}
