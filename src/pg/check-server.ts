/**
 * The server-wide items of `cdc pg check`: version, wal_level, slots and senders left, the role's
 * rights, and every replication slot with the WAL it holds back. None of their fixes is applied by
 * --fix: they need a restart or a superuser.
 */
import type { Client } from 'pg';
import type { CheckItem } from './check-items';
import { quoteIdent } from './identifiers';
import { formatBytes, listSlots, type SlotInfo } from './slots';

/** An inactive slot holding more WAL than this is called out even without max_slot_wal_keep_size. */
const RETAINED_WARN_BYTES = 1024 ** 3;

export interface ServerCheck {
  serverVersion: string;
  user: string;
  database: string;
  items: CheckItem[];
}

export async function serverItems(client: Client, options: { slot?: string } = {}): Promise<ServerCheck> {
  const items: CheckItem[] = [];
  const settings = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'server_version_num', 'wal_level', 'max_replication_slots', 'max_wal_senders', 'max_slot_wal_keep_size')`,
  );
  const s = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  const who = (await client.query<{ user: string; database: string }>('SELECT current_user AS user, current_database() AS database')).rows[0];

  const versionNum = Number(s.server_version_num);
  items.push(
    versionNum >= 100000
      ? { check: 'server_version', status: 'OK', detail: `PostgreSQL ${s.server_version} (pgoutput is built in)` }
      : {
          check: 'server_version',
          status: 'FAIL',
          detail: `PostgreSQL ${s.server_version}: logical decoding with pgoutput needs 10 or later`,
          fix: 'upgrade PostgreSQL',
        },
  );

  items.push(
    s.wal_level === 'logical'
      ? { check: 'wal_level', status: 'OK', detail: 'logical' }
      : {
          check: 'wal_level',
          status: 'FAIL',
          detail: `${s.wal_level}: logical decoding needs wal_level = logical`,
          fix: 'ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL',
        },
  );

  const slots = await listSlots(client);
  const maxSlots = Number(s.max_replication_slots);
  items.push(
    maxSlots === 0
      ? {
          check: 'max_replication_slots',
          status: 'FAIL',
          detail: '0: no replication slot can be created',
          fix: 'ALTER SYSTEM SET max_replication_slots = 10; then restart PostgreSQL',
        }
      : slots.length >= maxSlots
        ? {
            check: 'max_replication_slots',
            status: 'FAIL',
            detail: `all ${maxSlots} in use: a new connector cannot create its slot`,
            fix: `drop unused slots (cdc pg slots --drop NAME) or ALTER SYSTEM SET max_replication_slots = ${maxSlots * 2}; then restart`,
          }
        : { check: 'max_replication_slots', status: 'OK', detail: `${maxSlots} (${slots.length} in use)` },
  );

  const senders = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_replication')).rows[0].n);
  const maxSenders = Number(s.max_wal_senders);
  items.push(
    maxSenders === 0
      ? {
          check: 'max_wal_senders',
          status: 'FAIL',
          detail: '0: no connector can stream changes',
          fix: 'ALTER SYSTEM SET max_wal_senders = 10; then restart PostgreSQL',
        }
      : senders >= maxSenders
        ? {
            check: 'max_wal_senders',
            status: 'FAIL',
            detail: `all ${maxSenders} in use`,
            fix: `ALTER SYSTEM SET max_wal_senders = ${maxSenders * 2}; then restart PostgreSQL`,
          }
        : { check: 'max_wal_senders', status: 'OK', detail: `${maxSenders} (${senders} in use)` },
  );

  const role = (
    await client.query<{ rolcanlogin: boolean; rolreplication: boolean; rolsuper: boolean }>(
      'SELECT rolcanlogin, rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user',
    )
  ).rows[0];
  if (role.rolsuper || (role.rolreplication && role.rolcanlogin)) {
    items.push({ check: 'role', subject: who.user, status: 'OK', detail: role.rolsuper ? 'superuser (has LOGIN and REPLICATION)' : 'LOGIN and REPLICATION' });
  } else {
    const missing = [!role.rolcanlogin && 'LOGIN', !role.rolreplication && 'REPLICATION'].filter(Boolean).join(' and ');
    items.push({
      check: 'role',
      subject: who.user,
      status: 'FAIL',
      detail: `lacks ${missing}: Debezium cannot open a replication connection as this role`,
      fix: `as a superuser: ALTER ROLE ${quoteIdent(who.user)} WITH ${missing.replace(' and ', ' ')}`,
    });
  }

  const keepSize = Number(s.max_slot_wal_keep_size ?? -1);
  if (options.slot !== undefined) items.push(namedSlotItem(slots, options.slot, who.database));
  else {
    if (slots.length === 0) items.push({ check: 'replication_slots', status: 'OK', detail: 'none' });
    for (const slot of slots) items.push(slotItem(slot, keepSize));
  }

  return { serverVersion: s.server_version, user: who.user, database: who.database, items };
}

function describeSlot(slot: SlotInfo): string {
  return `${slot.type}${slot.plugin ? ` (${slot.plugin})` : ''}${slot.database ? ` on ${slot.database}` : ''}, ${slot.active ? 'active' : 'inactive'}, retains ${formatBytes(slot.retainedBytes)} of WAL`;
}

function slotItem(slot: SlotInfo, keepSize: number): CheckItem {
  const base = describeSlot(slot);
  if (slot.walStatus === 'lost') {
    return {
      check: 'replication_slot',
      subject: slot.name,
      status: 'FAIL',
      detail: `${base}; its WAL is lost, the connector cannot resume from it`,
      fix: `cdc pg slots --drop ${slot.name}, then restart the connector with a new snapshot`,
    };
  }
  if (!slot.active) {
    const unbounded = keepSize < 0 ? ' (max_slot_wal_keep_size = -1: without bound)' : '';
    return {
      check: 'replication_slot',
      subject: slot.name,
      status: 'WARN',
      detail: `${base}${unbounded}${(slot.retainedBytes ?? 0) > RETAINED_WARN_BYTES ? ' — over 1 GiB, and it grows until something reads or drops the slot' : ''}`,
      fix: `resume its connector, or if nothing uses it: cdc pg slots --drop ${slot.name}`,
    };
  }
  return { check: 'replication_slot', subject: slot.name, status: 'OK', detail: base };
}

/**
 * The slot the user named (--slot / --name): it is expected, so idle is fine (made by `cdc pg
 * setup`, waiting for its connector) unless it holds a lot of WAL; it must be a pgoutput slot of
 * this database.
 */
function namedSlotItem(slots: SlotInfo[], name: string, database: string): CheckItem {
  const slot = slots.find((s) => s.name === name);
  if (!slot) {
    return {
      check: 'replication_slot',
      subject: name,
      status: 'WARN',
      detail: 'does not exist yet: Debezium creates it when the connector starts (its changes before that are in the snapshot)',
      fix: `cdc pg setup --slot ${name} … creates it now`,
    };
  }
  const base = describeSlot(slot);
  if (slot.type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== database) {
    return {
      check: 'replication_slot',
      subject: name,
      status: 'FAIL',
      detail: `${base}: Debezium needs a logical pgoutput slot on ${database}`,
      fix: `drop it (cdc pg slots --drop ${name}) if nothing uses it, or choose another slot name`,
    };
  }
  if (slot.walStatus === 'lost') {
    return {
      check: 'replication_slot',
      subject: name,
      status: 'FAIL',
      detail: `${base}; its WAL is lost, the connector cannot resume from it`,
      fix: `cdc pg slots --drop ${name}, then restart the connector with a new snapshot`,
    };
  }
  if (!slot.active && (slot.retainedBytes ?? 0) > RETAINED_WARN_BYTES) {
    return {
      check: 'replication_slot',
      subject: name,
      status: 'WARN',
      detail: `${base} — over 1 GiB while no connector reads it`,
      fix: 'start or resume its connector',
    };
  }
  return { check: 'replication_slot', subject: name, status: 'OK', detail: slot.active ? base : `${base}: ready for its connector` };
}
