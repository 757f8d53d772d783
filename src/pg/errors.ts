/**
 * Postgres failures turned into messages that say what to do. Codes are SQLSTATEs
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html); network errors are Node's.
 * Every message passes through redactValues so a password never reaches the terminal.
 */
import { CdcError, ExitCode, NotFoundError, ServiceError } from '../errors';
import { redactValues } from '../secrets';
import type { PgTarget } from '../settings/postgres';

/** The fields of pg's DatabaseError that we use (pg is loaded lazily, so no class import). */
export interface PgErrorLike {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  where?: string;
  routine?: string;
}

const START_STACK = 'start one with `cdc stack up` (or `docker compose up -d`), or point cdc at yours with --pg-url or DATABASE_URL';

/** Errors from Postgres or the network, as opposed to bugs, which must surface as such. */
export function isPgError(err: unknown): boolean {
  const e = err as PgErrorLike & NodeJS.ErrnoException;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (/^[0-9A-Z]{5}$/.test(e.code) || /^E[A-Z]+$/.test(e.code))) return true;
  return /^(Connection terminated|timeout expired|The server does not support SSL|Client has encountered a connection error)/i.test(String(e.message));
}

export function translatePgError(err: unknown, target: Pick<PgTarget, 'host' | 'port' | 'user' | 'database' | 'display' | 'password'>): CdcError {
  if (err instanceof CdcError) return err;
  const e = err as PgErrorLike & NodeJS.ErrnoException;
  // A password equal to the user or database name (postgres/postgres) hides nothing, and masking
  // it would garble every name in the message.
  const secret = target.password && ![target.user, target.database].includes(target.password) ? target.password : undefined;
  const clean = (text: string) => redactValues(text, [secret]);
  const where = `PostgreSQL at ${target.display}`;
  const make = (message: string, hint?: string, exitCode?: (typeof ExitCode)[keyof typeof ExitCode]) =>
    new ServiceError(clean(message), { hint: hint && clean(hint), cause: err, exitCode, unreachable: message.startsWith('cannot reach ') ? 'pg' : undefined });

  switch (e?.code) {
    case 'ECONNREFUSED':
      return make(`cannot reach ${where}: connection refused`, `is PostgreSQL running on ${target.host}:${target.port}? ${START_STACK}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(`cannot reach ${where}: host ${target.host} not found`, 'check the host name in --pg-url / DATABASE_URL / PGHOST');
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
      return make(`cannot reach ${where}: ${e.code}`, 'check the host, the port and any firewall in between');
    case 'ENOENT':
      return make(`cannot reach ${where}: no socket in ${target.host}`, `is PostgreSQL running with its socket in ${target.host}?`);
    case '28P01':
      return make(
        `password authentication failed for user ${target.user} at ${where}`,
        'check the password in --pg-url, DATABASE_URL, PGPASSWORD or the config context (the stack and docker-compose use postgres/postgres)',
      );
    case '28000':
      return make(`${where} refused user ${target.user}: ${e.message}`, 'allow this user, database and address in pg_hba.conf, or connect as another user');
    case '3D000':
      return make(
        `database ${JSON.stringify(target.database)} does not exist at ${target.display}`,
        `create it (createdb ${target.database}, or CREATE DATABASE) or choose another with --database`,
        ExitCode.NOT_FOUND,
      );
    case '53300':
      return make(`${where} has too many connections`, 'close idle sessions or raise max_connections');
    case '57P03':
      return make(`${where} is starting up or shutting down`, 'wait a moment and try again');
    case '42501':
      return make(`permission denied at ${where}: ${e.message}`, `run it as a role with the needed rights (a superuser, or GRANT them to ${target.user})`);
    case '3F000':
    case '42P01':
      return new NotFoundError(clean(`${e.message} at ${target.display}`), 'check the schema and table names (see --table)');
    case '42703':
      return make(
        `${e.message} at ${target.display}`,
        'the table has other columns than the source names: load into a new table with --table, or rename the columns',
      );
    case '55000':
      if (/wal_level/i.test(e.message)) {
        return make(
          `${e.message} at ${where}`,
          'ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (run `cdc pg check` to see what else CDC needs)',
        );
      }
      break;
    case '55006':
      return make(clean(e.message), 'stop what uses it first (the Debezium connector: `cdc connector stop NAME`), then retry');
    default:
      break;
  }
  if (typeof e?.message === 'string' && /SSL/i.test(e.message) && /support|not enabled|off/i.test(e.message)) {
    return make(`${where}: ${e.message}`, 'add ?sslmode=disable to the URL, or enable SSL on the server');
  }
  if (typeof e?.message === 'string' && /timeout expired|Connection terminated due to connection timeout/i.test(e.message)) {
    return make(`cannot reach ${where}: connection timed out`, `is PostgreSQL running on ${target.host}:${target.port}? ${START_STACK}`);
  }
  const detail = [e?.detail, e?.hint].filter(Boolean).join(' ');
  return make(`${where}: ${e?.message ?? String(err)}${e?.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : ''}${detail ? ` — ${detail}` : ''}`);
}
