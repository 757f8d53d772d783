/**
 * `cdc pg check`: everything Debezium needs from a PostgreSQL server, item by item, each OK, WARN
 * or FAIL with the fix to apply. `fix: true` applies the fixes that are safe on a live database
 * (REPLICA IDENTITY, publication membership) and checks again; settings that need a restart and
 * role rights are only ever described, never applied.
 */
import type { Client } from 'pg';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from './identifiers';
import { formatBytes, listSlots } from './slots';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface CheckItem {
  check: string;
  /** The slot, publication or table the item is about, when there is one. */
  subject?: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a WARN or FAIL: SQL or a command. */
  fix?: string;
  /** The fix is safe to apply with --fix. */
  fixable?: boolean;
}

export interface AppliedFix {
  sql: string;
  ok: boolean;
  error?: string;
}

export interface CheckReport {
  serverVersion: string;
  user: string;
  database: string;
  items: CheckItem[];
  fixes: AppliedFix[];
  counts: Record<CheckStatus, number>;
}

export interface CheckOptions {
  tables: QualifiedName[];
  /** Publication to add named tables to (Debezium's default publication.name). */
  publication: string;
  fix: boolean;
}

/** An inactive slot holding more WAL than this is a warning even without max_slot_wal_keep_size. */
const RETAINED_WARN_BYTES = 1024 ** 3;

export async function runPgCheck(client: Client, options: CheckOptions): Promise<CheckReport> {
  let report = await inspect(client, options);
  if (!options.fix) return report;
  const fixes: AppliedFix[] = [];
  for (const sql of fixStatements(report.items, options)) {
    try {
      await client.query(sql);
      fixes.push({ sql, ok: true });
    } catch (err) {
      fixes.push({ sql, ok: false, error: (err as Error).message });
    }
  }
  if (fixes.length) report = await inspect(client, options);
  return { ...report, fixes };
}

