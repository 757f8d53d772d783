/**
 * Ports and folder of the local stack, resolved flag > environment > the running stack's state >
 * default. The defaults stay clear of services often found on a developer machine (PostgreSQL
 * 5432, Kafka 9092, Connect 8083 — the docker-compose ports — RabbitMQ, Redis, MariaDB, NATS, MQTT).
 */
import * as path from 'node:path';
import { UsageError } from '../errors';
import { packageRoot } from '../package-root';

export interface StackPorts {
  pg: number;
  kafka: number;
  controller: number;
  connect: number;
}

export interface StackSettings {
  /** Folder for jars, configs, data, logs and pid files (git-ignored `.stack/` by default). */
  dir: string;
  ports: StackPorts;
}

export const DEFAULT_PORTS: StackPorts = { pg: 15432, kafka: 19092, controller: 19093, connect: 18083 };

export const PORT_ENV: Record<keyof StackPorts, string> = {
  pg: 'CDC_STACK_PG_PORT',
  kafka: 'CDC_STACK_KAFKA_PORT',
  controller: 'CDC_STACK_CONTROLLER_PORT',
  connect: 'CDC_STACK_CONNECT_PORT',
};

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

export interface StackUrls {
  pgUrl: string;
  brokers: string;
  connectUrl: string;
  /** The target database of `cdc sink postgres` (CDC_TARGET_URL). */
  targetUrl: string;
}

export function stackUrls(ports: StackPorts): StackUrls {
  return {
    pgUrl: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${ports.pg}/${PG_DATABASE}`,
    brokers: `127.0.0.1:${ports.kafka}`,
    connectUrl: `http://127.0.0.1:${ports.connect}`,
    targetUrl: `postgres://${TARGET_USER}:${TARGET_PASSWORD}@127.0.0.1:${ports.pg}/${TARGET_DATABASE}`,
  };
}

export function defaultStackDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env[DIR_ENV] || path.join(packageRoot(), '.stack'));
}

export function parsePort(value: string, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${what} must be a port number between 1 and 65535, got '${value}'`);
  }
  return port;
}

/**
 * Resolves the ports. `running` holds the ports of a stack recorded in state.json, so that
 * `status`, `env` and `down` find a stack started with other ports without repeating the flags.
 */
export function resolveStackSettings(
  flags: Partial<Record<keyof StackPorts, string>> & { dir?: string },
  env: NodeJS.ProcessEnv,
  running?: StackPorts,
): StackSettings {
  const dir = flags.dir ? path.resolve(flags.dir) : defaultStackDir(env);
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    const flag = flags[key];
    const fromEnv = env[PORT_ENV[key]];
    if (flag !== undefined && flag !== '') ports[key] = parsePort(flag, `--${key === 'pg' ? 'pg' : key}-port`);
    else if (fromEnv) ports[key] = parsePort(fromEnv, PORT_ENV[key]);
    else if (running) ports[key] = running[key];
  }
  const values = Object.values(ports);
  if (new Set(values).size !== values.length) {
    throw new UsageError(`the stack's ports must differ from each other, got ${JSON.stringify(ports)}`);
  }
  return { dir, ports };
}
