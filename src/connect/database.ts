/**
 * The connector's own database, as its database.* settings name it: where it is (a `PgTarget` of
 * `src/pg`, the one PostgreSQL layer, which connects, translates errors and looks at slots), with
 * the password resolved the way the worker would, and which slot and publication it uses.
 * `connector delete` and `status --check-db` log in with these settings.
 */
import { promises as fs } from 'node:fs';
import { DEFAULTS } from '../settings';
import { isPlaceholder } from '../secrets';
import { displayOf, sslForMode, type PgTarget } from '../pg/connection';
import { DEBEZIUM_DEFAULTS } from '../pg/names';
import type { ConnectorConfig } from './types';

/** The slot and publication names the connector uses (Debezium's defaults when unset). */
export function slotAndPublication(config: ConnectorConfig): { slot: string; publication: string } {
  return { slot: config['slot.name'] ?? DEBEZIUM_DEFAULTS.slot, publication: config['publication.name'] ?? DEBEZIUM_DEFAULTS.publication };
}

/**
 * Where the connector's database is, with the password resolved the way the worker would:
 * `${env:VAR}` from cdc's own environment, `${file:path:key}` from that properties file if cdc can
 * read it. Returns a reason instead when it cannot tell.
 */
export async function pgTargetOf(config: ConnectorConfig, env: NodeJS.ProcessEnv, own?: OwnTarget): Promise<{ target?: PgTarget; reason?: string }> {
  const host = config['database.hostname'];
  const database = config['database.dbname'];
  if (!host || !database) return { reason: 'the connector config has no database.hostname / database.dbname' };
  let password = config['database.password'];
  if (password && isPlaceholder(password)) {
    const resolved = (await resolvePlaceholder(password, env)) || urlPasswordFor(config, env, password) || ownPasswordFor(config, password, own);
    if (resolved === undefined) return { reason: `cdc cannot resolve ${password} here (the worker resolves it on its side)` };
    password = resolved;
  }
  const port = Number(config['database.port'] ?? 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    return { reason: `the connector config has database.port ${JSON.stringify(config['database.port'])}, not a port` };
  let ssl: PgTarget['ssl'];
  try {
    ssl = sslForMode(config['database.sslmode']);
  } catch {
    return { reason: `cdc does not know database.sslmode ${JSON.stringify(config['database.sslmode'])}` };
  }
  const user = config['database.user'] ?? 'postgres';
  const target: PgTarget = { host, port, user, database, password, ssl, source: 'connector config', display: displayOf({ host, port, user, database }) };
  const mine = ownTarget(own);
  const via = mine ? { host: mine.host, port: mine.port } : ownHostAndPort(env);
  if (via && (via.host !== host || via.port !== port)) target.via = via;
  return { target };
}

/**
 * cdc's own PostgreSQL target as the settings resolver chose it (--pg-url, DATABASE_URL, the
 * context, the running stack): lazy, as resolving it may read the stack's state.
 */
export type OwnTarget = () => PgTarget | undefined;

function ownTarget(own: OwnTarget | undefined): PgTarget | undefined {
  try {
    return own?.();
  } catch {
    return undefined;
  }
}

/** `${env:PGPASSWORD}` with neither PGPASSWORD nor DATABASE_URL here: cdc's own target's password, for the same user. */
function ownPasswordFor(config: ConnectorConfig, placeholder: string, own: OwnTarget | undefined): string | undefined {
  if (placeholder !== '${env:PGPASSWORD}') return undefined;
  const mine = ownTarget(own);
  return mine?.password && mine.user === (config['database.user'] ?? 'postgres') ? mine.password : undefined;
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
