/**
 * PostgreSQL, source and target. The source URL is chosen as one value: --pg-url > DATABASE_URL >
 * PGHOST/PGPORT > context pgUrl > running stack > the docker-compose default
 * (postgres:postgres@localhost:5432/postgres). The other libpq variables (PGUSER, PGPASSWORD,
 * PGDATABASE, PGSSLMODE) fill in what a URL from a flag, DATABASE_URL or the stack leaves out (as
 * libpq does), and override the fields of a context's or the default URL (environment beats both).
 * --database replaces the database. The target database (the sinks') is one URL:
 * --target-url > CDC_TARGET_URL > context targetUrl > the stack's target > the docker-compose target (analytics@localhost:5433/analytics),
 * with CDC_TARGET_PASSWORD for a URL without one.
 */
import { UsageError } from '../errors';
import { contextSource, pick, type Layers } from './layers';
import type { Layer, SettingsFlags } from './types';

export const PG_DEFAULT_URL = 'postgres://postgres:postgres@localhost:5432/postgres';
export const TARGET_DEFAULT_URL = 'postgres://analytics:analytics@localhost:5433/analytics';
export const TARGET_ENV = { url: 'CDC_TARGET_URL', password: 'CDC_TARGET_PASSWORD' } as const;

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl?: false | { rejectUnauthorized: boolean };
  /** The layer it was resolved from; undefined for a target read from elsewhere (a connector's config). */
  layer?: Layer;
  /** Where the settings came from: flag, env:DATABASE_URL, env:PGHOST,PGPORT, context:NAME, stack, default. */
  source: string;
  /** postgres://user@host:port/db — never the password. */
  display: string;
  /**
   * Another address of the same server, tried when `host` cannot be reached at all: a connector's
   * config names the host as its worker sees it (`postgres` under docker compose, a name only the
   * containers know), and cdc reaches the same server at its own source URL.
   */
  via?: { host: string; port: number };
}

/** The display form of a target: postgres://user@host:port/db, never the password. */
export function displayOf(target: { host: string; port: number; user: string; database: string }): string {
  const { host, port, user, database } = target;
  return `postgres://${encodeURIComponent(user)}@${host.startsWith('/') || host.includes(':') ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`;
}

/** The libpq variables honoured, and the target field each one sets. */
const PG_ENV = { PGHOST: 'host', PGPORT: 'port', PGUSER: 'user', PGPASSWORD: 'password', PGDATABASE: 'database', PGSSLMODE: 'sslmode' } as const;

export interface UrlFields {
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  database?: string;
  sslmode?: string;
}

export function resolveSourcePg(layers: Layers, flags: NonNullable<SettingsFlags['pg']> = {}): PgTarget {
  const { env } = layers;
  const pgEnv: UrlFields = {};
  const pgEnvNames: string[] = [];
  for (const [name, field] of Object.entries(PG_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      pgEnv[field] = value;
      pgEnvNames.push(name);
    }
  }
  const fromUrl = pick(layers, { flag: [flags.url, '--pg-url'], env: ['DATABASE_URL'] });
  let fields: UrlFields;
  let layer: Layer;
  let source: string;
  if (fromUrl) {
    fields = { ...pgEnv, ...definedOnly(parsePgUrl(fromUrl.value, fromUrl.layer === 'flag' ? '--pg-url' : 'DATABASE_URL')) };
    ({ layer, source } = fromUrl);
  } else {
    const contextUrl = pick(layers, { context: 'pgUrl' });
    const locatedByEnv = pgEnv.host !== undefined || pgEnv.port !== undefined;
    if (!locatedByEnv && !contextUrl && layers.stack?.pgUrl) {
      // The stack's URL holds its own credentials: a PGPASSWORD meant for another server must not replace them.
      fields = { ...pgEnv, ...definedOnly(parsePgUrl(layers.stack.pgUrl, "the stack's PostgreSQL URL")) };
      layer = 'stack';
      source = 'stack';
    } else {
      const base = parsePgUrl(contextUrl?.value ?? PG_DEFAULT_URL, contextUrl ? `pgUrl of ${contextUrl.source}` : 'default');
      fields = { ...definedOnly(base), ...pgEnv };
      layer = pgEnvNames.length ? 'env' : contextUrl ? 'context' : 'default';
      source = pgEnvNames.length ? `env:${pgEnvNames.join(',')}` : contextUrl ? contextSource(layers.context) : 'default';
    }
  }
  if (flags.database !== undefined) fields.database = nonEmpty(flags.database, '--database');
  return target(fields, layer, source);
}

export function resolveTargetPg(layers: Layers, flags: NonNullable<SettingsFlags['target']> = {}): PgTarget {
  const chosen = pick(layers, {
    flag: [flags.url, '--target-url'],
    env: [TARGET_ENV.url],
    context: 'targetUrl',
    stack: layers.stack?.targetUrl,
    fallback: TARGET_DEFAULT_URL,
  });
  const fields = definedOnly(parsePgUrl(chosen.value, chosen.layer === 'flag' ? '--target-url' : `the target URL from ${chosen.source}`));
  const password = layers.env[TARGET_ENV.password];
  if (fields.password === undefined && password) fields.password = password;
  if (flags.database !== undefined) fields.database = nonEmpty(flags.database, '--target-database');
  return target(fields, chosen.layer, chosen.source);
}

function target(fields: UrlFields, layer: Layer, source: string): PgTarget {
  const host = fields.host || 'localhost';
  const port = Number(fields.port || 5432);
  if (!/^\d+$/.test(String(fields.port ?? 5432)) || port <= 0 || port > 65535) {
    throw new UsageError(`bad PostgreSQL port ${JSON.stringify(fields.port)} (from ${source})`);
  }
  const user = fields.user || 'postgres';
  const database = fields.database || user;
  return {
    host,
    port,
    user,
    password: fields.password,
    database,
    ssl: sslForMode(fields.sslmode),
    layer,
    source,
    display: displayOf({ host, port, user, database }),
  };
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} is empty`, `give ${flag} a database name, or leave it out to use the URL's`);
  return value;
}

/** Parses postgres:// and postgresql:// URLs, including `?host=/socket/dir` and `?sslmode=`. */
export function parsePgUrl(text: string, origin: string): UrlFields {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${origin} is not a URL`, 'use the form postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`${origin} must be a postgres:// URL, not ${url.protocol}//…`, 'use the form postgres://user:password@host:5432/database');
  }
  const q = url.searchParams;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: q.get('host') || decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1')) || undefined,
    port: q.get('port') || url.port || undefined,
    user: q.get('user') || decodeURIComponent(url.username) || undefined,
    password: q.get('password') || (url.password ? decodeURIComponent(url.password) : undefined),
    database: q.get('dbname') || database || undefined,
    sslmode: q.get('sslmode') || undefined,
  };
}

function definedOnly(fields: UrlFields): UrlFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** libpq's sslmode as node-postgres' ssl setting (Debezium's database.sslmode takes the same values). */
export function sslForMode(mode: string | undefined): PgTarget['ssl'] {
  switch (mode ?? 'disable') {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw new UsageError(`unknown sslmode ${JSON.stringify(mode)}`, 'use disable, require, verify-ca or verify-full');
  }
}
