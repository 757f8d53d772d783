/**
 * Replication slots: what exists, how much WAL each one holds back, and dropping an inactive one.
 * An inactive slot keeps every WAL segment since its restart_lsn, so a forgotten connector's slot
 * eventually fills the disk; this is what `cdc pg slots` is for.
 */
import type { Client } from 'pg';
import { NotFoundError, ServiceError } from '../errors';

export interface SlotInfo {
  name: string;
  plugin: string | null;
  type: string;
  database: string | null;
  active: boolean;
  activePid: number | null;
  /** WAL bytes the slot keeps from being recycled (null when unknown, e.g. never used). */
  retainedBytes: number | null;
  walStatus: string | null;
  restartLsn: string | null;
  confirmedFlushLsn: string | null;
}

/** A slot looked up by name: absent, or what `listSlots` knows of it. */
export type SlotLookup = Pick<SlotInfo, 'name'> & Partial<SlotInfo> & { exists: boolean };

export interface SlotFilter {
  name?: string;
  /** Only the logical slots of the database connected to (a consumer's slot lives there). */
  thisDatabase?: boolean;
}

export async function listSlots(client: Client, filter: SlotFilter = {}): Promise<SlotInfo[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.name !== undefined) {
    params.push(filter.name);
    where.push(`slot_name = $${params.length}`);
  }
  if (filter.thisDatabase) where.push('database = current_database()');
  // On a standby pg_current_wal_lsn() fails; the last replayed position stands in for it.
  // wal_status exists from PostgreSQL 13: read through to_jsonb so older servers get null, not an error.
  const result = await client.query<{
    slot_name: string;
    plugin: string | null;
    slot_type: string;
    database: string | null;
    active: boolean;
    active_pid: number | null;
    retained: string | null;
    wal_status: string | null;
    restart_lsn: string | null;
    confirmed_flush_lsn: string | null;
  }>(
    `SELECT slot_name, plugin, slot_type, database, active, active_pid,
            pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::bigint::text AS retained,
            to_jsonb(s) ->> 'wal_status' AS wal_status, restart_lsn::text, confirmed_flush_lsn::text
       FROM pg_replication_slots s ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY slot_name`,
    params,
  );
  return result.rows.map((r) => ({
    name: r.slot_name,
    plugin: r.plugin,
    type: r.slot_type,
    database: r.database,
    active: r.active,
    activePid: r.active_pid,
    retainedBytes: r.retained === null ? null : Number(r.retained),
    walStatus: r.wal_status,
    restartLsn: r.restart_lsn,
    confirmedFlushLsn: r.confirmed_flush_lsn,
  }));
}

export async function findSlot(client: Client, name: string): Promise<SlotInfo> {
  const [slot] = await listSlots(client, { name });
  if (!slot) throw new NotFoundError(`no replication slot named ${JSON.stringify(name)}`, 'list them with `cdc pg slots`');
  return slot;
}

/** Drops an inactive slot. An active one belongs to a running connector and is refused. */
export async function dropSlot(client: Client, name: string): Promise<SlotInfo> {
  const slot = await findSlot(client, name);
  if (slot.active) {
    throw new ServiceError(`replication slot ${name} is active (used by server process ${slot.activePid})`, {
      hint: 'stop the connector that reads it first (`cdc connector stop NAME` or delete it), then drop the slot',
    });
  }
  await client.query('SELECT pg_drop_replication_slot($1)', [name]);
  return slot;
}

/** The slot of this name in the connected database, or `exists: false`. */
export async function lookupSlot(client: Client, name: string): Promise<SlotLookup> {
  const [slot] = await listSlots(client, { name, thisDatabase: true });
  return slot ? { ...slot, exists: true } : { name, exists: false };
}

export interface WaitOptions {
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Looks the slot up until nothing uses it or the time is up: right after a connector is deleted
 * its task may still be shutting down and holding the slot.
 */
export async function lookupSlotWhenReleased(client: Client, name: string, options: WaitOptions): Promise<SlotLookup> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let slot = await lookupSlot(client, name);
  while (slot.exists && slot.active && now() < deadline) {
    await sleep(250);
    slot = await lookupSlot(client, name);
  }
  return slot;
}

/**
 * Drops the slot once its user has let go of it; false when there was no such slot. A slot still
 * in use when the time is up is refused, as `dropSlot` refuses an active one.
 */
export async function dropSlotWhenReleased(client: Client, name: string, options: WaitOptions): Promise<boolean> {
  const slot = await lookupSlotWhenReleased(client, name, options);
  if (!slot.exists) return false;
  if (slot.active) {
    throw new ServiceError(`replication slot '${name}' is still in use; not dropped`, { hint: 'another connector or client may be using it' });
  }
  await client.query('SELECT pg_drop_replication_slot($1)', [name]);
  return true;
}

/** Bytes for people: the one style of src/bytes.ts. */
export { formatBytes } from '../bytes';
