/**
 * Connector files may leave out where the database is: a PostgreSQL connector without
 * database.hostname / port / user / dbname gets them from cdc's own PostgreSQL target (--pg-url,
 * DATABASE_URL / PG*, the context, the running stack), as `register --table` does; --host, --port,
 * --user and --database set them over the file's (the database as the worker reaches it: `postgres`
 * under docker compose). One file then works on any stack; the command says what it filled in.
 */
import { UsageError } from '../errors';
import type { PgTarget } from '../settings';
import { isPostgresConnector } from './debezium';
import type { ConnectorConfig } from './types';

export interface DatabaseFlags {
  host?: string;
  port?: string;
  user?: string;
  database?: string;
}

export interface FilledSetting {
  key: string;
  value: string;
  /** `--host`, or where the PostgreSQL target came from (`stack`, `env:DATABASE_URL`, …). */
  from: string;
}

const KEYS: [keyof DatabaseFlags, string, (pg: PgTarget) => string][] = [
  ['host', 'database.hostname', (pg) => pg.host],
  ['port', 'database.port', (pg) => String(pg.port)],
  ['user', 'database.user', (pg) => pg.user],
  ['database', 'database.dbname', (pg) => pg.database],
];

/** The config with the missing database settings filled in and the flags applied; what was set, and from where. */
export function fillDatabaseSettings(config: ConnectorConfig, flags: DatabaseFlags, pg: () => PgTarget): { config: ConnectorConfig; filled: FilledSetting[] } {
  if (!isPostgresConnector(config)) return { config, filled: [] };
  if (flags.port !== undefined && !/^\d+$/.test(flags.port)) throw new UsageError(`--port must be a port number (1-65535), got '${flags.port}'`);
  const result = { ...config };
  const filled: FilledSetting[] = [];
  for (const [flag, key, fromPg] of KEYS) {
    const value = flags[flag];
    if (value !== undefined) {
      if (result[key] !== value) filled.push({ key, value, from: `--${flag}` });
      result[key] = value;
    } else if (result[key] === undefined || result[key] === '') {
      const target = pg();
      result[key] = fromPg(target);
      filled.push({ key, value: result[key], from: target.source });
    }
  }
  return { config: result, filled };
}
