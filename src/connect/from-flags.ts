/**
 * `cdc connector register NAME --table …`: where each database setting comes from. Host, port,
 * user and database come from flags, else from cdc's own source database as the settings resolver
 * chose it (`ctx.settings.pg`: --pg-url > DATABASE_URL / PG* > context > running stack > default). The password never comes from a flag: `--password-ref` (a config-provider
 * placeholder the worker resolves) or `--password-env VAR`; by default the placeholder
 * `${env:PGPASSWORD}`, with PGPASSWORD or the URL's password (when that URL came from the
 * environment or the config file) as the fallback for a worker that cannot resolve it
 * (register.ts `settlePasswords`).
 */
import { UsageError } from '../errors';
import type { PgTarget } from '../settings';
import { checkReplicationName } from '../pg/names';
import { buildPostgresConfig, checkPasswordRef } from './debezium';
import type { ConnectorConfig } from './types';

export interface RegisterFlags {
  table?: string[];
  schema?: string[];
  database?: string;
  host?: string;
  port?: string;
  user?: string;
  pgUrl?: string;
  passwordEnv?: string;
  passwordRef?: string;
  topicPrefix?: string;
  snapshotMode?: string;
  /** An existing slot / publication (made by `cdc pg setup`) instead of the ones named after the connector. */
  slot?: string;
  publication?: string;
  set?: string[];
}

/** Stored instead of a clear-text password when no flag says otherwise. */
export const DEFAULT_PASSWORD_REF = '${env:PGPASSWORD}';

export interface FlagsConnector {
  config: ConnectorConfig;
  /** With the default placeholder: the clear-text password to store if the worker cannot resolve it. */
  passwordFallback?: { value: string; from: string };
}

export function configFromFlags(name: string, flags: RegisterFlags, env: NodeJS.ProcessEnv, pg: PgTarget): ConnectorConfig {
  return connectorFromFlags(name, flags, env, pg).config;
}

export function connectorFromFlags(name: string, flags: RegisterFlags, env: NodeJS.ProcessEnv, pg: PgTarget): FlagsConnector {
  if (flags.pgUrl !== undefined && flagUrlHasPassword(flags.pgUrl)) {
    throw new UsageError(
      '--pg-url must not contain a password: command lines end up in shell history and `ps`',
      "put the password in PGPASSWORD (or --password-env VAR), or pass --password-ref '${env:PGPASSWORD}' for the worker to resolve",
    );
  }
  let password: string;
  let passwordFallback: FlagsConnector['passwordFallback'];
  if (flags.passwordRef) {
    password = checkPasswordRef(flags.passwordRef);
  } else if (flags.passwordEnv) {
    const value = env[flags.passwordEnv];
    if (value === undefined) throw new UsageError(`--password-env ${flags.passwordEnv}: that environment variable is not set`);
    password = value;
  } else {
    password = DEFAULT_PASSWORD_REF;
    if (env.PGPASSWORD) passwordFallback = { value: env.PGPASSWORD, from: 'PGPASSWORD' };
    else if (pg.password) passwordFallback = { value: pg.password, from: `the PostgreSQL URL (${pg.source})` };
  }
  const extra: Record<string, string> = {};
  for (const pair of flags.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes key=value, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    if (/password/i.test(key)) {
      throw new UsageError(`--set ${key}=… would put a password on the command line`, 'use PGPASSWORD, --password-env or --password-ref');
    }
    extra[key] = pair.slice(eq + 1);
  }
  const port = flags.port ?? String(pg.port);
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new UsageError(`--port must be a port number (1-65535), got '${port}'`);
  const config = buildPostgresConfig({
    name,
    host: flags.host ?? pg.host,
    port,
    user: flags.user ?? pg.user,
    dbname: flags.database ?? pg.database,
    password,
    topicPrefix: flags.topicPrefix,
    tables: flags.table ?? [],
    schemas: flags.schema ?? [],
    snapshotMode: flags.snapshotMode,
    slot: flags.slot === undefined ? undefined : checkReplicationName(flags.slot, '--slot'),
    publication: flags.publication === undefined ? undefined : checkReplicationName(flags.publication, '--publication'),
    extra,
  });
  return { config, passwordFallback };
}

function flagUrlHasPassword(text: string): boolean {
  try {
    const url = new URL(text);
    return url.password !== '' || url.searchParams.has('password');
  } catch {
    return false;
  }
}
