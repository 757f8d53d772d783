/**
 * Ports and folder of the local stack, resolved flag > environment > the running stack's state >
 * default. The defaults stay clear of services often found on a developer machine (PostgreSQL
 * 5432, Kafka 9092, Connect 8083 — the docker-compose ports — RabbitMQ, Redis, MariaDB, NATS, MQTT).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { packageRoot } from '../package-root';

export interface StackPorts {
  pg: number;
  kafka: number;
  controller: number;
  connect: number;
  /** S3Proxy, only with `--with s3`. */
  s3: number;
  /** mongo-java-server, only with `--with mongo`. */
  mongo: number;
}

/** Services started only on request (`--with s3,mongo`, or CDC_STACK_WITH). */
export type ExtraService = 's3' | 'mongo';
export const EXTRA_SERVICES: readonly ExtraService[] = ['s3', 'mongo'];

export interface StackSettings {
  /** Folder for jars, configs, data, logs and pid files (git-ignored `.stack/` by default). */
  dir: string;
  ports: StackPorts;
  /** The extra services this stack runs besides PostgreSQL, Kafka and Connect. */
  with: ExtraService[];
}

export const DEFAULT_PORTS: StackPorts = { pg: 15432, kafka: 19092, controller: 19093, connect: 18083, s3: 19000, mongo: 17017 };

export const PORT_ENV: Record<keyof StackPorts, string> = {
  pg: 'CDC_STACK_PG_PORT',
  kafka: 'CDC_STACK_KAFKA_PORT',
  controller: 'CDC_STACK_CONTROLLER_PORT',
  connect: 'CDC_STACK_CONNECT_PORT',
  s3: 'CDC_STACK_S3_PORT',
  mongo: 'CDC_STACK_MONGO_PORT',
};

export const WITH_ENV = 'CDC_STACK_WITH';

export const DIR_ENV = 'CDC_STACK_DIR';

/** The stack's superuser; the same credentials as docker-compose.yml and cdc's default DATABASE_URL. */
export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';
export const PG_DATABASE = 'postgres';

/**
 * The sinks' target database: a database of its own in the same cluster, owned by a role of its
 * own (not a superuser), like the separate analytics PostgreSQL of docker-compose.yml (port 5433).
 */
export const TARGET_USER = 'analytics';
export const TARGET_PASSWORD = 'analytics';
export const TARGET_DATABASE = 'analytics';

/**
 * The S3 server's throwaway credentials, region and bucket (created at start): the same as
 * docker-compose.yml's MinIO.
 */
export const S3_ACCESS_KEY = 'minioadmin';
export const S3_SECRET_KEY = 'minioadmin';
export const S3_REGION = 'us-east-1';
export const S3_BUCKET = 'cdc';

export interface StackUrls {
  pgUrl: string;
  brokers: string;
  connectUrl: string;
  /** The target database of `cdc sink postgres` (CDC_TARGET_URL). */
  targetUrl: string;
  /** S3 endpoint (path-style), with `--with s3`. */
  s3Url?: string;
  /** MongoDB connection string, with `--with mongo`. */
  mongoUrl?: string;
}

export function stackUrls(ports: StackPorts, extras: readonly ExtraService[] = []): StackUrls {
  return {
    pgUrl: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${ports.pg}/${PG_DATABASE}`,
    brokers: `127.0.0.1:${ports.kafka}`,
    connectUrl: `http://127.0.0.1:${ports.connect}`,
    targetUrl: `postgres://${TARGET_USER}:${TARGET_PASSWORD}@127.0.0.1:${ports.pg}/${TARGET_DATABASE}`,
    ...(extras.includes('s3') ? { s3Url: `http://127.0.0.1:${ports.s3}` } : {}),
    ...(extras.includes('mongo') ? { mongoUrl: `mongodb://127.0.0.1:${ports.mongo}` } : {}),
  };
}

/**
 * What a program needs to use the stack, as environment variables (`cdc stack env`). The AWS SDK's
 * default CRC32 checksum headers are not implemented by S3Proxy: checksums only where required.
 */