async function inspect(client: Client, options: CheckOptions): Promise<CheckReport> {
  const items: CheckItem[] = [];
  const settings = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'server_version_num', 'wal_level', 'max_replication_slots', 'max_wal_senders', 'max_slot_wal_keep_size')`,
  );
  const s = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  const who = (await client.query<{ user: string; database: string }>('SELECT current_user AS user, current_database() AS database')).rows[0];

  const versionNum = Number(s.server_version_num);
  items.push(versionNum >= 100000
    ? { check: 'server_version', status: 'OK', detail: `PostgreSQL ${s.server_version} (pgoutput is built in)` }
    : { check: 'server_version', status: 'FAIL', detail: `PostgreSQL ${s.server_version}: logical decoding with pgoutput needs 10 or later`, fix: 'upgrade PostgreSQL' });

  items.push(s.wal_level === 'logical'
    ? { check: 'wal_level', status: 'OK', detail: 'logical' }
    : { check: 'wal_level', status: 'FAIL', detail: `${s.wal_level}: logical decoding needs wal_level = logical`, fix: 'ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL' });

  const slots = await listSlots(client);
  const maxSlots = Number(s.max_replication_slots);
  items.push(maxSlots === 0
    ? { check: 'max_replication_slots', status: 'FAIL', detail: '0: no replication slot can be created', fix: 'ALTER SYSTEM SET max_replication_slots = 10; then restart PostgreSQL' }
    : slots.length >= maxSlots
      ? { check: 'max_replication_slots', status: 'FAIL', detail: `all ${maxSlots} in use: a new connector cannot create its slot`, fix: `drop unused slots (cdc pg slots --drop NAME) or ALTER SYSTEM SET max_replication_slots = ${maxSlots * 2}; then restart` }
      : { check: 'max_replication_slots', status: 'OK', detail: `${maxSlots} (${slots.length} in use)` });

  const senders = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_replication')).rows[0].n);
  const maxSenders = Number(s.max_wal_senders);
  items.push(maxSenders === 0
    ? { check: 'max_wal_senders', status: 'FAIL', detail: '0: no connector can stream changes', fix: 'ALTER SYSTEM SET max_wal_senders = 10; then restart PostgreSQL' }
    : senders >= maxSenders
      ? { check: 'max_wal_senders', status: 'FAIL', detail: `all ${maxSenders} in use`, fix: `ALTER SYSTEM SET max_wal_senders = ${maxSenders * 2}; then restart PostgreSQL` }
      : { check: 'max_wal_senders', status: 'OK', detail: `${maxSenders} (${senders} in use)` });

  const role = (await client.query<{ rolcanlogin: boolean; rolreplication: boolean; rolsuper: boolean }>(
    'SELECT rolcanlogin, rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0];
  if (role.rolsuper || (role.rolreplication && role.rolcanlogin)) {
    items.push({ check: 'role', subject: who.user, status: 'OK', detail: role.rolsuper ? 'superuser (has LOGIN and REPLICATION)' : 'LOGIN and REPLICATION' });
  } else {
    const missing = [!role.rolcanlogin && 'LOGIN', !role.rolreplication && 'REPLICATION'].filter(Boolean).join(' and ');
    items.push({ check: 'role', subject: who.user, status: 'FAIL', detail: `lacks ${missing}: Debezium cannot open a replication connection as this role`,
      fix: `as a superuser: ALTER ROLE ${quoteIdent(who.user)} WITH ${missing.replace(' and ', ' ')}` });
  }

  const keepSize = Number(s.max_slot_wal_keep_size ?? -1);
  if (slots.length === 0) items.push({ check: 'replication_slots', status: 'OK', detail: 'none' });
  for (const slot of slots) {
    const retained = formatBytes(slot.retainedBytes);
    const base = `${slot.type}${slot.plugin ? ` (${slot.plugin})` : ''}${slot.database ? ` on ${slot.database}` : ''}, ${slot.active ? 'active' : 'inactive'}, retains ${retained} of WAL`;
    if (slot.walStatus === 'lost') {
      items.push({ check: 'replication_slot', subject: slot.name, status: 'FAIL', detail: `${base}; its WAL is lost, the connector cannot resume from it`,
        fix: `cdc pg slots --drop ${slot.name}, then restart the connector with a new snapshot` });
    } else if (!slot.active) {
      const unbounded = keepSize < 0 ? ' (max_slot_wal_keep_size = -1: without bound)' : '';
      items.push({ check: 'replication_slot', subject: slot.name, status: 'WARN',
        detail: `${base}${unbounded}${(slot.retainedBytes ?? 0) > RETAINED_WARN_BYTES ? '; that is a lot' : ''}`,
        fix: `resume its connector, or if nothing uses it: cdc pg slots --drop ${slot.name}` });
    } else {
      items.push({ check: 'replication_slot', subject: slot.name, status: 'OK', detail: base });
    }
  }

  const pubs = await client.query<{ pubname: string; puballtables: boolean; schemas: string[] | null; tablenames: string[] | null }>(
    `SELECT p.pubname, p.puballtables,
            array_agg(pt.schemaname::text ORDER BY pt.schemaname, pt.tablename) FILTER (WHERE pt.tablename IS NOT NULL) AS schemas,
            array_agg(pt.tablename::text ORDER BY pt.schemaname, pt.tablename) FILTER (WHERE pt.tablename IS NOT NULL) AS tablenames
       FROM pg_publication p LEFT JOIN pg_publication_tables pt ON pt.pubname = p.pubname
      GROUP BY p.pubname, p.puballtables ORDER BY p.pubname`);
  if (pubs.rowCount === 0) items.push({ check: 'publications', status: 'OK', detail: 'none (Debezium creates one when it starts)' });
  const published = new Map<string, string[]>();
  for (const pub of pubs.rows) {
    const names = (pub.schemas ?? []).map((schema, i) => displayName({ schema, table: (pub.tablenames ?? [])[i] }));
    (pub.schemas ?? []).forEach((schema, i) => {
      const key = JSON.stringify([schema, (pub.tablenames ?? [])[i]]);
      published.set(key, [...(published.get(key) ?? []), pub.pubname]);
    });
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} … (${names.length} tables)` : names.join(', ');
    items.push({ check: 'publication', subject: pub.pubname, status: 'OK',
      detail: pub.puballtables ? 'FOR ALL TABLES' : names.length ? shown : 'no tables' });
  }

  const publicationExists = pubs.rows.some((p) => p.pubname === options.publication);
  for (const table of options.tables) items.push(...await tableItems(client, table, published, options.publication, publicationExists));
  if (options.tables.length === 0) items.push(await tablesWithoutKey(client));

  const counts: Record<CheckStatus, number> = { OK: 0, WARN: 0, FAIL: 0 };
  for (const item of items) counts[item.status] += 1;
  return { serverVersion: s.server_version, user: who.user, database: who.database, items, fixes: [], counts };
}

