/**
 * The few PostgreSQL questions `cdc connector delete` asks with the connector's own database.*
 * settings: does its replication slot still exist (and hold WAL back), does its publication.
 * Kept here rather than depending on `cdc pg` so the connector commands stand alone.
 */
import { promises as fs } from 'node:fs';
import { ServiceError } from '../errors';
import { DEFAULTS } from '../config/resolve';
import { isPlaceholder } from '../secrets';
import type { ConnectorConfig } from './types';
import { loadPg } from '../pg/connection';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
  /**
   * cdc's own way to the same server (the host and port of DATABASE_URL, else localhost:5432),
   * tried when the worker's host name does not work from here: under docker compose the worker
   * says `postgres`, a name only the containers know.
   */
  via?: { host: string; port: number };
}

export interface SlotInfo {
  name: string;
  exists: boolean;
  active?: boolean;
  /** WAL the slot keeps from being recycled, in bytes (as a string: it can exceed 2^53). */
  retainedBytes?: string;
}

export interface PublicationInfo {
  name: string;
  exists: boolean;
}

/** The slot and publication names the connector uses (Debezium's defaults when unset). */
export function slotAndPublication(config: ConnectorConfig): { slot: string; publication: string } {
  return { slot: config['slot.name'] ?? 'debezium', publication: config['publication.name'] ?? 'dbz_publication' };
}

/**
 * Where the connector's database is, with the password resolved the way the worker would:
 * `${env:VAR}` from cdc's own environment, `${file:path:key}` from that properties file if cdc can
 * read it. Returns a reason instead when it cannot tell.
 */
export async function pgTargetOf(config: ConnectorConfig, env: NodeJS.ProcessEnv): Promise<{ target?: PgTarget; reason?: string }> {
  const host = config['database.hostname'];
  const database = config['database.dbname'];
  if (!host || !database) return { reason: 'the connector config has no database.hostname / database.dbname' };
  let password = config['database.password'];
  if (password && isPlaceholder(password)) {
    const resolved = (await resolvePlaceholder(password, env)) || urlPasswordFor(config, env, password);
    if (resolved === undefined) return { reason: `cdc cannot resolve ${password} here (the worker resolves it on its side)` };
    password = resolved;
  }
  const port = Number(config['database.port'] ?? 5432);
  const target: PgTarget = { host, port, user: config['database.user'] ?? 'postgres', database, password };
  const via = ownHostAndPort(env);
  if (via && (via.host !== host || via.port !== port)) target.via = via;
  return { target };
}

function ownHostAndPort(env: NodeJS.ProcessEnv): { host: string; port: number } | undefined {
  try {
    const url = new URL(env.DATABASE_URL || DEFAULTS.pgUrl);
    return { host: url.hostname, port: Number(url.port || 5432) };
  } catch {
    return undefined;
  }
}

/**
 * `${env:PGPASSWORD}` is what `register` stores by default, taken from cdc's own PostgreSQL URL
 * when PGPASSWORD is unset; that URL's password serves when it is for the same user.
 */
function urlPasswordFor(config: ConnectorConfig, env: NodeJS.ProcessEnv, placeholder: string): string | undefined {
  if (placeholder !== '${env:PGPASSWORD}' || !env.DATABASE_URL) return undefined;
  try {
    const url = new URL(env.DATABASE_URL);
    const user = decodeURIComponent(url.username) || 'postgres';
    if (!url.password || user !== (config['database.user'] ?? 'postgres')) return undefined;
    return decodeURIComponent(url.password);
  } catch {
    return undefined;
  }
}

async function resolvePlaceholder(placeholder: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const envMatch = /^\$\{env:([^}:]+)\}$/.exec(placeholder);
  if (envMatch) return env[envMatch[1]];
  const fileMatch = /^\$\{file:(.+):([^:}]+)\}$/.exec(placeholder);
  if (!fileMatch) return undefined;
  try {
    const text = await fs.readFile(fileMatch[1], 'utf8');
    const line = text.split(/\r?\n/).find((l) => new RegExp(`^\\s*${fileMatch[2].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[=:]`).test(l));
    return line?.replace(/^[^=:]*[=:]\s*/, '').trim();
  } catch {
    return undefined;
  }
}

