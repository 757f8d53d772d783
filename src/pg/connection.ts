/**
 * Connecting to PostgreSQL. Where to (`PgTarget`) is resolved by src/settings (`ctx.settings.pg`
 * for the source, `ctx.settings.target` for the sinks' target). `pg` itself is loaded only when a
 * command connects, so `cdc --help` stays fast.
 */
import type { Client, ClientConfig } from 'pg';
import { ServiceError } from '../errors';
import { displayOf, type PgTarget } from '../settings/postgres';
import { isPgError, translatePgError } from './errors';

export type { PgTarget } from '../settings/postgres';
export { displayOf, parsePgUrl, sslForMode } from '../settings/postgres';

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
      throw new ServiceError(`${first.message}; nor at ${target.via.host}:${target.via.port}, where cdc reaches PostgreSQL: ${second.message}`, {
        hint: second.hint,
        cause: viaErr,
        exitCode: second.exitCode,
      });
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
  return (
    ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(code) || /timeout/i.test((err as Error)?.message ?? '')
  );
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
