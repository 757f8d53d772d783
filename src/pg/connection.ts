/**
 * Where `cdc` connects to PostgreSQL, in one precedence order: --pg-url > DATABASE_URL or the
 * standard PG* variables > the config file's context (pgUrl) > the docker-compose defaults
 * (postgres:postgres@localhost:5432/postgres). `pg` itself is loaded only when a command connects,
 * so `cdc --help` stays fast.
 */
import type { Client, ClientConfig } from 'pg';
import { contextSettings, readConfigFile } from '../config/config-file';
import { DEFAULTS } from '../config/resolve';
import { ServiceError, UsageError } from '../errors';
import { isPgError, translatePgError } from './errors';

export interface PgFlags {
  /** --pg-url */
  pgUrl?: string;
  /** --database: overrides the database of whatever URL was chosen. */
  database?: string;
}

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl?: false | { rejectUnauthorized: boolean };
  /** Where the settings came from: flag, env:DATABASE_URL, env:PGHOST,PGPORT, context:NAME, default. */
  source: string;
  /** postgres://user@host:port/db — never the password. */
  display: string;
  /**
   * Another address of the same server, tried when `host` cannot be reached at all: a connector's
   * config names the host as its worker sees it (`postgres` under docker compose, a name only the
   * containers know), and cdc reaches the same server at its own DATABASE_URL.
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

interface UrlFields { host?: string; port?: string; user?: string; password?: string; database?: string; sslmode?: string }

export async function resolvePgTarget(env: NodeJS.ProcessEnv, flags: PgFlags, contextName?: string): Promise<PgTarget> {
  const pgEnv: UrlFields = {};
  const pgEnvNames: string[] = [];
  for (const [name, field] of Object.entries(PG_ENV)) {
    if (env[name]) { pgEnv[field] = env[name]; pgEnvNames.push(name); }
  }
  let fields: UrlFields;
  let source: string;
  if (flags.pgUrl || env.DATABASE_URL) {
    // As libpq does: what the URL leaves out, the PG* variables fill in.
    source = flags.pgUrl ? 'flag' : 'env:DATABASE_URL';
    fields = { ...pgEnv, ...definedOnly(parsePgUrl(flags.pgUrl || env.DATABASE_URL || '', source === 'flag' ? '--pg-url' : 'DATABASE_URL')) };
  } else {
    const config = await readConfigFile(env);
    const name = contextName ?? config.currentContext;
    const fromContext = contextSettings(config, contextName).pgUrl;
    const base = parsePgUrl(fromContext || DEFAULTS.pgUrl, fromContext ? `pgUrl of context ${name}` : 'default');
    fields = { ...definedOnly(base), ...pgEnv };
    source = pgEnvNames.length ? `env:${pgEnvNames.join(',')}` : fromContext ? `context:${name}` : 'default';
  }
  if (flags.database) fields.database = flags.database;
  const defaults = parsePgUrl(DEFAULTS.pgUrl, 'default');
  const host = fields.host || 'localhost';
  const port = Number(fields.port || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`bad PostgreSQL port ${JSON.stringify(fields.port)}`);
  const user = fields.user || defaults.user || 'postgres';
  const database = fields.database || user;
  return {
    host,
    port,
    user,
    password: fields.password,
    database,
    ssl: sslForMode(fields.sslmode),
    source,
    display: displayOf({ host, port, user, database }),
  };
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
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as UrlFields;
}

/** libpq's sslmode as node-postgres' ssl setting (Debezium's database.sslmode takes the same values). */
export function sslForMode(mode: string | undefined): PgTarget['ssl'] {
  switch (mode ?? 'disable') {
    case 'disable': case 'allow': case 'prefer': return false;
    case 'require': case 'no-verify': return { rejectUnauthorized: false };
    case 'verify-ca': case 'verify-full': return { rejectUnauthorized: true };
    default: throw new UsageError(`unknown sslmode ${JSON.stringify(mode)}`, 'use disable, require, verify-ca or verify-full');
  }
}

/**
 * `import('pg')`, without its Cloudflare probe: on Node 20, which has no `navigator`, pg decides
 * whether it runs in a Cloudflare Worker by constructing a `Response`, and the first touch of that
 * global loads Node's whole fetch implementation (undici): 15–20 ms of every command that connects,
 * as much as the COPY of 12,435 rows. A `navigator` that is not Cloudflare's answers the probe
 * first; it exists only while pg loads (Node 21+ has its own, and then nothing is changed).
 */
export async function loadPg(): Promise<typeof import('pg')> {
  const global = globalThis as { navigator?: unknown };
  const standIn = global.navigator === undefined;
  if (standIn) global.navigator = { userAgent: `Node.js/${process.versions.node}` };
  try {
    return await import('pg');
  } finally {
    if (standIn) delete global.navigator;
  }
}

export interface ConnectOptions {
  /** Shown in pg_stat_activity, so a DBA can tell cdc's sessions apart. */
  applicationName?: string;
  connectTimeoutMs?: number;
}

/**
 * Opens a connection; failures come back as CdcErrors that say what to do. When the host cannot
 * be reached and the target has a `via` address, that one is tried before giving up.
 */
export async function connectPg(target: PgTarget, options: ConnectOptions = {}): Promise<Client> {
  try {
    return await openAt(target, target.host, target.port, options);
  } catch (err) {
    if (!target.via || !unreachable(err)) throw translatePgError(err, target);
    const first = translatePgError(err, target);
    try {
      return await openAt(target, target.via.host, target.via.port, options);
    } catch (viaErr) {
      const second = translatePgError(viaErr, { ...target, ...target.via, display: displayOf({ ...target, ...target.via }) });
      throw new ServiceError(`${first.message}; nor at ${target.via.host}:${target.via.port}, where cdc reaches PostgreSQL: ${second.message}`,
        { hint: second.hint, cause: viaErr, exitCode: second.exitCode });
    }
  }
}

async function openAt(target: PgTarget, host: string, port: number, options: ConnectOptions): Promise<Client> {
  const { Client } = await loadPg();
  const config: ClientConfig = {
    host,
    port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: target.ssl,
    application_name: options.applicationName ?? 'cdc',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  };
  const client = new Client(config);
  // A server-side disconnect while idle must become an error of the next query, not a crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}

/** Failures to reach a host at all, as opposed to a server that answers and refuses. */
function unreachable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  return ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(code)
    || /timeout/i.test((err as Error)?.message ?? '');
}

/** Runs `work` with a connection and always closes it; errors come back translated. */
export async function withPg<T>(target: PgTarget, work: (client: Client) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
  const client = await connectPg(target, options);
  try {
    return await work(client);
  } catch (err) {
    throw isPgError(err) ? translatePgError(err, target) : err;
  } finally {
    await client.end().catch(() => {});
  }
}