/** Failures to reach a host at all, as opposed to a server that refuses the login. */
function unreachable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  return ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(code)
    || /timeout/i.test((err as Error)?.message ?? '');
}

async function connectTo(target: PgTarget, host: string, port: number) {
  const { Client } = await loadPg();
  const { via: _via, ...settings } = target;
  const client = new Client({ ...settings, host, port, connectionTimeoutMillis: 5000, application_name: 'cdc connector' });
  await client.connect();
  return client;
}

async function withClient<T>(target: PgTarget, fn: (query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  let client;
  try {
    client = await connectTo(target, target.host, target.port);
  } catch (err) {
    let message = (err as Error).message;
    if (target.via && unreachable(err)) {
      try {
        client = await connectTo(target, target.via.host, target.via.port);
      } catch (viaErr) {
        message += `; nor at ${target.via.host}:${target.via.port}, where cdc reaches PostgreSQL: ${(viaErr as Error).message}`;
      }
    }
    if (!client) throw new ServiceError(`cannot connect to PostgreSQL at ${target.host}:${target.port}/${target.database} as ${target.user}: ${message}`, { cause: err });
  }
  try {
    return await fn(async (sql, params) => (await client.query(sql, params)).rows);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Looks up the slot and the publication. Right after a delete the task may still be shutting
 * down and holding the slot, so an active slot is looked at again for up to `settleMs`.
 */
export async function inspectSlotAndPublication(
  target: PgTarget,
  slot: string,
  publication: string,
  options: { settleMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<{ slot: SlotInfo; publication: PublicationInfo }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return withClient(target, async (query) => {
    const deadline = Date.now() + (options.settleMs ?? 5000);
    const lookup = () => query(
      `SELECT active, (pg_current_wal_lsn() - restart_lsn)::text AS retained FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()`,
      [slot],
    );
    let slots = await lookup();
    while (slots.length && slots[0].active && Date.now() < deadline) {
      await sleep(250);
      slots = await lookup();
    }
    const pubs = await query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
    return {
      slot: slots.length
        ? { name: slot, exists: true, active: Boolean(slots[0].active), retainedBytes: (slots[0].retained as string | null) ?? undefined }
        : { name: slot, exists: false },
      publication: { name: publication, exists: pubs.length > 0 },
    };
  });
}

/**
 * Drops the slot (waiting for the stopping task to release it) and/or the publication.
 * Returns what was dropped.
 */
export async function dropSlotAndPublication(
  target: PgTarget,
  what: { slot?: string; publication?: string },
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<{ slot: boolean; publication: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return withClient(target, async (query) => {
    let slotDropped = false;
    if (what.slot) {
      const deadline = Date.now() + (options.timeoutMs ?? 15_000);
      for (;;) {
        const rows = await query('SELECT active FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()', [what.slot]);
        if (rows.length === 0) break;
        if (!rows[0].active) {
          await query('SELECT pg_drop_replication_slot($1)', [what.slot]);
          slotDropped = true;
          break;
        }
        if (Date.now() > deadline) throw new ServiceError(`replication slot '${what.slot}' is still in use; not dropped`, { hint: 'another connector or client may be using it' });
        await sleep(300);
      }
    }
    let publicationDropped = false;
    if (what.publication) {
      const rows = await query('SELECT 1 FROM pg_publication WHERE pubname = $1', [what.publication]);
      if (rows.length) {
        await query(`DROP PUBLICATION ${quoteIdent(what.publication)}`);
        publicationDropped = true;
      }
    }
    return { slot: slotDropped, publication: publicationDropped };
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
