/**
 * How to reach Kafka Connect: the resolved settings (`ctx.settings.connect`, see src/settings)
 * plus the per-command request limits, and the HTTP client built from them.
 */
import { promises as fs } from 'node:fs';
import { UsageError, InputError } from '../errors';
import type { ConnectSettings } from '../settings';
import { ConnectClient, type ClientHooks } from './client';
import { Redactor } from './redactor';

export interface ConnectFlags {
  /** Seconds per request (a number once commander parsed it). */
  timeout?: string | number;
}

import type { ConnectOptions } from './client';

export type { ConnectOptions };

export function connectOptions(settings: ConnectSettings, flags: ConnectFlags = {}): ConnectOptions {
  const timeoutSeconds = flags.timeout === undefined ? 60 : Number(flags.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
  }
  return {
    url: settings.url.value,
    urlSource: settings.url.source,
    username: settings.username?.value,
    password: settings.password?.value,
    caFile: settings.caFile?.value,
    certFile: settings.certFile?.value,
    keyFile: settings.keyFile?.value,
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
    readPem(options.caFile, 'CA'),
    readPem(options.certFile, 'client certificate'),
    readPem(options.keyFile, 'client key'),
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
