/**
 * The publication and table items of `cdc pg check`: publications and their tables, and for each
 * named table its existence, REPLICA IDENTITY, primary key and publication membership. The
 * identity and publication fixes are the safe ones --fix applies.
 */
import type { Client } from 'pg';
import type { CheckItem } from './check-items';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from './identifiers';
import { publicationSql } from './publications';

/** `publication`: the connector's (from --name or --publication); undefined when not said. */
export async function publicationAndTableItems(client: Client, tables: QualifiedName[], publication: string | undefined): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const pubs = await client.query<{ pubname: string; puballtables: boolean; schemas: string[] | null; tablenames: string[] | null }>(
    `SELECT p.pubname, p.puballtables,
            array_agg(pt.schemaname::text ORDER BY pt.schemaname, pt.tablename) FILTER (WHERE pt.tablename IS NOT NULL) AS schemas,
            array_agg(pt.tablename::text ORDER BY pt.schemaname, pt.tablename) FILTER (WHERE pt.tablename IS NOT NULL) AS tablenames
       FROM pg_publication p LEFT JOIN pg_publication_tables pt ON pt.pubname = p.pubname
      GROUP BY p.pubname, p.puballtables ORDER BY p.pubname`,
  );
  if (pubs.rowCount === 0) items.push({ check: 'publications', status: 'OK', detail: 'none (Debezium creates one when it starts)' });
  const published = new Map<string, string[]>();
  for (const pub of pubs.rows) {
    const names = (pub.schemas ?? []).map((schema, i) => displayName({ schema, table: (pub.tablenames ?? [])[i] }));
    (pub.schemas ?? []).forEach((schema, i) => {
      const key = JSON.stringify([schema, (pub.tablenames ?? [])[i]]);
      published.set(key, [...(published.get(key) ?? []), pub.pubname]);
    });
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} … (${names.length} tables)` : names.join(', ');
    items.push({ check: 'publication', subject: pub.pubname, status: 'OK', detail: pub.puballtables ? 'FOR ALL TABLES' : names.length ? shown : 'no tables' });
  }

  const publicationExists = pubs.rows.some((p) => p.pubname === publication);
  for (const table of tables) items.push(...(await tableItems(client, table, published, publication, publicationExists)));
  if (tables.length === 0) items.push(await tablesWithoutKey(client));

  return items;
}

async function tableItems(
  client: Client,
  table: QualifiedName,
  published: Map<string, string[]>,
  publication: string | undefined,
  publicationExists: boolean,
): Promise<CheckItem[]> {
  const subject = displayName(table);
  const found = await client.query<{
    relreplident: string;
    has_pk: boolean;
    owner: string;
    me: string;
    owns: boolean;
    can_create: boolean;
    can_select: boolean;
  }>(
    `SELECT c.relreplident,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
            pg_get_userbyid(c.relowner) AS owner, current_user AS me, pg_has_role(c.relowner, 'USAGE') AS owns,
            has_database_privilege(current_database(), 'CREATE') AS can_create,
            has_table_privilege(c.oid, 'SELECT') AS can_select
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [table.schema, table.table],
  );
  if (found.rowCount === 0) {
    return [
      { check: 'table', subject, status: 'FAIL', detail: 'does not exist', fix: 'create it (e.g. cdc seed holdings / cdc seed customers) or check the name' },
    ];
  }
  const { relreplident, has_pk: hasPk, owner, me, owns, can_create: canCreate, can_select: canSelect } = found.rows[0];
  const items: CheckItem[] = [];
  if (!canSelect) {
    items.push({
      check: 'select_privilege',
      subject,
      status: 'FAIL',
      detail: 'the connecting role cannot read it: the initial snapshot fails',
      fix: `as ${owner} or a superuser: GRANT SELECT ON ${quoteQualified(table)} TO ${quoteIdent(me)}`,
    });
  }
  const full = `ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`;
  if (relreplident === 'f') items.push({ check: 'replica_identity', subject, status: 'OK', detail: 'FULL: updates and deletes carry the whole old row' });
  else if (relreplident === 'i') items.push({ check: 'replica_identity', subject, status: 'OK', detail: 'USING INDEX: old rows carry the index columns' });
  else if (relreplident === 'd' && hasPk) {
    items.push({
      check: 'replica_identity',
      subject,
      status: 'WARN',
      detail: 'DEFAULT: "before" holds only the primary key; old values of other columns are lost',
      fix: full,
      fixable: true,
    });
  } else {
    items.push({
      check: 'replica_identity',
      subject,
      status: 'FAIL',
      detail:
        relreplident === 'n'
          ? 'NOTHING: updates and deletes carry no old row'
          : 'DEFAULT without a primary key: UPDATE and DELETE fail once the table is published',
      fix: full,
      fixable: true,
    });
  }
  items.push(
    hasPk
      ? { check: 'primary_key', subject, status: 'OK', detail: 'present' }
      : {
          check: 'primary_key',
          subject,
          status: 'WARN',
          detail: "none: Debezium emits change events with a null key, so Kafka cannot keep one row's changes in order per key",
          fix: `ALTER TABLE ${quoteQualified(table)} ADD PRIMARY KEY (…)`,
        },
  );
  const pubsOfTable = published.get(JSON.stringify([table.schema, table.table])) ?? [];
  // Adding a table to a publication takes owning it (and CREATE on the database for a new one):
  // Debezium, connecting as this role, fails with "must be owner of table" otherwise.
  const canPublish = owns && (publicationExists || canCreate);
  const sql = publication === undefined ? undefined : publicationSql(publication, publicationExists, [table]);
  // Without a publication name, the fix is the command that names one by the connector's name.
  const setup = `cdc pg setup --name CONNECTOR --table ${subject}`;
  if (publication !== undefined && pubsOfTable.includes(publication))
    items.push({ check: 'published', subject, status: 'OK', detail: `in ${pubsOfTable.join(', ')}` });
  else if (publication === undefined && pubsOfTable.length) items.push({ check: 'published', subject, status: 'OK', detail: `in ${pubsOfTable.join(', ')}` });
  else if (canPublish) {
    const elsewhere = pubsOfTable.length ? `in ${pubsOfTable.join(', ')} but not in ${publication}` : 'in no publication yet';
    items.push({
      check: 'published',
      subject,
      status: 'WARN',
      detail: `${elsewhere}: Debezium adds it when it starts (publication.autocreate.mode=filtered), or --fix does now`,
      ...(sql ? { fix: sql, fixable: true } : { fix: `${setup} (or --name CONNECTOR --fix here)` }),
    });
  } else {
    const why = owns ? 'lacks CREATE on the database to create the publication' : `does not own it (${owner} does)`;
    items.push({
      check: 'published',
      subject,
      status: 'FAIL',
      detail: `${pubsOfTable.length ? `not in ${publication}` : 'in no publication'}, and the connecting role ${why}: Debezium's publication step fails ("must be owner of table")`,
      fix: `as ${owner} or a superuser: ${sql ?? setup}`,
    });
  }
  return items;
}

async function tablesWithoutKey(client: Client): Promise<CheckItem> {
  const result = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
      ORDER BY 1, 2`,
  );
  if (result.rowCount === 0) return { check: 'primary_keys', status: 'OK', detail: 'every table has a primary key' };
  const names = result.rows.map((r) => displayName(r));
  return {
    check: 'primary_keys',
    status: 'WARN',
    detail: `${names.length} table(s) without a primary key: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ' …' : ''} (their change events have null keys)`,
    fix: 'add primary keys, and REPLICA IDENTITY FULL for those you capture (cdc pg check --table schema.table --fix)',
  };
}
