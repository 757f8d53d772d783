/**
 * Kafka Connect: the REST URL (--connect-url > CDC_CONNECT_URL > context connectUrl > running
 * stack > http://localhost:8083), basic-auth credentials and TLS files. Passwords never come from
 * a flag: from the URL, CDC_CONNECT_PASSWORD, the variable a context names, or (discouraged) the
 * context itself.
 */
import { UsageError } from '../errors';
import { contextSource, pick, setting, type Layers } from './layers';
import type { Setting, SettingsFlags } from './types';

export const CONNECT_DEFAULT_URL = 'http://localhost:8083';
export const CONNECT_ENV = {
  url: 'CDC_CONNECT_URL',
  user: 'CDC_CONNECT_USER',
  password: 'CDC_CONNECT_PASSWORD',
  caFile: 'CDC_CONNECT_CA_FILE',
  certFile: 'CDC_CONNECT_CERT_FILE',
  keyFile: 'CDC_CONNECT_KEY_FILE',
} as const;

export interface ConnectSettings {
  /** Without credentials and without a trailing slash: safe to print. */
  url: Setting;
  username?: Setting;
  /** Only together with a username. */
  password?: Setting;
  caFile?: Setting;
  certFile?: Setting;
  keyFile?: Setting;
}

export function resolveConnect(layers: Layers, flags: NonNullable<SettingsFlags['connect']> = {}): ConnectSettings {
  const chosen = pick(layers, {
    flag: [flags.url, '--connect-url'],
    env: [CONNECT_ENV.url],
    context: 'connectUrl',
    stack: layers.stack?.connectUrl,
    fallback: CONNECT_DEFAULT_URL,
  });
  let url: URL;
  try {
    url = new URL(chosen.value);
  } catch {
    throw new UsageError(`Kafka Connect URL '${chosen.value}' (from ${chosen.source}) is not a URL`, 'use e.g. --connect-url http://localhost:8083');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Kafka Connect URL must be http:// or https://, got ${url.protocol}// (from ${chosen.source})`);
  }
  // Credentials in the URL are the most specific: they win over the environment and the context.
  const urlUser = url.username ? setting(decodeURIComponent(url.username), chosen.layer, chosen.source) : undefined;
  const urlPassword = url.password ? setting(decodeURIComponent(url.password), chosen.layer, chosen.source) : undefined;
  url.username = '';
  url.password = '';
  const username =
    (flags.user !== undefined ? pick(layers, { flag: [flags.user, '--connect-user'] }) : undefined) ??
    urlUser ??
    pick(layers, { env: [CONNECT_ENV.user], context: 'connectUsername' });
  const passwordEnv = layers.context.values.connectPasswordEnv;
  const password =
    urlPassword ??
    pick(layers, { env: [CONNECT_ENV.password] }) ??
    (passwordEnv && layers.env[passwordEnv]
      ? setting(layers.env[passwordEnv], 'context', `${contextSource(layers.context)} (env:${passwordEnv})`)
      : undefined) ??
    pick(layers, { context: 'connectPassword' });
  return {
    url: { ...chosen, value: url.toString().replace(/\/+$/, '') },
    username,
    password: username ? password : undefined,
    caFile: pick(layers, { flag: [flags.caFile, '--ca-file'], env: [CONNECT_ENV.caFile], context: 'connectCaFile' }),
    certFile: pick(layers, { flag: [flags.certFile, '--cert-file'], env: [CONNECT_ENV.certFile], context: 'connectCertFile' }),
    keyFile: pick(layers, { flag: [flags.keyFile, '--key-file'], env: [CONNECT_ENV.keyFile], context: 'connectKeyFile' }),
  };
}
