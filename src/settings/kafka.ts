/**
 * Kafka: bootstrap servers (--brokers > CDC_BROKERS > context brokers > running stack >
 * localhost:9092), TLS and SASL. Passwords never come from flags: CDC_KAFKA_PASSWORD, else the
 * variable the context names (kafkaSaslPasswordEnv).
 */
import { UsageError } from '../errors';
import { isTrue, pick, setting, type Layers } from './layers';
import type { Setting, SettingsFlags } from './types';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const KAFKA_DEFAULT_BROKERS = 'localhost:9092';
export const KAFKA_ENV = {
  brokers: 'CDC_BROKERS',
  ssl: 'CDC_KAFKA_SSL',
  caFile: 'CDC_KAFKA_CA_FILE',
  certFile: 'CDC_KAFKA_CERT_FILE',
  keyFile: 'CDC_KAFKA_KEY_FILE',
  insecure: 'CDC_KAFKA_INSECURE',
  saslMechanism: 'CDC_KAFKA_SASL_MECHANISM',
  saslUsername: 'CDC_KAFKA_SASL_USERNAME',
  password: 'CDC_KAFKA_PASSWORD',
} as const;

export interface KafkaSettings {
  brokers: Setting<string[]>;
  ssl?: { caFile?: string; certFile?: string; keyFile?: string; insecure: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string; passwordEnv: string };
}

export function resolveKafka(layers: Layers, flags: NonNullable<SettingsFlags['kafka']> = {}): KafkaSettings {
  const brokers = pick(layers, {
    flag: [flags.brokers, '--brokers'],
    env: [KAFKA_ENV.brokers],
    context: 'brokers',
    stack: layers.stack?.brokers,
    fallback: KAFKA_DEFAULT_BROKERS,
  });
  const list = brokers.value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError(`no Kafka brokers given (${brokers.source})`, 'pass --brokers host:port[,host:port]');
  const bad = list.find((b) => !/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(b));
  if (bad !== undefined) throw new UsageError(`Kafka broker '${bad}' (from ${brokers.source}) is not host:port`, 'pass --brokers host:port[,host:port]');

  const file = (flag: string | undefined, name: string, envName: string, key: string) =>
    pick(layers, { flag: [flag, name], env: [envName], context: key })?.value;
  const caFile = file(flags.caFile, '--ca-file', KAFKA_ENV.caFile, 'kafkaCaFile');
  const certFile = file(flags.certFile, '--cert-file', KAFKA_ENV.certFile, 'kafkaCertFile');
  const keyFile = file(flags.keyFile, '--key-file', KAFKA_ENV.keyFile, 'kafkaKeyFile');
  const insecure = Boolean(flags.insecure) || isTrue(layers.env[KAFKA_ENV.insecure]) || isTrue(layers.context.values.kafkaInsecure);
  const sslWanted =
    Boolean(flags.ssl) ||
    isTrue(layers.env[KAFKA_ENV.ssl]) ||
    isTrue(layers.context.values.kafkaSsl) ||
    // Each TLS-only option implies TLS: ignoring it silently would connect in plaintext.
    Boolean(caFile || certFile || keyFile || insecure);
  const ssl = sslWanted ? { caFile, certFile, keyFile, insecure } : undefined;
  if (ssl && Boolean(ssl.certFile) !== Boolean(ssl.keyFile)) {
    throw new UsageError('a client certificate needs both --cert-file and --key-file');
  }

  const mechanismSetting = pick(layers, { flag: [flags.saslMechanism, '--sasl-mechanism'], env: [KAFKA_ENV.saslMechanism], context: 'kafkaSaslMechanism' });
  let sasl: KafkaSettings['sasl'];
  if (mechanismSetting) {
    const mechanism = mechanismSetting.value.toLowerCase() as SaslMechanism;
    if (!SASL_MECHANISMS.includes(mechanism)) {
      throw new UsageError(`unknown SASL mechanism '${mechanismSetting.value}' (from ${mechanismSetting.source})`, `use one of ${SASL_MECHANISMS.join(', ')}`);
    }
    const username = pick(layers, { flag: [flags.saslUsername, '--sasl-username'], env: [KAFKA_ENV.saslUsername], context: 'kafkaSaslUsername' })?.value;
    const contextEnv = layers.context.values.kafkaSaslPasswordEnv;
    const passwordEnv = layers.env[KAFKA_ENV.password] !== undefined ? KAFKA_ENV.password : contextEnv || KAFKA_ENV.password;
    const password = layers.env[passwordEnv];
    if (!username) throw new UsageError(`SASL ${mechanism} needs a user name`, `pass --sasl-username or set ${KAFKA_ENV.saslUsername}`);
    if (password === undefined) throw new UsageError(`SASL ${mechanism} needs a password`, `set the environment variable ${passwordEnv}`);
    sasl = { mechanism, username, password, passwordEnv };
  }
  return { brokers: setting(list, brokers.layer, brokers.source), ssl, sasl };
}
