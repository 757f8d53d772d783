/**
 * The single-node KRaft broker and the Kafka Connect worker: both plain `java` processes on the
 * jars in `<stack dir>/lib`, configured from `<stack dir>/conf`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterruptedError } from '../errors';
import { StackStartError, tailFile } from './errors';
import type { StackLayout } from './layout';
import { isAlive, portOpen, startDetached, waitUntil } from './processes';
import { PG_PASSWORD } from './settings';
import { runTool } from './run-tool';

/** Modest heaps: two JVMs share 2 cores with Postgres and the tests. */
const JVM_OPTIONS = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-Djava.awt.headless=true'];

export const MAIN_CLASS: Record<'kafka' | 'connect', string> = {
  kafka: 'kafka.Kafka',
  connect: 'org.apache.kafka.connect.cli.ConnectDistributed',
};

export const CONFIG_FILE: Record<'kafka' | 'connect', string> = {
  kafka: 'server.properties',
  connect: 'connect-distributed.properties',
};

/** 16 random bytes, base64url: 22 characters. A leading '-' would read as an option. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(layout: StackLayout, mainClass: string, extra: string[]): string[] {
  return [
    ...JVM_OPTIONS,
    `-Dlog4j2.configurationFile=${path.join(layout.conf, 'log4j2.properties')}`,
    '-cp', `${layout.lib}/*`,
    mainClass, ...extra,
  ];
}

/** The cluster id of kept Kafka data (meta.properties), if any. */
export function keptClusterId(layout: StackLayout): string | undefined {
  try {
    return /^cluster\.id=(.+)$/m.exec(fs.readFileSync(path.join(layout.kafkaData, 'meta.properties'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * Formats the KRaft metadata folder; keeps an existing one (--ignore-formatted), whose cluster id
 * must then be the one passed: the kept id wins over `clusterId`.
 */
export async function formatStorage(layout: StackLayout, java: string, newId: string): Promise<void> {
  const log = layout.log('kafka');
  fs.writeFileSync(log, '');
  fs.mkdirSync(layout.kafkaData, { recursive: true });
  const clusterId = keptClusterId(layout) ?? newId;
  const run = await runTool(java, javaArgs(layout, 'kafka.tools.StorageTool', [
    'format', '-t', clusterId, '-c', path.join(layout.conf, CONFIG_FILE.kafka), '--standalone', '--ignore-formatted',
  ]), { logFile: log, cwd: layout.dir });
  if (run.code !== 0) throw new StackStartError('kafka', `storage format failed (exit ${run.code})`, log, tailFile(log));
}

/** Starts the broker or the Connect worker in the background; returns its pid. */
export function startJava(layout: StackLayout, java: string, service: 'kafka' | 'connect'): number {
  if (service === 'connect') fs.writeFileSync(layout.log('connect'), '');
  return startDetached(java, javaArgs(layout, MAIN_CLASS[service], [path.join(layout.conf, CONFIG_FILE[service])]), {
    logFile: layout.log(service),
    pidFile: layout.pidFile(service),
    cwd: layout.dir,
    // Connectors registered with `${env:PGPASSWORD}` resolve it here (config.providers=env).
    env: service === 'connect' ? { ...process.env, PGPASSWORD: PG_PASSWORD } : process.env,
  });
}

/** Marker that tells our JVMs from other processes with a reused pid. */
export function processMarker(layout: StackLayout, service: 'kafka' | 'connect'): string {
  return path.join(layout.conf, CONFIG_FILE[service]);
}

function logContains(file: string, text: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').includes(text);
  } catch {
    return false;
  }
}

function checkInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('interrupted while the stack was starting; stopped what had started');
}

export async function waitForBroker(layout: StackLayout, pid: number, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const log = layout.log('kafka');
  let died = false;
  const ready = await waitUntil(async () => {
    checkInterrupted(signal);
    if (!isAlive(pid)) return (died = true);
    return logContains(log, 'Kafka Server started') && (await portOpen(port));
  }, timeoutMs, 250);
  if (died) throw new StackStartError('kafka', 'the broker exited during start-up', log, tailFile(log));
  if (!ready) throw new StackStartError('kafka', `the broker was not ready after ${timeoutMs / 1000} s`, log, tailFile(log));
}

export const DEBEZIUM_POSTGRES_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';
export const DEBEZIUM_JDBC_SINK_CLASS = 'io.debezium.connector.jdbc.JdbcSinkConnector';
/** The connector plugins the stack's worker must list to count as ready. */
export const REQUIRED_PLUGINS = { postgres: DEBEZIUM_POSTGRES_CLASS, jdbcSink: DEBEZIUM_JDBC_SINK_CLASS } as const;

interface PluginInfo {
  class: string;
  type?: string;
  version?: string;
}

/** GET a Connect REST path; undefined when unreachable. */
export async function connectGet(connectUrl: string, route: string, timeoutMs = 2_000): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(`${connectUrl}${route}`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* plain text */ }
    return { status: response.status, body };
  } catch {
    return undefined;
  }
}

/** The versions of the required plugins that Connect lists (a missing one is absent). */
export async function requiredPluginVersions(connectUrl: string): Promise<Partial<Record<keyof typeof REQUIRED_PLUGINS, string>>> {
  const plugins = await connectGet(connectUrl, '/connector-plugins');
  if (plugins?.status !== 200 || !Array.isArray(plugins.body)) return {};
  const found: Partial<Record<keyof typeof REQUIRED_PLUGINS, string>> = {};
  for (const [name, cls] of Object.entries(REQUIRED_PLUGINS) as [keyof typeof REQUIRED_PLUGINS, string][]) {
    const plugin = (plugins.body as PluginInfo[]).find((p) => p.class === cls);
    if (plugin) found[name] = plugin.version ?? 'unknown';
  }
  return found;
}

/** The required plugin classes Connect does not list. */
export function missingPlugins(found: Partial<Record<keyof typeof REQUIRED_PLUGINS, string>>): string[] {
  return (Object.keys(REQUIRED_PLUGINS) as (keyof typeof REQUIRED_PLUGINS)[]).filter((k) => !found[k]).map((k) => REQUIRED_PLUGINS[k]);
}

export async function waitForConnect(layout: StackLayout, pid: number, connectUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const log = layout.log('connect');
  let died = false;
  let healthy = false;
  let missing: string[] = Object.values(REQUIRED_PLUGINS);
  const ready = await waitUntil(async () => {
    checkInterrupted(signal);
    if (!isAlive(pid)) return (died = true);
    healthy = healthy || (await connectGet(connectUrl, '/health'))?.status === 200;
    if (!healthy) return false;
    missing = missingPlugins(await requiredPluginVersions(connectUrl));
    return missing.length === 0;
  }, timeoutMs, 500);
  if (died) throw new StackStartError('connect', 'the Connect worker exited during start-up', log, tailFile(log));
  if (!ready) {
    const what = healthy ? `does not list ${missing.join(', ')} under /connector-plugins` : `/health did not answer 200 within ${timeoutMs / 1000} s`;
    throw new StackStartError('connect', `the Connect worker ${what}`, log, tailFile(log));
  }
}
