/**
 * The sink's own tables in the target, schema `cdc_sink`: `offsets` (per group, topic and
 * partition: the next offset to read, written in the transaction that wrote the rows), `tables`
 * (the history tables the sink manages: key columns, last truncate applied) and `applied` (per
 * history table and per partition that writes into it: the highest source LSN applied, so that
 * only events at or below it need the per-key duplicate check).
 */
import type { Client } from 'pg';
import type { PartitionOffset } from '../offsets';

export const CATALOG_SCHEMA = 'cdc_sink';
/** pg_advisory_xact_lock key for the sink's DDL, so that two members never create a table twice. */
const DDL_LOCK = 0x63646373; // 'cdcs'

export async function ensureCatalog(client: Client): Promise<void> {
  const { rows } = await client.query<{ ready: boolean }>(
    `SELECT to_regclass('cdc_sink.offsets') IS NOT NULL AND to_regclass('cdc_sink.applied') IS NOT NULL AS ready`,
  );
  if (rows[0].ready) return;
  await client.query('BEGIN');
  try {
    await lockDdl(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS cdc_sink`);
    await client.query(`CREATE TABLE IF NOT EXISTS cdc_sink.offsets (
      group_id text NOT NULL, topic text NOT NULL, partition integer NOT NULL,
      next_offset bigint, last_lsn bigint, events bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, topic, partition))`);
    await client.query(`CREATE TABLE IF NOT EXISTS cdc_sink.tables (
      target_schema text NOT NULL, history_table text NOT NULL,
      source_schema text NOT NULL, source_table text NOT NULL,
      key_columns text[] NOT NULL, mirror_table text, truncate_lsn bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (target_schema, history_table))`);
    // applied_lsn: where `applied` starts. NULL for histories written before it existed, until
    // readTable sets it from the history's highest LSN (until then every event is checked).
    await client.query(`ALTER TABLE cdc_sink.tables ADD COLUMN IF NOT EXISTS applied_lsn bigint`);
    // One row per writer (the member holding the partition's offsets row), so that members of a
    // group writing one table never wait for each other on a shared row.
    await client.query(`CREATE TABLE IF NOT EXISTS cdc_sink.applied (
      target_schema text NOT NULL, history_table text NOT NULL,
      group_id text NOT NULL, topic text NOT NULL, partition integer NOT NULL, applied_lsn bigint NOT NULL,
      PRIMARY KEY (target_schema, history_table, group_id, topic, partition))`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Serialises the sink's DDL across processes until the transaction ends. */
export async function lockDdl(client: Client): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
}

export async function storedOffsets(client: Client, group: string, topics: readonly string[]): Promise<PartitionOffset[]> {
  const { rows } = await client.query(
    `SELECT topic, partition, next_offset::text AS next FROM cdc_sink.offsets
     WHERE group_id = $1 AND topic = ANY($2) AND next_offset IS NOT NULL ORDER BY topic, partition`,
    [group, topics],
  );
  return rows.map((r: { topic: string; partition: number; next: string }) => ({ topic: r.topic, partition: r.partition, nextOffset: r.next }));
}

/**
 * Locks the offsets rows of these partitions for the transaction (creating missing ones) and
 * returns the stored next offsets. A member that lost a partition in a rebalance waits here for
 * the one that has it, then sees how far it got.
 */
export async function lockOffsets(
  client: Client,
  group: string,
  partitions: readonly { topic: string; partition: number }[],
): Promise<Map<string, bigint | null>> {
  const sorted = [...partitions].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const topics = sorted.map((p) => p.topic);
  const numbers = sorted.map((p) => p.partition);
  await client.query(
    `INSERT INTO cdc_sink.offsets (group_id, topic, partition) SELECT $1, t, p FROM unnest($2::text[], $3::int[]) AS u(t, p)
     ON CONFLICT DO NOTHING`,
    [group, topics, numbers],
  );
  const { rows } = await client.query(
    `SELECT topic, partition, next_offset::text AS next FROM cdc_sink.offsets o
     WHERE group_id = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))
     ORDER BY topic, partition FOR UPDATE`,
    [group, topics, numbers],
  );
  const stored = new Map<string, bigint | null>();
  for (const r of rows as { topic: string; partition: number; next: string | null }[])
    stored.set(partitionId(r.topic, r.partition), r.next === null ? null : BigInt(r.next));
  return stored;
}

export interface OffsetUpdate extends PartitionOffset {
  lastLsn: bigint | null;
  events: number;
}

export async function saveOffsets(client: Client, group: string, updates: readonly OffsetUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await client.query(
    `UPDATE cdc_sink.offsets o SET next_offset = u.next, last_lsn = COALESCE(u.lsn, o.last_lsn), events = o.events + u.events, updated_at = now()
     FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u(topic, partition, next, lsn, events)
     WHERE o.group_id = $1 AND o.topic = u.topic AND o.partition = u.partition`,
    [
      group,
      updates.map((u) => u.topic),
      updates.map((u) => u.partition),
      updates.map((u) => u.nextOffset),
      updates.map((u) => (u.lastLsn === null ? null : u.lastLsn.toString())),
      updates.map((u) => u.events),
    ],
  );
}

/**
 * The highest LSN a history's versions can have: none of its versions is above it, so an event
 * beyond it cannot be a duplicate or stale, whichever topic, partition or group applied the
 * versions (a re-sent event, a second group, a key that moved partition are all at or below it).
 * A SQL expression with the history's schema and table as $1 and $2; the largest bigint (check
 * everything) while it is unknown.
 */
export const APPLIED_LSN = `coalesce((SELECT GREATEST(t.applied_lsn, (SELECT max(a.applied_lsn) FROM cdc_sink.applied a
    WHERE a.target_schema = t.target_schema AND a.history_table = t.history_table))
  FROM cdc_sink.tables t WHERE t.target_schema = $1 AND t.history_table = $2 AND t.applied_lsn IS NOT NULL), 9223372036854775807)`;

/** Raises the applied LSN of these partitions in one history (in the transaction that wrote the versions). */
export async function saveApplied(
  client: Client,
  history: { schema: string; table: string },
  group: string,
  rows: readonly { topic: string; partition: number; lsn: bigint }[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO cdc_sink.applied AS a (target_schema, history_table, group_id, topic, partition, applied_lsn)
     SELECT $1, $2, $3, u.topic, u.partition, u.lsn FROM unnest($4::text[], $5::int[], $6::bigint[]) AS u(topic, partition, lsn)
     ON CONFLICT (target_schema, history_table, group_id, topic, partition) DO UPDATE SET applied_lsn = GREATEST(a.applied_lsn, EXCLUDED.applied_lsn)`,
    [history.schema, history.table, group, rows.map((r) => r.topic), rows.map((r) => r.partition), rows.map((r) => r.lsn.toString())],
  );
}

export function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
