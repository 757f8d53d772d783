/**
 * Proves the stack is real: Debezium captures bank.holding from PostgreSQL into Kafka through the
 * Connect REST API, kafkajs talks to the broker, and `cdc stack` starts, reports and stops a second
 * stack leaving nothing behind. Everything here uses names of its own (a database, a topic prefix,
 * a slot, a group) and removes them afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { describeResult, runCli } from '../helpers/run-cli';
import { freePorts } from '../helpers/private-stack';
import { stackUrls } from '../helpers/stack';
import { resolveStackSettings } from '../../src/stack/settings';
import { portOpen } from '../../src/stack/processes';

const urls = stackUrls();
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const database = `stack_it_${suffix}`;
const prefix = `stackit_${suffix}`;
const slot = `stackit_${suffix}`;
const connectorName = `stack-it-${suffix}`;
const topic = `${prefix}.bank.holding`;

function pgUrlFor(db: string): string {
  const url = new URL(urls.pgUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function connect(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(`${urls.connectUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const kafka = new Kafka({ clientId: `stack-it-${suffix}`, brokers: [urls.brokers], logLevel: logLevel.NOTHING });

describe('the stack captures changes end to end', () => {
  beforeAll(async () => {
    await withClient(urls.pgUrl, (c) => c.query(`create database ${database}`));
  });

  afterAll(async () => {
    await connect('DELETE', `/connectors/${connectorName}`);
    await withClient(urls.pgUrl, async (c) => {
      // The slot stays active for a moment after the connector's task stops.
      await eventually(
        'the slot to be released',
        async () => {
          const { rows } = await c.query('select active from pg_replication_slots where slot_name = $1', [slot]);
          if (rows.length === 0) return true;
          if (rows[0].active) return undefined;
          await c.query('select pg_drop_replication_slot($1)', [slot]);
          return true;
        },
        30_000,
      );
      await withClient(pgUrlFor(database), (db) => db.query(`drop publication if exists ${slot}_pub`)).catch(() => undefined);
      await c.query(`drop database if exists ${database} with (force)`);
    });
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  test('Debezium streams insert, update, delete and the tombstone of bank.holding', async () => {
    await withClient(pgUrlFor(database), async (c) => {
      await c.query('create schema bank');
      await c.query('create table bank.holding (id bigint primary key, account text not null, symbol text not null, quantity bigint not null)');
      await c.query('alter table bank.holding replica identity full');
    });

    const created = await connect('POST', '/connectors', {
      name: connectorName,
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': '127.0.0.1',
        'database.port': new URL(urls.pgUrl).port,
        'database.user': 'postgres',
        'database.password': 'postgres',
        'database.dbname': database,
        'topic.prefix': prefix,
        'plugin.name': 'pgoutput',
        'slot.name': slot,
        'publication.name': `${slot}_pub`,
        'publication.autocreate.mode': 'filtered',
        'table.include.list': 'bank.holding',
        'snapshot.mode': 'no_data',
      },
    });
    expect(created.status).toBe(201);

    // Changes count from the moment the slot exists and the connector streams from it.
    await eventually('the connector task to run', async () => {
      const status = await connect('GET', `/connectors/${connectorName}/status`);
      const tasks = (status.json as { tasks?: { state: string; trace?: string }[] } | undefined)?.tasks ?? [];
      if (tasks.some((t) => t.state === 'FAILED')) throw new Error(`task failed: ${status.text}`);
      return tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING') ? true : undefined;
    });
    await withClient(urls.pgUrl, (c) =>
      eventually('the slot to be active', async () => {
        const { rows } = await c.query('select active from pg_replication_slots where slot_name = $1', [slot]);
        return rows[0]?.active ? true : undefined;
      }),
    );

    await withClient(pgUrlFor(database), async (c) => {
      await c.query(`insert into bank.holding values (4201, 'ACC-1', 'ACME', 10)`);
      await c.query(`update bank.holding set quantity = 25 where id = 4201`);
      await c.query(`delete from bank.holding where id = 4201`);
    });

    const consumer = kafka.consumer({ groupId: `stack-it-${suffix}` });
    await consumer.connect();
    const messages: KafkaMessage[] = [];
    try {
      await eventually('the topic to exist', async () => ((await kafkaTopics()).includes(topic) ? true : undefined));
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
        },
      });
      await eventually('four messages', async () => (messages.length >= 4 ? true : undefined));
    } finally {
      await consumer.disconnect();
    }

    const values = messages.map((m) => (m.value === null ? null : JSON.parse(m.value.toString('utf8'))));
    // JSON converter with schemas enabled: every non-null value is a schema + payload envelope.
    expect(values.slice(0, 3).map((v) => v.payload.op)).toEqual(['c', 'u', 'd']);
    for (const v of values.slice(0, 3)) expect(v.schema).toEqual(expect.objectContaining({ type: 'struct' }));
    const [insert, update, remove] = values.map((v) => v?.payload);
    expect(insert.before).toBeNull();
    expect(insert.after).toEqual({ id: 4201, account: 'ACC-1', symbol: 'ACME', quantity: 10 });
    // REPLICA IDENTITY FULL: updates and deletes carry the whole old row.
    expect(update.before).toEqual({ id: 4201, account: 'ACC-1', symbol: 'ACME', quantity: 10 });
    expect(update.after.quantity).toBe(25);
    expect(remove.before.quantity).toBe(25);
    expect(remove.after).toBeNull();
    expect(insert.source).toEqual(expect.objectContaining({ connector: 'postgresql', db: database, schema: 'bank', table: 'holding' }));
    // The tombstone: same key, null value.
    expect(values[3]).toBeNull();
    const keys = messages.map((m) => JSON.parse(m.key!.toString('utf8')));
    expect(new Set(keys.map((k) => JSON.stringify(k.payload)))).toEqual(new Set([JSON.stringify({ id: 4201 })]));
  });
});

async function kafkaTopics(): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('kafkajs 2.2.4 works with the stack broker', () => {
  const probeTopic = `stackit-probe-${suffix}`;
  const groupId = `stackit-probe-${suffix}`;
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: [probeTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  test('create a topic, produce, consume with a group, commit and fetch offsets', async () => {
    expect(await admin.createTopics({ topics: [{ topic: probeTopic, numPartitions: 2 }], waitForLeaders: true })).toBe(true);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: probeTopic,
      messages: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
        { key: 'c', value: '3' },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    const seen: string[] = [];
    try {
      await consumer.subscribe({ topic: probeTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          seen.push(message.key!.toString());
        },
      });
      await eventually('three messages', async () => (seen.length === 3 ? true : undefined));
      const end = await admin.fetchTopicOffsets(probeTopic);
      await consumer.commitOffsets(end.map((p) => ({ topic: probeTopic, partition: p.partition, offset: p.high })));
    } finally {
      await consumer.disconnect();
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c']);

    const [committed] = await admin.fetchOffsets({ groupId, topics: [probeTopic] });
    const total = committed.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(3);
    const groups = await admin.describeGroups([groupId]);
    expect(groups.groups[0].state).toBe('Empty');
    await admin.deleteGroups([groupId]);
  });

  test('the stack checks the PostgreSQL password over TCP', async () => {
    const url = new URL(urls.pgUrl);
    url.password = 'not-the-password';
    await expect(withClient(url.toString(), (c) => c.query('select 1'))).rejects.toMatchObject({ code: '28P01' });
  });
});

describe('cdc stack (built binary) on a second stack with its own ports', () => {
  // The suite's own CDC_STACK_* settings would override this stack's state file: clear them.
  const cli = (args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
    runCli(args, {
      ...options,
      env: { CDC_STACK_PG_PORT: '', CDC_STACK_KAFKA_PORT: '', CDC_STACK_CONTROLLER_PORT: '', CDC_STACK_CONNECT_PORT: '', CDC_STACK_DIR: '', ...options.env },
    });

  // Free ports picked now, so that this stack clashes with nothing (the shared stack, another run).
  let ports: { pg: number; kafka: number; controller: number; connect: number };
  let portFlags: string[];
  let dir: string;

  beforeAll(async () => {
    const [pg, kafkaPort, controller, connectPort] = await freePorts(4);
    ports = { pg, kafka: kafkaPort, controller, connect: connectPort };
    portFlags = ['--pg-port', String(pg), '--kafka-port', String(kafkaPort), '--controller-port', String(controller), '--connect-port', String(connectPort)];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-it-'));
    fs.chmodSync(dir, 0o755); // the postgres OS user must reach the cluster folder inside
    // Share the shared stack's cached jars instead of resolving them again.
    const lib = path.join(resolveStackSettings({}, process.env).dir, 'lib');
    if (fs.existsSync(path.join(lib, '.complete'))) fs.symlinkSync(lib, path.join(dir, 'lib'));
  });

  afterAll(async () => {
    await cli(['stack', 'down', '--dir', dir, ...portFlags], { timeoutMs: 90_000 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function allPortsClosed(): Promise<boolean> {
    for (const port of Object.values(ports)) if (await portOpen(port, 500)) return false;
    return true;
  }

  test('a service that fails to start: its log tail is printed and everything started is stopped', async () => {
    // A PostgreSQL "installation" whose initdb fails, while the broker and Connect start in parallel.
    const fakeBin = path.join(dir, 'broken-pg-bin');
    fs.mkdirSync(fakeBin);
    for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
      fs.writeFileSync(path.join(fakeBin, bin), '#!/bin/sh\necho "initdb: simulated failure for the test" >&2\nexit 1\n', { mode: 0o755 });
    }
    const result = await cli(['stack', 'up', '--dir', dir, ...portFlags], { env: { CDC_STACK_PG_BIN: fakeBin }, timeoutMs: 180_000 });
    expect({ code: result.code, out: describeResult(result) }).toEqual({ code: 1, out: expect.stringContaining('postgres: initdb failed') });
    expect(result.stderr).toContain('simulated failure for the test');
    expect(result.stderr).toContain(path.join(dir, 'logs', 'postgres.log'));
    expect(await allPortsClosed()).toBe(true);
    for (const service of ['kafka', 'connect']) expect(fs.existsSync(path.join(dir, 'run', `${service}.pid`))).toBe(false);
  });

  test('up, status, env, down: ready, reported, and nothing left behind', async () => {
    const up = await cli(['stack', 'up', '--dir', dir, ...portFlags, '--json'], { timeoutMs: 180_000 });
    expect({ code: up.code, out: describeResult(up) }).toEqual({ code: 0, out: expect.any(String) });
    const started = JSON.parse(up.stdout);
    expect(started.urls).toEqual({
      pgUrl: `postgres://postgres:********@127.0.0.1:${ports.pg}/postgres`,
      brokers: `127.0.0.1:${ports.kafka}`,
      connectUrl: `http://127.0.0.1:${ports.connect}`,
      targetUrl: `postgres://analytics:********@127.0.0.1:${ports.pg}/analytics`,
    });
    expect(up.stdout).not.toContain(':postgres@');
    expect(up.stdout).not.toContain(':analytics@');

    // Without port flags: status and env find the ports in the stack's state file.
    const status = await cli(['stack', 'status', '--dir', dir, '--json']);
    expect({ code: status.code, out: describeResult(status) }).toEqual({ code: 0, out: expect.any(String) });
    const report = JSON.parse(status.stdout);
    expect(report.state).toBe('running');
    expect(report.services.map((s: { service: string; healthy: boolean; port: number }) => [s.service, s.healthy, s.port])).toEqual([
      ['postgres', true, ports.pg],
      ['kafka', true, ports.kafka],
      ['connect', true, ports.connect],
    ]);
    const pids: number[] = report.services.map((s: { pid: number }) => s.pid);

    const env = await cli(['stack', 'env', '--dir', dir]);
    expect(env.stdout.trim()).toBe(
      `export CDC_CONNECT_URL=http://127.0.0.1:${ports.connect} CDC_BROKERS=127.0.0.1:${ports.kafka} DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${ports.pg}/postgres CDC_TARGET_URL=postgres://analytics:analytics@127.0.0.1:${ports.pg}/analytics`,
    );

    const down = await cli(['stack', 'down', '--dir', dir, '--json'], { timeoutMs: 90_000 });
    expect({ code: down.code, out: describeResult(down) }).toEqual({ code: 0, out: expect.any(String) });
    expect(JSON.parse(down.stdout).stopped.map((s: { outcome: string }) => s.outcome)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(await allPortsClosed()).toBe(true);
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] : 'gone').toMatch(/gone|Z/);

    const after = await cli(['stack', 'status', '--dir', dir, ...portFlags]);
    expect({ code: after.code, out: describeResult(after) }).toEqual({ code: 1, out: expect.stringContaining('stack stopped') });
  });
});
