/**
 * Benchmark: `cdc sink postgres` against Debezium's own JDBC sink connector, in the same run, on
 * the same real topic. The topic holds 200,000 change events made by Debezium from a workload on a
 * table of 20,000 keys (20 % inserts, 70 % updates, 10 % deletes, each delete followed by its
 * tombstone). Each sink is timed from its start until the target holds the source's final state:
 *   cdc sink postgres T --exit-at-end         full SCD2 history (every version) into bench_cdc
 *   JdbcSinkConnector, insert.mode=upsert     the current rows only, into bench_jdbc
 * cdc's peak RSS comes from /usr/bin/time. Needs the running stack (`cdc stack up`), whose worker
 * carries the JDBC sink. Usage: npm run bench:sink [-- --events 200000 --keys 20000 --batch-size 5000 --jdbc-batch-size 5000 --keep]
 */
import * as os from 'node:os';
import { Client } from 'pg';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir } from '../src/stack/settings';
import { readState } from '../src/stack/state';
import { arg, changeTopic, timedCdc, waitFor } from './change-topic';

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function finalState(client: Client, table: string, where = 'true'): Promise<string> {
  const { rows } = await client.query(
    `SELECT count(*)::text || ' ' || coalesce(sum(qty), 0)::text || ' ' || coalesce(sum(price), 0)::text AS s FROM ${table} WHERE ${where}`,
  );
  return rows[0].s as string;
}

async function main(): Promise<void> {
  const events = arg('events', 200_000);
  const keys = arg('keys', 20_000);
  const batchSize = arg('batch-size', 5000);
  const jdbcBatchSize = arg('jdbc-batch-size', 0);
  const keep = process.argv.includes('--keep');
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state?.urls.targetUrl) throw new Error('no running stack with a target database: start one with `node bin/cdc.js stack up`');
  const { pgUrl, brokers, connectUrl, targetUrl } = state.urls;
  const name = `benchsink_${events}`;
  const env = { DATABASE_URL: pgUrl, CDC_BROKERS: brokers, CDC_CONNECT_URL: connectUrl, PGPASSWORD: new URL(pgUrl).password };
  const made = await changeTopic({ name, events, keys, pgUrl, brokers, env, timeoutMs: 900_000 });
  const { topic, source } = made;
  const target = new Client({ connectionString: targetUrl });
  await target.connect();
  const sourceState = await finalState(source, `${name}.item`);
  process.stderr.write(`topic ${topic}: ${await made.records()} records; source final state (rows, sum qty, sum price) ${sourceState}\n`);

  const startedAt = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const loadAtStart = loadAverage();
  // cdc sink postgres: full history.
  await target.query('DROP SCHEMA IF EXISTS bench_cdc CASCADE');
  await target.query(`DELETE FROM cdc_sink.tables WHERE target_schema = 'bench_cdc'`).catch(() => undefined);
  const group = `bench_cdc_${Date.now()}`;
  const sink = await timedCdc(
    [
      'sink',
      'postgres',
      topic,
      '--target-url',
      targetUrl,
      '--target-schema',
      'bench_cdc',
      '--group',
      group,
      '--exit-at-end',
      '--batch-size',
      String(batchSize),
      '--json',
    ],
    env,
  );
  const { seconds: cdcSeconds, peakKb } = sink;
  if (sink.code !== 0) throw new Error(`cdc sink postgres failed:\n${sink.stderr}`);
  const summary = JSON.parse(sink.stdout) as { records: number; tables: { versionsOpened: number; deletes: number }[] };
  const cdcState = await finalState(target, 'bench_cdc.item_history', 'is_current');
  if (cdcState !== sourceState) throw new Error(`cdc: the current versions (${cdcState}) are not the source (${sourceState})`);
  const historyRows = Number((await target.query('SELECT count(*) AS n FROM bench_cdc.item_history')).rows[0].n);
  // Autovacuum would otherwise clean up after cdc's 160,000 closed versions while the JDBC sink is
  // being timed: done now, untimed, so neither run pays for the other.
  await target.query('VACUUM ANALYZE bench_cdc.item_history');

  // Debezium's JDBC sink, upsert mode: the current rows only.
  // A new name each run: a sink connector resumes from its consumer group's offsets (connect-<name>).
  const jdbc = `${name}_jdbc_${Date.now().toString(36)}`;
  await target.query('DROP SCHEMA IF EXISTS bench_jdbc CASCADE; CREATE SCHEMA bench_jdbc');
  const t = new URL(targetUrl);
  const config = {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connection.url': `jdbc:postgresql://${t.hostname}:${t.port}${t.pathname}`,
    'connection.username': decodeURIComponent(t.username),
    'connection.password': decodeURIComponent(t.password),
    'insert.mode': 'upsert',
    'delete.enabled': 'true',
    'primary.key.mode': 'record_key',
    'schema.evolution': 'basic',
    'collection.name.format': 'bench_jdbc.${source.table}',
    'consumer.override.auto.offset.reset': 'earliest',
    // --jdbc-batch-size N: the sink's batch.size and its consumer's max.poll.records (default: the
    // connector's own, 500 each), e.g. the same 5000 cdc writes per transaction.
    ...(jdbcBatchSize > 0 ? { 'batch.size': String(jdbcBatchSize), 'consumer.override.max.poll.records': String(jdbcBatchSize) } : {}),
  };
  const started = process.hrtime.bigint();
  const put = await fetch(`${connectUrl}/connectors/${jdbc}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!put.ok) throw new Error(`registering the JDBC sink failed: ${put.status} ${await put.text()}`);
  await waitFor('the JDBC sink to reach the final state', async () => (await finalState(target, 'bench_jdbc.item')) === sourceState, 1_800_000);
  const jdbcSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  process.stdout.write(
    [
      `started ${startedAt} UTC at load average ${loadAtStart}; ended at ${loadAverage()}`,
      `${events} change events (${summary.records} records with tombstones) over ${keys} keys, one partition; cdc --batch-size ${batchSize}`,
      '| sink | writes | seconds | events/s | peak RSS |',
      '|---|---|---|---|---|',
      `| cdc sink postgres | full history: ${historyRows} rows | ${cdcSeconds.toFixed(1)} | ${Math.round(events / cdcSeconds)} | ${(peakKb / 1024).toFixed(0)} MB |`,
      `| Debezium JDBC sink 3.4.3 (upsert${jdbcBatchSize > 0 ? `, batch.size ${jdbcBatchSize}` : ''}) | current rows: ${sourceState.split(' ')[0]} | ${jdbcSeconds.toFixed(1)} | ${Math.round(events / jdbcSeconds)} | (in the Connect worker) |`,
      `cdc / JDBC throughput: ${(jdbcSeconds / cdcSeconds).toFixed(2)}x`,
      '',
    ].join('\n'),
  );

  await fetch(`${connectUrl}/connectors/${jdbc}`, { method: 'DELETE' }).catch(() => undefined);
  if (!keep) await made.remove(connectUrl, (c) => c.startsWith(`${name}_jdbc`));
  await made.close();
  await target.end();
}

main().catch((err) => {
  process.stderr.write(`bench:sink failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