export function stackEnv(urls: StackUrls): Record<string, string> {
  return {
    CDC_CONNECT_URL: urls.connectUrl,
    CDC_BROKERS: urls.brokers,
    DATABASE_URL: urls.pgUrl,
    CDC_TARGET_URL: urls.targetUrl,
    ...(urls.s3Url ? {
      AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
      AWS_REGION: S3_REGION,
      AWS_ENDPOINT_URL_S3: urls.s3Url,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    } : {}),
    ...(urls.mongoUrl ? { CDC_MONGO_URL: urls.mongoUrl } : {}),
  };
}

/** `s3,mongo` → ['s3', 'mongo']; '' or `none` → []. */
export function parseWith(value: string, what: string): ExtraService[] {
  const names = value.split(',').map((n) => n.trim()).filter((n) => n !== '' && n !== 'none');
  const unknown = names.filter((n) => !EXTRA_SERVICES.includes(n as ExtraService));
  if (unknown.length > 0) throw new UsageError(`${what}: unknown service '${unknown[0]}'`, `choose from ${EXTRA_SERVICES.join(', ')} (comma-separated)`);
  return EXTRA_SERVICES.filter((n) => names.includes(n));
}

/**
 * $CDC_STACK_DIR, else `.stack/` in a checkout of cdc (its sources beside it: tsconfig.json is never
 * packed), else the user's state folder, so that an installed cdc never writes into its install
 * folder: `$XDG_STATE_HOME/cdc/stack`, default `~/.local/state/cdc/stack`. As root without
 * XDG_STATE_HOME it is `/var/lib/cdc/stack`: the `postgres` OS user that runs the cluster cannot
 * enter /root.
 */
export function defaultStackDir(env: NodeJS.ProcessEnv, root = packageRoot(), uid = process.getuid?.()): string {
  if (env[DIR_ENV]) return path.resolve(env[DIR_ENV]);
  if (fs.existsSync(path.join(root, 'tsconfig.json'))) return path.join(root, '.stack');
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  const stateHome = xdg ?? (uid === 0 ? '/var/lib' : path.join(env.HOME || os.homedir(), '.local', 'state'));
  return path.join(stateHome, 'cdc', 'stack');
}

export function parsePort(value: string, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${what} must be a port number between 1 and 65535, got '${value}'`);
  }
  return port;
}

/** What a running stack recorded in state.json (older states lack the extras). */
export interface RunningStack {
  ports?: Partial<StackPorts>;
  with?: ExtraService[];
}

/**
 * Resolves ports and extras: flag > environment > the running stack's state > (extras: the
 * config context's `stackWith`) > default. The running stack's values let `status`, `env` and
 * `down` find a stack started with other ports or extras without repeating the flags.
 */
export function resolveStackSettings(
  flags: Partial<Record<keyof StackPorts, string>> & { dir?: string; with?: string; contextWith?: string },
  env: NodeJS.ProcessEnv,
  running?: RunningStack,
): StackSettings {
  const dir = flags.dir ? path.resolve(flags.dir) : defaultStackDir(env);
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    const flag = flags[key];
    const fromEnv = env[PORT_ENV[key]];
    const recorded = running?.ports?.[key];
    if (flag !== undefined && flag !== '') ports[key] = parsePort(flag, `--${key}-port`);
    else if (fromEnv) ports[key] = parsePort(fromEnv, PORT_ENV[key]);
    else if (recorded !== undefined) ports[key] = recorded;
  }
  const values = Object.values(ports);
  if (new Set(values).size !== values.length) {
    throw new UsageError(`the stack's ports must differ from each other, got ${JSON.stringify(ports)}`);
  }
  let extras: ExtraService[] = [];
  if (flags.with !== undefined) extras = parseWith(flags.with, '--with');
  else if (env[WITH_ENV] !== undefined) extras = parseWith(env[WITH_ENV], WITH_ENV);
  else if (running?.with) extras = running.with;
  else if (flags.contextWith !== undefined) extras = parseWith(flags.contextWith, 'the config setting stackWith');
  return { dir, ports, with: extras };
}
