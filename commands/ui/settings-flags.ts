/**
 * The connection flags of each service, defined once, and the bridge to the settings resolver:
 * a command that adds a service's flags is known to use that service, so `commands/main.ts` can
 * hand the flags to the resolver and check the service's settings before the command acts.
 * The sinks add the target, S3 and Mongo flags here rather than defining their own.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../src/errors';
import { fileFlag, textFlag } from './flags';
import type { Context } from '../../src/context';
import type { Service, SettingsFlags } from '../../src/settings';
import { maskConnectionString } from '../../src/secrets';
import { verbose } from './output';

interface Declared {
  services: Set<Service>;
  /** Services resolved (and so validated) before the action runs. */
  early: Set<Service>;
}

const declared = new WeakMap<Command, Declared>();

/**
 * Marks `command` as using `service`. `early: false` for a service the command may not need
 * (register reads PostgreSQL only when it builds a connector from flags).
 */
export function declareSettingsFlags(command: Command, service: Service, options: { early?: boolean } = {}): Command {
  const entry = declared.get(command) ?? { services: new Set<Service>(), early: new Set<Service>() };
  entry.services.add(service);
  if (options.early ?? true) entry.early.add(service);
  declared.set(command, entry);
  return command;
}

/** The services a command declared, and its connection flags grouped for the resolver. */
export function settingsFlagsOf(command: Command): { flags: SettingsFlags; services: Service[]; early: Service[] } {
  const entry = declared.get(command);
  if (!entry) return { flags: {}, services: [], early: [] };
  const o = command.opts<Record<string, string | boolean | undefined>>();
  const s = (key: string) => (typeof o[key] === 'string' ? o[key] : undefined);
  const b = (key: string) => (o[key] === true ? true : undefined);
  const flags: SettingsFlags = {};
  for (const service of entry.services) {
    switch (service) {
      case 'connect':
        flags.connect = { url: s('connectUrl'), user: s('connectUser'), caFile: s('caFile'), certFile: s('certFile'), keyFile: s('keyFile') };
        break;
      case 'kafka':
        flags.kafka = {
          brokers: s('brokers'),
          ssl: b('ssl'),
          caFile: s('caFile'),
          certFile: s('certFile'),
          keyFile: s('keyFile'),
          insecure: b('insecure'),
          saslMechanism: s('saslMechanism'),
          saslUsername: s('saslUsername'),
        };
        break;
      case 'pg':
        flags.pg = { url: s('pgUrl'), database: s('database') };
        break;
      case 'target':
        flags.target = { url: s('targetUrl'), database: s('targetDatabase') };
        break;
      case 's3':
        flags.s3 = { endpoint: oneOf(s, 'endpoint', 's3Endpoint'), region: oneOf(s, 'region', 's3Region') };
        break;
      case 'mongo':
        flags.mongo = { url: s('mongoUrl') };
        break;
    }
  }
  return { flags, services: [...entry.services], early: [...entry.early] };
}

/** With --verbose: where each service the command uses will be reached, and why. Never a password. */
export function describeSettings(ctx: Context, services: Iterable<Service>): void {
  if (!ctx.verbose) return;
  const s = ctx.settings;
  for (const service of services) {
    switch (service) {
      case 'connect': {
        const c = s.connect;
        verbose(ctx, `Kafka Connect: ${c.url.value} (from ${c.url.source})${c.username ? ` as ${c.username.value}` : ''}`);
        break;
      }
      case 'kafka':
        verbose(ctx, `brokers ${s.kafka.brokers.value.join(',')} (from ${s.kafka.brokers.source})`);
        break;
      case 'pg':
        verbose(ctx, `PostgreSQL: ${s.pg.display} (from ${s.pg.source})`);
        break;
      case 'target':
        verbose(ctx, `target PostgreSQL: ${s.target.display} (from ${s.target.source})`);
        break;
      case 's3':
        verbose(
          ctx,
          `S3: ${s.s3.endpoint ? `${s.s3.endpoint.value} (from ${s.s3.endpoint.source})` : 'AWS'}, region ${s.s3.region.value} (from ${s.s3.region.source})`,
        );
        break;
      case 'mongo':
        verbose(ctx, `MongoDB: ${maskConnectionString(s.mongo.url.value)} (from ${s.mongo.url.source})`);
        break;
    }
  }
}

