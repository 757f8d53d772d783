/**
 * What a connector's replication slot still has to deliver, seen without disturbing it: the slot
 * is copied as a temporary slot (pg_copy_logical_replication_slot, PostgreSQL 12+, REPLICATION
 * right) and the copy is peeked with pgoutput up to a target LSN. Peeking the connector's own slot
 * is refused while the connector streams from it, and consuming it would lose its changes.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { quoteIdent } from './identifiers';

/** One row change (insert, update, delete, truncate) of a captured table, in commit order. */
export interface PeekedChange {
  xid: string;
  lsn: bigint;
}

export interface SlotState {
  exists: boolean;
  plugin?: string | null;
  /** A walsender streams from the slot: Debezium has left its snapshot phase. */
  streaming: boolean;
}

/** `16/B374D848` → its 64-bit position. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match) throw new Error(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * The end of the WAL inserted so far: every commit that has returned is before it. Not
 * pg_current_wal_lsn(), the position written out: with synchronous_commit = off (the stack's) a
 * commit returns before its record is written, and a target taken there misses it.
 */
export async function currentWalLsn(client: Client): Promise<bigint> {
  const result = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return parseLsn(result.rows[0].lsn);
}

/** The WAL flushed so far: logical decoding (a peek, a walsender) reads no further. */
export async function flushedWalLsn(client: Client): Promise<bigint> {
  const result = await client.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  return parseLsn(result.rows[0].lsn);
}

export async function slotState(client: Client, slot: string): Promise<SlotState> {
  const result = await client.query<{ plugin: string | null; state: string | null }>(
    `SELECT s.plugin, r.state FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
      WHERE s.slot_name = $1`,
    [slot],
  );
  const row = result.rows[0];
  if (!row) return { exists: false, streaming: false };
  return { exists: true, plugin: row.plugin, streaming: row.state === 'streaming' || row.state === 'catchup' };
}

/** pgoutput message types that are row changes of a published table. */
const CHANGE_TYPES = new Set(['I', 'U', 'D', 'T'].map((c) => c.charCodeAt(0)));

/**
 * The row changes the slot would still send for transactions committed before `uptoLsn`: those
 * after the slot's confirmed position, filtered by the publication as pgoutput filters them.
 */
export async function peekPendingChanges(client: Client, slot: string, publication: string, uptoLsn: bigint): Promise<PeekedChange[]> {
  const copy = `cdc_peek_${randomBytes(6).toString('hex')}`;
  await client.query('SELECT pg_copy_logical_replication_slot($1, $2, true)', [slot, copy]);
  try {
    const result = await client.query<{ lsn: string; xid: string; kind: number }>(
      `SELECT lsn::text, xid::text, get_byte(data, 0) AS kind
         FROM pg_logical_slot_peek_binary_changes($1, $2::pg_lsn, NULL, 'proto_version', '1', 'publication_names', $3)`,
      [copy, formatLsn(uptoLsn), quoteIdent(publication)],
    );
    return result.rows.filter((r) => CHANGE_TYPES.has(r.kind)).map((r) => ({ xid: r.xid, lsn: parseLsn(r.lsn) }));
  } finally {
    // Temporary: it would go with the session anyway; dropping it now frees the slot at once.
    await client.query('SELECT pg_drop_replication_slot($1)', [copy]).catch(() => {});
  }
}
