/**
 * The one settings resolver. `commands/main.ts` builds it once, before any command's action, from
 * the command's connection flags, the environment, the config-file context (--context, else the
 * current one) and the running local stack, and puts it on the context as `ctx.settings`.
 *
 * Each service is resolved the first time a command reads it (`ctx.settings.pg`,
 * `ctx.settings.kafka`, …) and then kept: a malformed DATABASE_URL is an error for the commands
 * that use PostgreSQL, not for `cdc watch`. Nothing is connected to here; this is pure resolution.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each service's module (and the config file's) loads when that service is first read: `cdc parse` reads none of them */
import { UsageError } from '../errors';
import type { ConnectSettings } from './connect';
import type { KafkaSettings } from './kafka';
import type { Layers } from './layers';
import type { MongoSettings } from './mongo';
import type { PgTarget } from './postgres';
import type { S3Settings } from './s3';
import type { ContextLayer, SettingsFlags, StackLayer } from './types';

const connectModule = () => require('./connect') as typeof import('./connect');
const kafkaModule = () => require('./kafka') as typeof import('./kafka');
const postgresModule = () => require('./postgres') as typeof import('./postgres');
const s3Module = () => require('./s3') as typeof import('./s3');
const mongoModule = () => require('./mongo') as typeof import('./mongo');
const configModule = () => require('../config/config-file') as typeof import('../config/config-file');

export type { ConnectSettings } from './connect';
export type { KafkaSettings, SaslMechanism } from './kafka';
export type { MongoSettings } from './mongo';
export type { PgTarget, UrlFields } from './postgres';
export type { S3Settings } from './s3';
export type { ContextLayer, Layer, Service, Setting, SettingsFlags, StackLayer } from './types';

/** The last layer: what the docker-compose setup (docker-compose.yml) listens on. */
export const DEFAULTS = {
  get connectUrl(): string {
    return connectModule().CONNECT_DEFAULT_URL;
  },
  get brokers(): string {
    return kafkaModule().KAFKA_DEFAULT_BROKERS;
  },
  get pgUrl(): string {
    return postgresModule().PG_DEFAULT_URL;
  },
  get targetUrl(): string {
    return postgresModule().TARGET_DEFAULT_URL;
  },
  get mongoUrl(): string {
    return mongoModule().MONGO_DEFAULT_URL;
  },
  get s3Region(): string {
    return s3Module().S3_DEFAULT_REGION;
  },
};

export interface Settings {
  /** The config-file context in force; `name` is undefined when there is none. */
  readonly context: ContextLayer;
  /** The local stack recorded as running, if any. */
  readonly stack: StackLayer | undefined;
  readonly connect: ConnectSettings;
  readonly kafka: KafkaSettings;
  /** The source PostgreSQL (seed, pg, connector register from flags). */
  readonly pg: PgTarget;
  /** The sinks' target PostgreSQL. */
  readonly target: PgTarget;
  readonly s3: S3Settings;
  readonly mongo: MongoSettings;
}

export interface SettingsInput {
  env: NodeJS.ProcessEnv;
  flags?: SettingsFlags;
  /** --context: a name that is not in the config file is a usage error. */
  contextName?: string;
  /** Reads the running local stack; called at most once, and only if a setting gets that far. */
  stack?: () => StackLayer | undefined;
}

export function createSettings(input: SettingsInput): Settings {
  const flags = input.flags ?? {};
  const once = <T>(make: () => T): (() => T) => {
    let done = false;
    let value: T;
    return () => {
      if (!done) {
        value = make();
        done = true;
      }
      return value;
    };
  };
  const context = once(() => loadContextLayer(input.env, input.contextName));
  const stack = once(() => input.stack?.());
  const layers: Layers = {
    env: input.env,
    get context() {
      return context();
    },
    get stack() {
      return stack();
    },
  };
  const connect = once(() => connectModule().resolveConnect(layers, flags.connect));
  const kafka = once(() => kafkaModule().resolveKafka(layers, flags.kafka));
  const pg = once(() => postgresModule().resolveSourcePg(layers, flags.pg));
  const target = once(() => postgresModule().resolveTargetPg(layers, flags.target));
  const s3 = once(() => s3Module().resolveS3(layers, flags.s3));
  const mongo = once(() => mongoModule().resolveMongo(layers, flags.mongo));
  return {
    get context() {
      return context();
    },
    get stack() {
      return stack();
    },
    get connect() {
      return connect();
    },
    get kafka() {
      return kafka();
    },
    get pg() {
      return pg();
    },
    get target() {
      return target();
    },
    get s3() {
      return s3();
    },
    get mongo() {
      return mongo();
    },
  };
}

/** Resolves one service now, so that a bad value is reported before the command does anything. */
export function checkSettings(settings: Settings, services: Iterable<keyof Settings>): void {
  for (const service of services) void settings[service];
}

function loadContextLayer(env: NodeJS.ProcessEnv, wanted: string | undefined): ContextLayer {
  const { configPath, readConfigFileSync } = configModule();
  const file = configPath(env);
  const config = readConfigFileSync(env);
  const has = (name: string) => Object.prototype.hasOwnProperty.call(config.contexts, name);
  if (wanted !== undefined) {
    if (wanted.trim() === '')
      throw new UsageError('--context is empty', 'name a context of the config file (`cdc config get-contexts`), or leave --context out');
    if (!has(wanted)) {
      const known = Object.keys(config.contexts).sort();
      throw new UsageError(
        `--context: no context named '${wanted}' in ${file}`,
        known.length ? `known contexts: ${known.join(', ')}` : 'create one with `cdc config set-context NAME …`',
      );
    }
    return { name: wanted, file, values: config.contexts[wanted] ?? {} };
  }
  const current = config.currentContext;
  if (current === undefined || !has(current)) return { name: undefined, file, values: {} };
  return { name: current, file, values: config.contexts[current] ?? {} };
}