/** Kafka's connection flags (watch, and the sinks that consume). */
export function addKafkaOptions(command: Command): Command {
  return declareSettingsFlags(command, 'kafka')
    .option(
      '--brokers <list>',
      'Kafka bootstrap servers (env CDC_BROKERS; else the config context, the running `cdc stack`, localhost:9092)',
      textFlag('--brokers'),
    )
    .option('--ssl', 'connect with TLS (env CDC_KAFKA_SSL=1)')
    .option('--ca-file <pem>', 'CA certificate(s) to trust (implies --ssl)', fileFlag('--ca-file'))
    .option('--cert-file <pem>', 'client certificate for mutual TLS (with --key-file)', fileFlag('--cert-file'))
    .option('--key-file <pem>', 'client private key for mutual TLS', fileFlag('--key-file'))
    .option('--insecure', 'TLS without verifying the server certificate (test clusters only)')
    .option(
      '--sasl-mechanism <name>',
      'plain, scram-sha-256 or scram-sha-512 (env CDC_KAFKA_SASL_MECHANISM); the password is read from CDC_KAFKA_PASSWORD',
      textFlag('--sasl-mechanism'),
    )
    .option('--sasl-username <name>', 'SASL user (env CDC_KAFKA_SASL_USERNAME)', textFlag('--sasl-username'));
}

/** The sinks' target PostgreSQL. */
export function addTargetOptions(command: Command): Command {
  return declareSettingsFlags(command, 'target')
    .option(
      '--target-url <url>',
      'target PostgreSQL URL without password (env CDC_TARGET_URL; password from CDC_TARGET_PASSWORD; else the config context, the running `cdc stack`)',
      textFlag('--target-url'),
    )
    .option('--target-database <name>', 'database to use instead of the one in the target URL', textFlag('--target-database'));
}

/**
 * S3's endpoint and region: `--endpoint` and `--region`, as the issue and the AWS CLI write them.
 * `--s3-endpoint` / `--s3-region` (the config keys' names, the first spelling) stay accepted but
 * are not shown; both spellings go to the same resolver setting (see `oneOf`).
 */
export function addS3Options(command: Command): Command {
  return declareSettingsFlags(command, 's3')
    .option(
      '--endpoint <url>',
      'S3-compatible endpoint, e.g. MinIO (env AWS_ENDPOINT_URL_S3; default: AWS); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      textFlag('--endpoint'),
    )
    .option('--region <name>', 'S3 region (env AWS_REGION; default us-east-1)', textFlag('--region'))
    .addOption(new Option('--s3-endpoint <url>', 'the same as --endpoint').argParser(textFlag('--s3-endpoint')).hideHelp())
    .addOption(new Option('--s3-region <name>', 'the same as --region').argParser(textFlag('--s3-region')).hideHelp());
}

/**
 * A setting with two spellings (`--endpoint` and `--s3-endpoint`): either one, or both when they
 * agree. Two different values are a usage error rather than one silently winning.
 */
function oneOf(s: (key: string) => string | undefined, key: string, alias: string): string | undefined {
  const [value, other] = [s(key), s(alias)];
  if (value !== undefined && other !== undefined && value !== other) {
    const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(
      `${flag(key)} ${JSON.stringify(value)} and ${flag(alias)} ${JSON.stringify(other)} disagree`,
      `${flag(alias)} is another name for ${flag(key)}: give one`,
    );
  }
  return value ?? other;
}

export function addMongoOptions(command: Command): Command {
  return declareSettingsFlags(command, 'mongo').option(
    '--mongo-url <url>',
    'MongoDB URL (env CDC_MONGO_URL; else the config context, the running `cdc stack`, mongodb://localhost:27017)',
    textFlag('--mongo-url'),
  );
}
