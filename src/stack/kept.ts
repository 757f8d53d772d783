/**
 * Data kept from an earlier run (as docker compose keeps named volumes): which services start on
 * their old data, and, once they run, what that data holds, so that `up` can say it. KRaft records
 * the controller's address at format time, so data formatted for another controller port cannot
 * start: that is refused with the way out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CdcError } from '../errors';
import { connectGet } from './kafka';
import type { ServiceName, StackLayout } from './layout';
import type { StackSettings, StackUrls } from './settings';

export interface KeptData {
  service: ServiceName;
  /** What it holds, e.g. "3 databases: bank, analytics, shop". */
  detail: string;
}

function dataFile(layout: StackLayout): string {
  return path.join(layout.dir, 'data.json');
}

/** The services whose data folder holds data from an earlier run. */
export function keptServices(layout: StackLayout, settings: StackSettings): ServiceName[] {
  const kept: ServiceName[] = [];
  if (fs.existsSync(path.join(layout.pgData, 'PG_VERSION'))) kept.push('postgres');
  if (fs.existsSync(path.join(layout.kafkaData, 'meta.properties'))) kept.push('kafka');
  if (settings.with.includes('s3') && fs.existsSync(layout.s3Data)) kept.push('s3');
  if (settings.with.includes('mongo') && fs.existsSync(layout.mongoFile)) kept.push('mongo');
  return kept;
}

/** Refuses kept Kafka data formatted for another controller port; records the port otherwise. */
export function checkControllerPort(layout: StackLayout, settings: StackSettings, kafkaKept: boolean): void {
  let recorded: number | undefined;
  try {
    recorded = (JSON.parse(fs.readFileSync(dataFile(layout), 'utf8')) as { controllerPort?: number }).controllerPort;
  } catch {
    recorded = undefined;
  }
  if (kafkaKept && recorded !== undefined && recorded !== settings.ports.controller) {
    throw new CdcError(`the Kafka data kept in ${layout.kafkaData} belongs to a KRaft controller on port ${recorded}, not ${settings.ports.controller}`, {
      hint: `start with --controller-port ${recorded}, or wipe the kept data first: cdc stack down --purge`,
    });
  }
  fs.writeFileSync(dataFile(layout), JSON.stringify({ controllerPort: settings.ports.controller }) + '\n');
}

function names(list: string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')}, … (${list.length - max} more)`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** What the kept data holds, asked of the running services; a service that cannot say is skipped. */
export async function describeKept(kept: ServiceName[], layout: StackLayout, urls: StackUrls): Promise<KeptData[]> {
  const result: KeptData[] = [];
  for (const service of kept) {
    const detail = await describe(service, layout, urls).catch(() => undefined);
    if (detail !== undefined) result.push({ service, detail });
  }
  return result;
}

async function describe(service: ServiceName, layout: StackLayout, urls: StackUrls): Promise<string | undefined> {
  switch (service) {
    case 'postgres': {
      const { loadPg } = await import('../pg/connection');
      const { Client } = await loadPg();
      const client = new Client({ connectionString: urls.pgUrl, connectionTimeoutMillis: 3_000 });
      await client.connect();
      try {
        const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where not datistemplate and datname <> 'postgres' order by datname`);
        const slots = await client.query('select 1 from pg_replication_slots');
        return `${count(rows.length, 'database')}${rows.length ? ` (${names(rows.map((r) => r.datname))})` : ''}, ${count(slots.rowCount ?? 0, 'replication slot')}`;
      } finally {
        await client.end().catch(() => {});
      }
    }
    case 'kafka': {
      const topics = fs.readdirSync(layout.kafkaData, { withFileTypes: true })
        .filter((e) => e.isDirectory() && /-\d+$/.test(e.name) && !e.name.startsWith('__'))
        .map((e) => e.name.replace(/-\d+$/, ''));
      const own = [...new Set(topics)].filter((t) => !t.startsWith('connect-')).sort();
      const connectors = await connectGet(urls.connectUrl, '/connectors');
      const list = Array.isArray(connectors?.body) ? (connectors.body as string[]).sort() : [];
      return `${count(own.length, 'topic')}${own.length ? ` (${names(own)})` : ''}, ${count(list.length, 'connector')}${list.length ? ` (${names(list)})` : ''}`;
    }
    case 's3': {
      const buckets = fs.readdirSync(layout.s3Data, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      const objects = buckets.reduce((sum, b) => sum + countFiles(path.join(layout.s3Data, b)), 0);
      return `${count(buckets.length, 'bucket')} (${names(buckets)}), ${count(objects, 'object')}`;
    }
    case 'mongo': {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(urls.mongoUrl!, { serverSelectionTimeoutMS: 2_000 });
      try {
        const { databases } = await client.db('admin').admin().listDatabases();
        const own = databases.map((d) => d.name).filter((n) => !['admin', 'local', 'config'].includes(n)).sort();
        return `${count(own.length, 'database')}${own.length ? ` (${names(own)})` : ''}`;
      } finally {
        await client.close().catch(() => {});
      }
    }
    default:
      return undefined;
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += countFiles(path.join(dir, entry.name));
    else if (!entry.name.startsWith('.')) n += 1;
  }
  return n;
}
