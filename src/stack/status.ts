/**
 * Health of each stack service, checked for real: a password login to PostgreSQL over TCP, a
 * metadata request to the broker, Connect's /health and its plugin list, and for the extras a
 * signed S3 ListBuckets and a MongoDB command.
 */
import * as fs from 'node:fs';
import { extraMarker, probeExtra } from './extras';
import { CORE_SERVICES, stackLayout, type ServiceName } from './layout';
import { connectGet, missingPlugins, processMarker, requiredPluginVersions } from './kafka';
import { postmasterPid } from './postgres';
import { isOurProcess, readPid } from './processes';
import { stackUrls, type StackSettings } from './settings';
import { readState } from './state';
import { loadPg } from '../pg/connection';
import { loadKafkajs } from '../kafka/client';

export interface ServiceStatus {
  service: ServiceName;
  port: number;
  /** Pid of our process when its pid file points at a live one. */
  pid: number | null;
  healthy: boolean;
  detail: string;
}

export interface StackStatus {
  /** running: all healthy; degraded: some; stopped: none. */
  state: 'running' | 'degraded' | 'stopped';
  dir: string;
  urls: ReturnType<typeof stackUrls>;
  services: ServiceStatus[];
  logs: string;
  startedAt: string | null;
}

export async function probePostgres(pgUrl: string): Promise<{ healthy: boolean; detail: string }> {
  const { Client } = await loadPg();
  const client = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 2_000, query_timeout: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string; wal: string }>(`select current_setting('server_version') as v, current_setting('wal_level') as wal`);
    const { v, wal } = rows[0];
    return wal === 'logical'
      ? { healthy: true, detail: `PostgreSQL ${v}, wal_level=logical` }
      : { healthy: false, detail: `PostgreSQL ${v} with wal_level=${wal} (logical needed)` };
  } catch (err) {
    return { healthy: false, detail: (err as Error).message || String(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function probeKafka(brokers: string): Promise<{ healthy: boolean; detail: string }> {
  const { Kafka, logLevel } = await loadKafkajs();
  const kafka = new Kafka({ clientId: 'cdc-stack-status', brokers: [brokers], logLevel: logLevel.NOTHING, connectionTimeout: 2_000, requestTimeout: 5_000, retry: { retries: 1 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { healthy: true, detail: `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)` };
  } catch (err) {
    return { healthy: false, detail: (err as Error).message || String(err) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function probeConnect(connectUrl: string): Promise<{ healthy: boolean; detail: string }> {
  const health = await connectGet(connectUrl, '/health');
  if (!health) return { healthy: false, detail: `no answer from ${connectUrl}` };
  if (health.status !== 200) return { healthy: false, detail: `/health answered ${health.status}` };
  const root = await connectGet(connectUrl, '/');
  const version = (root?.body as { version?: string } | undefined)?.version ?? 'unknown';
  const plugins = await requiredPluginVersions(connectUrl);
  const missing = missingPlugins(plugins);
  return missing.length === 0
    ? { healthy: true, detail: `Kafka Connect ${version}, Debezium PostgreSQL ${plugins.postgres}, JDBC sink ${plugins.jdbcSink}` }
    : { healthy: false, detail: `Kafka Connect ${version} without ${missing.join(', ')}` };
}

/** Pid of one of our services, when its pid file points at a live process of this stack. */
export function livePid(settings: Pick<StackSettings, 'dir'>, service: ServiceName): number | null {
  const layout = stackLayout(settings.dir);
  if (service === 'postgres') {
    const pid = postmasterPid(layout);
    return pid !== undefined && isOurProcess(pid, layout.pgData) ? pid : null;
  }
  const pid = readPid(layout.pidFile(service));
  const marker = service === 's3' || service === 'mongo' ? extraMarker(layout, service) : processMarker(layout, service);
  return pid !== undefined && isOurProcess(pid, marker) ? pid : null;
}

const PORT_OF: Record<ServiceName, keyof StackSettings['ports']> = { postgres: 'pg', kafka: 'kafka', connect: 'connect', s3: 's3', mongo: 'mongo' };

/** The core services and the extras of `settings.with`, each probed for real (in parallel). */
export async function stackStatus(settings: StackSettings): Promise<StackStatus> {
  const layout = stackLayout(settings.dir);
  const urls = stackUrls(settings.ports, settings.with);
  const probes: Record<ServiceName, () => Promise<{ healthy: boolean; detail: string }>> = {
    postgres: () => probePostgres(urls.pgUrl),
    kafka: () => probeKafka(urls.brokers),
    connect: () => probeConnect(urls.connectUrl),
    s3: () => probeExtra('s3', urls.s3Url!),
    mongo: () => probeExtra('mongo', urls.mongoUrl!),
  };
  const names: ServiceName[] = [...CORE_SERVICES, ...settings.with];
  const results = await Promise.all(names.map((service) => probes[service]()));
  const services = names.map((service, i) => ({ service, port: settings.ports[PORT_OF[service]], pid: livePid(settings, service), ...results[i] }));
  const healthyCount = services.filter((s) => s.healthy).length;
  const state = healthyCount === services.length ? 'running' : healthyCount === 0 ? 'stopped' : 'degraded';
  return {
    state,
    dir: settings.dir,
    urls,
    services,
    logs: layout.logs,
    startedAt: fs.existsSync(layout.stateFile) ? readState(layout)?.startedAt ?? null : null,
  };
}
