/**
 * Kafka connection settings, resolved once with the project's precedence:
 * flag > environment variable > config-file context > default. Passwords never come from flags
 * (they would land in shell history and `ps`): only from an environment variable.
 */
import { contextSettings, readConfigFile } from '../config/config-file';
import { resolveSetting, type Resolved } from '../config/resolve';
import { UsageError } from '../errors';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** What the user may pass on the command line. */
export interface KafkaFlags {
  brokers?: string;
  ssl?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Accept any server certificate (self-signed test clusters). */
  insecure?: boolean;
  saslMechanism?: string;
  saslUsername?: string;
}

export interface KafkaSettings {
  brokers: Resolved<string[]>;
  ssl?: { caFile?: string; certFile?: string; keyFile?: string; insecure: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string; passwordEnv: string };
}

/** Environment variables read besides CDC_BROKERS. */
export const KAFKA_ENV = {
  saslMechanism: 'CDC_KAFKA_SASL_MECHANISM',
  saslUsername: 'CDC_KAFKA_SASL_USERNAME',
  password: 'CDC_KAFKA_PASSWORD',
  ssl: 'CDC_KAFKA_SSL',
} as const;

export async function resolveKafkaSettings(
  flags: KafkaFlags,
  env: NodeJS.ProcessEnv,
  configContext?: string,
): Promise<KafkaSettings> {
  const config = await readConfigFile(env);
  const context = contextSettings(config, configContext);
  const contextName = configContext ?? config.currentContext ?? 'current';
  const brokers = resolveSetting('brokers', flags.brokers, env, context, contextName);
  const list = brokers.value.split(',').map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError(`no Kafka brokers given (${brokers.source})`, 'pass --brokers host:port[,host:port]');

  const pick = (flag: string | undefined, envName: string, contextKey: string): string | undefined =>
    flag || env[envName] || context[contextKey] || undefined;

  const sslWanted = flags.ssl || isTrue(env[KAFKA_ENV.ssl]) || isTrue(context.kafkaSsl) ||
    // Each TLS-only option implies TLS: ignoring it silently would connect in plaintext.
    Boolean(flags.caFile || flags.certFile || flags.keyFile || flags.insecure ||
      context.kafkaCaFile || context.kafkaCertFile || context.kafkaKeyFile);
  const ssl = sslWanted
    ? {
        caFile: flags.caFile ?? context.kafkaCaFile,
        certFile: flags.certFile ?? context.kafkaCertFile,
        keyFile: flags.keyFile ?? context.kafkaKeyFile,
        insecure: Boolean(flags.insecure),
      }
    : undefined;
  if (ssl && Boolean(ssl.certFile) !== Boolean(ssl.keyFile)) {
    throw new UsageError('a client certificate needs both --cert-file and --key-file');
  }

  const mechanismText = pick(flags.saslMechanism, KAFKA_ENV.saslMechanism, 'kafkaSaslMechanism');
  let sasl: KafkaSettings['sasl'];
  if (mechanismText) {
    const mechanism = mechanismText.toLowerCase() as SaslMechanism;
    if (!SASL_MECHANISMS.includes(mechanism)) {
      throw new UsageError(`unknown SASL mechanism '${mechanismText}'`, `use one of ${SASL_MECHANISMS.join(', ')}`);
    }
    const username = pick(flags.saslUsername, KAFKA_ENV.saslUsername, 'kafkaSaslUsername');
    const passwordEnv = context.kafkaSaslPasswordEnv || KAFKA_ENV.password;
    const password = env[passwordEnv];
    if (!username) throw new UsageError(`SASL ${mechanism} needs a user name`, `pass --sasl-username or set ${KAFKA_ENV.saslUsername}`);
    if (password === undefined) throw new UsageError(`SASL ${mechanism} needs a password`, `set the environment variable ${passwordEnv}`);
    sasl = { mechanism, username, password, passwordEnv };
  }
  return { brokers: { value: list, source: brokers.source }, ssl, sasl };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}
