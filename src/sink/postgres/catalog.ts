/**
 * The sink's own tables in the target, schema `cdc_sink`: `offsets` (per group, topic and
 * partition: the next offset to read, written in the transaction that wrote the rows) and `tables`
 * (the history tables the sink manages: key columns, last truncate applied).
 */
import type { Client } from 'pg';
import type { PartitionOffset } from '../offsets';

export const CATALOG_SCHEMA = 'cdc_sink';
/** pg_advisory_xact_lock key for the sink's DDL, so that two members never create a table twice. */
const DDL_LOCK = 0x63646373; // 'cdcs'

export async function ensureCatalog(client: Client): Promise<void> {
  const { rows } = await client.query<{ ready: boolean }>(
    `SELECT to_regclass('cdc_sink.offsets') IS NOT NULL AND to_regclass('cdc_sink.tables') IS NOT NULL AS ready`,
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

export function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
