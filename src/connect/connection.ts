/**
 * Where and how to reach Kafka Connect: URL (flag > CDC_CONNECT_URL > config context > default),
 * basic-auth credentials, and TLS material for HTTPS. Passwords never come from a flag: from
 * CDC_CONNECT_PASSWORD, the variable a context names, or (discouraged) the context itself.
 */
import { promises as fs } from 'node:fs';
import { UsageError, InputError } from '../errors';
import { contextSettings, readConfigFile, configPath, type ContextSettings } from '../config/config-file';
import { resolveSetting, type Resolved } from '../config/resolve';
import { ConnectClient, type ClientHooks } from './client';
import { Redactor } from './redactor';

export interface ConnectFlags {
  connectUrl?: string;
  connectUser?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Seconds per request. */
  timeout?: string;
}

export interface ConnectOptions {
  url: string;
  urlSource: Resolved<string>['source'];
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  timeoutMs: number;
  /** How long transient answers (rebalance, 503) are retried in total. */
  retryBudgetMs: number;
}

export const PASSWORD_ENV = 'CDC_CONNECT_PASSWORD';
export const USER_ENV = 'CDC_CONNECT_USER';

/** Loads the config file and returns the chosen context (by --context or the current one). */
export async function loadContext(env: NodeJS.ProcessEnv, name?: string): Promise<{ name?: string; settings: ContextSettings }> {
  const file = await readConfigFile(env);
  if (name && !file.contexts[name]) {
    throw new UsageError(`no context named '${name}' in ${configPath(env)}`, 'list them with `cdc config get-contexts`');
  }
  const chosen = name ?? file.currentContext;
  return { name: chosen, settings: contextSettings(file, chosen) };
}

export async function resolveConnectOptions(flags: ConnectFlags, env: NodeJS.ProcessEnv, contextName?: string): Promise<ConnectOptions> {
  const context = await loadContext(env, contextName);
  const settings = context.settings;
  const resolved = resolveSetting('connectUrl', flags.connectUrl, env, settings, context.name);
  let url: URL;
  try {
    url = new URL(resolved.value);
  } catch {
    throw new UsageError(`'${resolved.value}' (from ${resolved.source}) is not a URL`, 'use e.g. --connect-url http://localhost:8083');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Kafka Connect URL must be http:// or https://, got ${url.protocol}//`);
  }
  // Credentials inside the URL are taken out so that the URL can be printed.
  // Credentials in the URL are the most specific: they win over the environment and the context.
  const urlUser = url.username ? decodeURIComponent(url.username) : undefined;
  const urlPassword = url.password ? decodeURIComponent(url.password) : undefined;
  const username = flags.connectUser || urlUser || env[USER_ENV] || settings.connectUsername;
  const password = urlPassword
    || env[PASSWORD_ENV]
    || (settings.connectPasswordEnv ? env[settings.connectPasswordEnv] : undefined)
    || settings.connectPassword;
  url.username = '';
  url.password = '';
  const timeoutSeconds = flags.timeout === undefined ? 60 : Number(flags.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
  }
  return {
    url: url.toString().replace(/\/+$/, ''),
    urlSource: resolved.source,
    username,
    password: username ? password : undefined,
    caFile: flags.caFile || settings.connectCaFile,
    certFile: flags.certFile || settings.connectCertFile,
    keyFile: flags.keyFile || settings.connectKeyFile,
    timeoutMs: timeoutSeconds * 1000,
    retryBudgetMs: 30_000,
  };
}

async function readPem(file: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!file) return undefined;
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new InputError(`cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** Builds the axios-backed client. axios and https load here, not at start-up. */
export async function createConnectClient(options: ConnectOptions, redactor = new Redactor(), hooks: ClientHooks = {}): Promise<ConnectClient> {
  const [{ default: axios }, https] = await Promise.all([import('axios'), import('node:https')]);
  if (options.password) redactor.add(options.password);
  const [ca, cert, key] = await Promise.all([
    readPem(options.caFile, 'CA'), readPem(options.certFile, 'client certificate'), readPem(options.keyFile, 'client key'),
  ]);
  if (Boolean(cert) !== Boolean(key)) {
    throw new UsageError('a client certificate needs both --cert-file and --key-file');
  }
  const http = axios.create({
    baseURL: options.url,
    timeout: options.timeoutMs,
    auth: options.username ? { username: options.username, password: options.password ?? '' } : undefined,
    httpsAgent: options.url.startsWith('https:') ? new https.Agent({ ca, cert, key, keepAlive: true }) : undefined,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    // Raw text: cdc parses it itself (plain-text 401s; 64-bit offsets must survive exactly).
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false,
  });
  return new ConnectClient(http, options, redactor, hooks);
}
