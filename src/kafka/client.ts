/**
 * The one place a kafkajs client is built. kafkajs is loaded lazily (it costs ~100 ms to require),
 * its own logger is replaced so nothing it says reaches stdout, and connection failures become
 * ServiceErrors that name the brokers and say what to do.
 */
import type { Kafka, KafkaConfig, logCreator } from 'kafkajs';
import { promises as fs } from 'node:fs';
import { ExitCode, ServiceError } from '../errors';
import { describeTlsFailure } from '../tls-failure';
import type { KafkaSettings } from './options';
import { installRecordBatchDecoder } from './record-batch';
import { installWholeResponses, socketFactory } from './socket';

/** Receives kafkajs diagnostics; the command layer decides whether and how to show them. */
export type KafkaLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

export interface ClientOptions {
  clientId?: string;
  /** Only with --verbose: kafkajs logs at INFO (or DEBUG when CDC_KAFKA_DEBUG is set). */
  log?: KafkaLog;
  debug?: boolean;
  /** Bounded so that an unreachable broker is an error after a few seconds, not a hang. */
  connectionTimeoutMs?: number;
  /**
   * How long a request may wait for its answer (default 30 s). Admin clients want less: a port
   * that accepts connections but never answers would otherwise stall a command for 30 s, and
   * kafkajs's disconnect waits for pending requests, so even Ctrl-C could not end it sooner.
   */
  requestTimeoutMs?: number;
  /** Retries of a failed connection or request (default 3); shell completion wants none. */
  retries?: number;
}

/**
 * kafkajs, loaded on first use with the faster record batch decoder in place
 * (src/kafka/record-batch.ts) and responses decoded where they were read (src/kafka/socket.ts).
 */
export async function loadKafkajs(): Promise<typeof import('kafkajs')> {
  installRecordBatchDecoder();
  const kafkajs = await import('kafkajs');
  installWholeResponses();
  return kafkajs;
}

export async function createKafka(settings: KafkaSettings, options: ClientOptions = {}): Promise<Kafka> {
  const kafkajs = await loadKafkajs();
  const level = options.log ? (options.debug ? kafkajs.logLevel.DEBUG : kafkajs.logLevel.INFO) : kafkajs.logLevel.NOTHING;
  const names: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [kafkajs.logLevel.ERROR]: 'error',
    [kafkajs.logLevel.WARN]: 'warn',
    [kafkajs.logLevel.INFO]: 'info',
    [kafkajs.logLevel.DEBUG]: 'debug',
  };
  const logCreator: logCreator =
    () =>
    ({ namespace, level: entryLevel, log }) => {
      const { message, timestamp: _t, logger: _l, ...extra } = log;
      const detail = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
      options.log?.(names[entryLevel] ?? 'info', `kafkajs ${namespace}: ${message}${detail}`);
    };
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'cdc',
    brokers: settings.brokers.value,
    logLevel: level,
    logCreator,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    socketFactory,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // The admin calls made before consuming use these: a dead broker fails in ~5 s.
    retry: { retries: options.retries ?? 3, initialRetryTime: 300, maxRetryTime: 2000 },
  };
  if (settings.ssl) {
    const read = async (file?: string) => (file ? fs.readFile(file, 'utf8') : undefined);
    config.ssl = {
      ca: settings.ssl.caFile ? [(await read(settings.ssl.caFile)) as string] : undefined,
      cert: await read(settings.ssl.certFile),
      key: await read(settings.ssl.keyFile),
      rejectUnauthorized: !settings.ssl.insecure,
    };
  }
  if (settings.sasl) {
    const { mechanism, username, password } = settings.sasl;
    config.sasl = { mechanism, username, password } as KafkaConfig['sasl'];
  }
  return new kafkajs.Kafka(config);
}

/** kafkajs error names that mean "could not talk to the cluster at all". */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionClosedError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSNonRetriableError',
]);

