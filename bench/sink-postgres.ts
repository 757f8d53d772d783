/**
 * Benchmark: `cdc sink postgres` against Debezium's own JDBC sink connector, in the same run, on
 * the same real topic. The topic holds 200,000 change events made by Debezium from a workload on a
 * table of 20,000 keys (20 % inserts, 70 % updates, 10 % deletes, each delete followed by its
 * tombstone). Each sink is timed from its start until the target holds the source's final state:
 *   cdc sink postgres T --exit-at-end         full SCD2 history (every version) into bench_cdc
 *   JdbcSinkConnector, insert.mode=upsert     the current rows only, into bench_jdbc
 * cdc's peak RSS comes from /usr/bin/time. Needs the running stack (`cdc stack up`), whose worker
 * carries the JDBC sink. Usage: npm run bench:sink [-- --events 200000 --keys 20000 --batch-size 5000 --keep]
 */
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir } from '../src/stack/settings';
import { readState } from '../src/stack/state';
import { run, waitFor, workload } from './change-topic';

const CDC = path.resolve(__dirname, '../../bin/cdc.js');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

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
  const keep = process.argv.includes('--keep');
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state?.urls.targetUrl) throw new Error('no running stack with a target database: start one with `node bin/cdc.js stack up`');
  const { pgUrl, brokers, connectUrl, targetUrl } = state.urls;
  const name = `benchsink_${events}`;
  const topic = `${name}.${name}.item`;
  const env = { DATABASE_URL: pgUrl, CDC_BROKERS: brokers, CDC_CONNECT_URL: connectUrl, PGPASSWORD: new URL(pgUrl).password };
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const source = new Client({ connectionString: pgUrl });
  await source.connect();
  const target = new Client({ connectionString: targetUrl });
  await target.connect();
  const inTopic = async () =>
    (await admin.listTopics()).includes(topic) ? (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0) : 0;
  const expectedRecords = events + Math.round(events * 0.1); // every delete is followed by a tombstone

  if ((await inTopic()) < expectedRecords) {
    process.stderr.write(`making ${events} change events in ${topic}…\n`);
    await source.query(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name};
      CREATE TABLE ${name}.item (id int PRIMARY KEY, name text, qty int, price numeric(10,2), updated timestamp)`);
    const noPassword = new URL(pgUrl);
    noPassword.password = '';
    // A new connector name each time: Connect keeps a deleted connector's offsets under its name.
    const connector = `${name}_${Date.now().toString(36)}`;
    const reg = await run(
      process.execPath,
      [CDC, 'connector', 'register', connector, '--table', `${name}.item`, '--pg-url', noPassword.toString(), '--topic-prefix', name, '--wait'],
      env,
    );
    if (reg.code !== 0) throw new Error(`connector register failed:\n${reg.stderr}`);
    const sql = workload(name, events, keys);
    // 100 statements per transaction: Debezium still writes one event per row change.
    for (let i = 0; i < sql.length; i += 100) await source.query(`BEGIN; ${sql.slice(i, i + 100).join('; ')}; COMMIT`);
    await waitFor('Debezium to write every event', async () => (await inTopic()) >= expectedRecords, 900_000);
  }
  const sourceState = await finalState(source, `${name}.item`);
  process.stderr.write(`topic ${topic}: ${await inTopic()} records; source final state (rows, sum qty, sum price) ${sourceState}\n`);

  // cdc sink postgres: full history.
  await target.query('DROP SCHEMA IF EXISTS bench_cdc CASCADE');
  await target.query(`DELETE FROM cdc_sink.tables WHERE target_schema = 'bench_cdc'`).catch(() => undefined);
  const group = `bench_cdc_${Date.now()}`;
  let started = process.hrtime.bigint();
  const sink = await run(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      CDC,
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
  const cdcSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink.code !== 0) throw new Error(`cdc sink postgres failed:\n${sink.stderr}`);
  const peakKb = Number(sink.stderr.trim().split('\n').at(-1));
  const summary = JSON.parse(sink.stdout) as { records: number; tables: { versionsOpened: number; deletes: number }[] };
  const cdcState = await finalState(target, 'bench_cdc.item_history', 'is_current');
  if (cdcState !== sourceState) throw new Error(`cdc: the current versions (${cdcState}) are not the source (${sourceState})`);
  const historyRows = Number((await target.query('SELECT count(*) AS n FROM bench_cdc.item_history')).rows[0].n);

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
  };
  started = process.hrtime.bigint();
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
      `${events} change events (${summary.records} records with tombstones) over ${keys} keys, one partition; cdc --batch-size ${batchSize}`,
      '| sink | writes | seconds | events/s | peak RSS |',
      '|---|---|---|---|---|',
      `| cdc sink postgres | full history: ${historyRows} rows | ${cdcSeconds.toFixed(1)} | ${Math.round(events / cdcSeconds)} | ${(peakKb / 1024).toFixed(0)} MB |`,
      `| Debezium JDBC sink 3.4.3 (upsert) | current rows: ${sourceState.split(' ')[0]} | ${jdbcSeconds.toFixed(1)} | ${Math.round(events / jdbcSeconds)} | (in the Connect worker) |`,
      `cdc / JDBC throughput: ${(jdbcSeconds / cdcSeconds).toFixed(2)}x`,
      '',
    ].join('\n'),
  );

  await fetch(`${connectUrl}/connectors/${jdbc}`, { method: 'DELETE' }).catch(() => undefined);
  if (!keep) {
    const connectors = ((await (await fetch(`${connectUrl}/connectors`)).json()) as string[]).filter(
      (c) => c.startsWith(`${name}_`) && !c.startsWith(`${name}_jdbc`),
    );
    for (const connector of connectors) {
      await run(process.execPath, [CDC, 'connector', 'delete', connector, '--yes'], env);
      for (let i = 0; i < 20; i++) {
        const { rows } = await source.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [connector]);
        if (rows.length === 0 || !rows[0].active) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await source.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [connector]);
    }
    for (const { pubname } of (await source.query('SELECT pubname FROM pg_publication WHERE pubname LIKE $1', [`${name}%`])).rows)
      await source.query(`DROP PUBLICATION "${pubname}"`);
    await source.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }
  await source.end();
  await target.end();
  await admin.disconnect();
}

main().catch((err) => {
  process.stderr.write(`bench:sink failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