async function tableItems(client: Client, table: QualifiedName, published: Map<string, string[]>, publication: string, publicationExists: boolean): Promise<CheckItem[]> {
  const subject = displayName(table);
  const found = await client.query<{ relreplident: string; has_pk: boolean }>(
    `SELECT c.relreplident,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, [table.schema, table.table]);
  if (found.rowCount === 0) {
    return [{ check: 'table', subject, status: 'FAIL', detail: 'does not exist', fix: 'create it (e.g. cdc seed holdings / cdc seed customers) or check the name' }];
  }
  const { relreplident, has_pk: hasPk } = found.rows[0];
  const items: CheckItem[] = [];
  const full = `ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`;
  if (relreplident === 'f') items.push({ check: 'replica_identity', subject, status: 'OK', detail: 'FULL: updates and deletes carry the whole old row' });
  else if (relreplident === 'i') items.push({ check: 'replica_identity', subject, status: 'OK', detail: 'USING INDEX: old rows carry the index columns' });
  else if (relreplident === 'd' && hasPk) {
    items.push({ check: 'replica_identity', subject, status: 'WARN', detail: 'DEFAULT: "before" holds only the primary key; old values of other columns are lost', fix: full, fixable: true });
  } else {
    items.push({ check: 'replica_identity', subject, status: 'FAIL',
      detail: relreplident === 'n' ? 'NOTHING: updates and deletes carry no old row' : 'DEFAULT without a primary key: UPDATE and DELETE fail once the table is published',
      fix: full, fixable: true });
  }
  items.push(hasPk
    ? { check: 'primary_key', subject, status: 'OK', detail: 'present' }
    : { check: 'primary_key', subject, status: 'WARN', detail: 'none: Debezium emits change events with a null key, so Kafka cannot keep one row\'s changes in order per key', fix: `ALTER TABLE ${quoteQualified(table)} ADD PRIMARY KEY (…)` });
  const pubsOfTable = published.get(JSON.stringify([table.schema, table.table])) ?? [];
  items.push(pubsOfTable.length
    ? { check: 'published', subject, status: 'OK', detail: `in ${pubsOfTable.join(', ')}` }
    : { check: 'published', subject, status: 'WARN', detail: 'in no publication: Debezium adds it only if its role owns the table (publication.autocreate.mode=filtered)',
      fix: publicationSql(publication, publicationExists, [table]), fixable: true });
  return items;
}

async function tablesWithoutKey(client: Client): Promise<CheckItem> {
  const result = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
      ORDER BY 1, 2`);
  if (result.rowCount === 0) return { check: 'primary_keys', status: 'OK', detail: 'every table has a primary key' };
  const names = result.rows.map((r) => displayName(r));
  return { check: 'primary_keys', status: 'WARN',
    detail: `${names.length} table(s) without a primary key: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ' …' : ''} (their change events have null keys)`,
    fix: 'add primary keys, and REPLICA IDENTITY FULL for those you capture (cdc pg check --table schema.table --fix)' };
}

/** The SQL for the safe fixes the items call for. */
function fixStatements(items: CheckItem[], options: CheckOptions): string[] {
  const statements: string[] = [];
  const toPublish: QualifiedName[] = [];
  for (const item of items) {
    if (!item.fixable || item.status === 'OK' || !item.subject) continue;
    const table = options.tables.find((t) => displayName(t) === item.subject);
    if (!table) continue;
    if (item.check === 'replica_identity') statements.push(`ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`);
    if (item.check === 'published') toPublish.push(table);
  }
  if (toPublish.length) {
    const exists = items.some((i) => i.check === 'publication' && i.subject === options.publication);
    statements.push(publicationSql(options.publication, exists, toPublish));
  }
  return statements;
}

function publicationSql(publication: string, exists: boolean, tables: QualifiedName[]): string {
  const list = tables.map(quoteQualified).join(', ');
  return exists ? `ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list}` : `CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`;
}