/** Turns a kafkajs failure into a ServiceError that names the brokers and says what to try. */
export function kafkaError(err: unknown, settings: KafkaSettings, doing: string): ServiceError {
  const error = err as Error & { cause?: Error };
  const root = rootCause(error);
  const brokers = settings.brokers.value.join(',');
  // kafkajs throws a plain Error with this message when a request finds no open connection.
  if (root.message === 'Broker not connected') {
    return new ServiceError(`cannot reach Kafka at ${brokers} (${settings.brokers.source}) while ${doing}: no answer from the broker`, {
      hint: connectionHint(root.message, settings),
      cause: err,
      unreachable: 'kafka',
    });
  }
  if (root.name === 'KafkaJSSASLAuthenticationError' || /SASL|authenticat/i.test(root.message)) {
    return new ServiceError(`Kafka at ${brokers} refused the credentials while ${doing}: ${root.message}`, {
      hint: 'check --sasl-mechanism, --sasl-username and the password variable',
      cause: err,
    });
  }
  if (CONNECTION_ERRORS.has(error.name) || CONNECTION_ERRORS.has(root.name)) {
    const reason = oneLine(root.message);
    return new ServiceError(`cannot reach Kafka at ${brokers} (${settings.brokers.source}) while ${doing}: ${reason}`, {
      hint: connectionHint(reason, settings),
      cause: err,
      unreachable: 'kafka',
    });
  }
  // A value the broker's configuration refuses: the user's to change, as a bad flag value is.
  if ((root as Error & { type?: string }).type === 'INVALID_SESSION_TIMEOUT') {
    return new ServiceError(
      `Kafka at ${brokers} refused the consumer group's session timeout while ${doing}: it is outside the broker's group.min.session.timeout.ms … group.max.session.timeout.ms`,
      { hint: 'choose a --session-timeout the broker allows (6–1800 seconds unless the broker is configured otherwise)', cause: err, exitCode: ExitCode.USAGE },
    );
  }
  return new ServiceError(`Kafka error while ${doing}: ${root.message}`, { cause: err });
}

/** OpenSSL's messages span lines and name C source files; keep the first line, without the path. */
function oneLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(/:[^:\s]*\/deps\/openssl\/[^:]+:\d+/, '')
    .trim();
}

/** A TLS failure is not "is the broker running?": say which TLS option is missing. */
function connectionHint(reason: string, settings: KafkaSettings): string {
  // Each TLS cause has its own remedy: only an unknown issuer is fixed by passing a CA.
  const tls = describeTlsFailure(rootCodeOf(reason), reason, 'the broker', settings.brokers.value[0]?.replace(/:\d+$/, '') ?? 'the broker');
  if (tls && tls.cause !== 'other') {
    const insecure = tls.cause === 'unknown-ca' || tls.cause === 'self-signed' || tls.cause === 'hostname' ? ' (or --insecure for a test cluster)' : '';
    return `${tls.problem}: ${tls.hint}${insecure}`;
  }
  if (/alert|handshake|SSL routines/i.test(reason)) {
    return 'the broker refused the TLS handshake: it may require a client certificate (--cert-file and --key-file)';
  }
  const secured = settings.ssl || settings.sasl ? '' : '; if the cluster needs TLS or SASL, add --ssl / --sasl-mechanism';
  return `is the stack running? (\`cdc stack status\`) — or pass --brokers / set CDC_BROKERS${secured}`;
}

/** kafkajs passes OpenSSL's error on as text only; a Node error code may lead it. */
function rootCodeOf(reason: string): string | undefined {
  return /\b(ERR_[A-Z0-9_]+|[A-Z_]+_CERT[A-Z_]*|CERT_[A-Z_]+)\b/.exec(reason)?.[1];
}

function rootCause(error: Error & { cause?: Error }): Error {
  let current = error;
  while (current.cause instanceof Error) current = current.cause as Error & { cause?: Error };
  return current;
}
