/**
 * The target table: how to create it when missing, and what the loader needs to know about it: its key (for upserts), whether it is empty (then the plain COPY path is safe)
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

export interface PreparedTable {
  /** Primary key columns (of the table to be created, when `created`). */
  primaryKey: string[];
  replicaIdentity: ReplicaIdentity;
  /** The table does not exist yet: `createSql` makes it, in the caller's transaction. */
  created: boolean;
  empty: boolean;
  /** CREATE SCHEMA / TABLE / REPLICA IDENTITY for a new table; empty for an existing one. */
  createSql: string[];
  warnings: string[];
}

export interface TableDefinition {
  sql: () => string;
  primaryKey: string[];
}

/**
 * What the load needs to know about its table, without changing anything: an existing table is
 * described (a different identity than asked for becomes a warning with the fix); a missing one
 * comes with the statements that create it, which the caller runs in the transaction of its first
 * rows, so a load that fails there leaves no empty table behind and a connector never sees the
 * table half set up.
 */
export async function planTable(client: Client, table: QualifiedName, definition: TableDefinition, identity: 'full' | 'default'): Promise<PreparedTable> {
  const existing = await tableInfo(client, table);
  if (existing) {
    const empty = (await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${quoteQualified(table)}) AS empty`)).rows[0].empty;
    const warnings: string[] = [];
    if (identity === 'full' && existing.replicaIdentity !== 'full') {
      warnings.push(
        `${displayName(table)} exists with REPLICA IDENTITY ${existing.replicaIdentity.toUpperCase()}: updates and deletes will carry no full "before" image; ` +
          `fix it with: cdc pg check --table ${displayName(table)} --fix`,
      );
    }
    return { primaryKey: existing.primaryKey, replicaIdentity: existing.replicaIdentity, created: false, empty, createSql: [], warnings };
  }
  const createSql = [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`, definition.sql()];
  if (identity === 'full') createSql.push(`ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`);
  return { primaryKey: definition.primaryKey, replicaIdentity: identity, created: true, empty: true, createSql, warnings: [] };
}

/** `planTable`, and a missing table created at once in a transaction of its own. */
export async function prepareTable(client: Client, table: QualifiedName, definition: TableDefinition, identity: 'full' | 'default'): Promise<PreparedTable> {
  const plan = await planTable(client, table, definition, identity);
  if (!plan.created) return plan;
  await client.query('BEGIN');
  try {
    for (const sql of plan.createSql) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return { ...plan, createSql: [] };
}
