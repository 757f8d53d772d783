/**
 * Shared by the sink integration tests: a source schema captured by a real Debezium connector, a
 * target database of its own in the stack's PostgreSQL, the topics read back with `cdc watch -o
 * records`, and a workload runner that notes when each step ran (the source's own clock).
 */
import { Client } from 'pg';
import type { SinkRecord } from '../../src/sink';
import { removeDebeziumPipeline, withPg } from '../helpers/pipeline';
import { sinkRecordOfLine } from '../helpers/records';
import { describeResult, runCli } from '../helpers/run-cli';
import { stackUrls, type StackUrls } from '../helpers/stack';

export interface SinkFixture {
  urls: StackUrls;
  env: NodeJS.ProcessEnv;
  /** Source schema = connector name = topic prefix. */
  name: string;
  targetDb: string;
  targetUrl: string;
  topic(table: string): string;
}

export function sinkFixture(name: string): SinkFixture {
  const urls = stackUrls();
  const target = new URL(urls.pgUrl);
  target.pathname = `/${name}_target`;
  return {
    urls,
    env: { DATABASE_URL: urls.pgUrl, CDC_BROKERS: urls.brokers, CDC_CONNECT_URL: urls.connectUrl, PGPASSWORD: new URL(urls.pgUrl).password },
    name,
    targetDb: `${name}_target`,
    targetUrl: target.toString(),
    topic: (table) => `${name}.${name}.${table}`,
  };
}

export async function createTargetDb(f: SinkFixture): Promise<void> {
  await withPg(f.urls.pgUrl, (c) => c.query(`CREATE DATABASE "${f.targetDb}"`));
}

/** Registers the connector with truncates captured (Debezium skips them by default). */
export async function registerConnector(f: SinkFixture, tables: string[]): Promise<void> {
  const pgUrlNoPassword = (() => {
    const u = new URL(f.urls.pgUrl);
    u.password = '';
    return u.toString();
  })();
  const result = await runCli(
    [
      'connector',
      'register',
      f.name,
      ...tables.flatMap((t) => ['--table', `${f.name}.${t}`]),
      '--pg-url',
      pgUrlNoPassword,
      '--topic-prefix',
      f.name,
      '--set',
      'skipped.operations=none',
      '--wait',
      '--wait-timeout',
      '120',
    ],
    { env: f.env, timeoutMs: 180_000 },
  );
  if (result.code !== 0) throw new Error(`connector register failed\n${describeResult(result)}`);
}

export async function cleanUp(f: SinkFixture, tables: string[]): Promise<void> {
  for (const table of tables) await removeDebeziumPipeline(f.urls, f.env, { connector: f.name, schema: f.name, topic: f.topic(table) }).catch(() => undefined);
  await withPg(f.urls.pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${f.targetDb}" WITH (FORCE)`)).catch(() => undefined);
}

/** `cdc sink postgres` of the topics `selector` names into the fixture's target, schema analytics, to the end, with a --json summary. */
export function sinkIntoAnalytics(f: SinkFixture, selector: string[]): string[] {
  return ['sink', 'postgres', ...selector, '--target-url', f.targetUrl, '--target-schema', 'analytics', '--group', `${f.name}_sink`, '--exit-at-end', '--json'];
}

/** Every record of the topics, as `cdc watch --exit-at-end -o records` reads them, per topic in offset order. */
export async function readTopics(f: SinkFixture, topics: string[]): Promise<SinkRecord[]> {
  const result = await runCli(['watch', ...topics, '--exit-at-end', '-o', 'records', '-q'], { env: f.env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`cdc watch failed\n${describeResult(result)}`);
  return result.stdout.trim().split('\n').filter(Boolean).map(sinkRecordOfLine);
}

/** Waits until the topics hold a record whose value satisfies `done` (Debezium is asynchronous). */
export async function readTopicsUntil(f: SinkFixture, topics: string[], done: (records: SinkRecord[]) => boolean, timeoutMs = 120_000): Promise<SinkRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readTopics(f, topics).catch((err: Error) => {
      if (Date.now() > deadline) throw err;
      return [];
    });
    if (done(records)) return records;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the events (${records.length} records so far)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function valueText(record: SinkRecord): string {
  return record.value ? record.value.toString('utf8') : '';
}

/** Runs workload steps, each noting the source clock just before and after it. */
export class Workload {
  readonly steps = new Map<string, { before: Date; after: Date }>();
  constructor(private readonly client: Client) {}

  static async connect(pgUrl: string): Promise<Workload> {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    return new Workload(client);
  }

  async now(): Promise<Date> {
    const { rows } = await this.client.query('SELECT clock_timestamp() AS t');
    return rows[0].t as Date;
  }

  /** The same as text, to the microsecond (a Date keeps milliseconds). */
  async nowText(): Promise<string> {
    const { rows } = await this.client.query<{ t: string }>('SELECT clock_timestamp()::text AS t');
    return rows[0].t;
  }

  async step(name: string, sql: string): Promise<void> {
    const before = await this.now();
    await this.client.query(sql);
    this.steps.set(name, { before, after: await this.now() });
  }

  async query<T>(sql: string): Promise<T[]> {
    return (await this.client.query(sql)).rows as T[];
  }

  async end(): Promise<void> {
    await this.client.end();
  }
}
