/**
 * `cdc stack up --with s3,mongo` on a stack of its own (temporary folder, free ports): S3Proxy and
 * mongo-java-server start beside the core, `env` exports what the AWS SDK and the MongoDB driver
 * need, `status` checks them, data of every service survives `down`/`up` (and `up` says what it
 * kept), `down --purge` wipes it, and nothing is left running afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { Client } from 'pg';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { freePorts } from '../helpers/private-stack';
import { resolveStackSettings } from '../../src/stack/settings';
import { portOpen } from '../../src/stack/processes';

// The suite's own CDC_STACK_* settings would override this stack's: clear them.
const cli = (args: string[], timeoutMs = 60_000): Promise<CliResult> =>
  runCli(args, {
    timeoutMs,
    env: {
      CDC_STACK_PG_PORT: '',
      CDC_STACK_KAFKA_PORT: '',
      CDC_STACK_CONTROLLER_PORT: '',
      CDC_STACK_CONNECT_PORT: '',
      CDC_STACK_S3_PORT: '',
      CDC_STACK_MONGO_PORT: '',
      CDC_STACK_DIR: '',
      CDC_STACK_WITH: '',
    },
  });

/** `export A=1 B=2` → { A: '1', B: '2' } (the stack's values hold no spaces). */
function parseExports(line: string): Record<string, string> {
  expect(line.startsWith('export ')).toBe(true);
  return Object.fromEntries(
    line
      .trim()
      .slice('export '.length)
      .split(' ')
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

function s3Client(env: Record<string, string>): S3Client {
  return new S3Client({
    endpoint: env.AWS_ENDPOINT_URL_S3,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    forcePathStyle: true,
    requestChecksumCalculation: env.AWS_REQUEST_CHECKSUM_CALCULATION as 'WHEN_REQUIRED',
    responseChecksumValidation: env.AWS_RESPONSE_CHECKSUM_VALIDATION as 'WHEN_REQUIRED',
  });
}

async function withPg<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function withMongo<T>(url: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    return await fn(await client.connect());
  } finally {
    await client.close();
  }
}

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('cdc stack with s3 and mongo, data kept across down/up, down --purge', () => {
  let dir: string;
  let ports: number[];
  let flags: string[];

  beforeAll(async () => {
    const [pg, kafka, controller, connect, s3, mongo] = (ports = await freePorts(6));
    flags = ['--pg-port', pg, '--kafka-port', kafka, '--controller-port', controller, '--connect-port', connect, '--s3-port', s3, '--mongo-port', mongo].map(
      String,
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-extras-'));
    fs.chmodSync(dir, 0o755); // the postgres OS user must reach the cluster folder inside
    // Borrow the shared stack's cached jars instead of resolving them again.
    const shared = resolveStackSettings({}, process.env).dir;
    for (const lib of ['lib', 'lib-s3', 'lib-mongo']) {
      if (fs.existsSync(path.join(shared, lib, '.complete'))) fs.symlinkSync(path.join(shared, lib), path.join(dir, lib));
    }
  });

  afterAll(async () => {
    await cli(['stack', 'down', '--dir', dir], 90_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('extras start, report, keep their data across down/up, and --purge wipes it', async () => {
    const up = await cli(['stack', 'up', '--dir', dir, ...flags, '--with', 's3,mongo', '--json'], 240_000);
    expect({ code: up.code, out: describeResult(up) }).toEqual({ code: 0, out: expect.any(String) });
    const started = JSON.parse(up.stdout);
    expect(started.with).toEqual(['s3', 'mongo']);
    expect([started.urls.s3Url, started.urls.mongoUrl]).toEqual([`http://127.0.0.1:${ports[4]}`, `mongodb://127.0.0.1:${ports[5]}`]);
    expect(started.kept).toEqual([]);
    expect(up.stderr).toContain('data: fresh');

    // Without flags, status and env find the extras in the state file.
    const status = await cli(['stack', 'status', '--dir', dir, '--json']);
    expect({ code: status.code, out: describeResult(status) }).toEqual({ code: 0, out: expect.any(String) });
    const report = JSON.parse(status.stdout);
    expect(report.services.map((s: { service: string; healthy: boolean; port: number }) => [s.service, s.healthy, s.port])).toEqual([
      ['postgres', true, ports[0]],
      ['kafka', true, ports[1]],
      ['connect', true, ports[3]],
      ['s3', true, ports[4]],
      ['mongo', true, ports[5]],
    ]);
    expect(report.env.AWS_SECRET_ACCESS_KEY).toBe('********');
    expect(status.stdout).not.toContain('minioadmin@');
    const text = await cli(['stack', 'status', '--dir', dir]);
    expect(text.stderr).toContain(`AWS_ENDPOINT_URL_S3=http://127.0.0.1:${ports[4]}`);
    expect(text.stderr).toContain(`CDC_MONGO_URL=mongodb://127.0.0.1:${ports[5]}`);

    const env = parseExports((await cli(['stack', 'env', '--dir', dir])).stdout);
    expect(env).toEqual(
      expect.objectContaining({
        AWS_ACCESS_KEY_ID: 'minioadmin',
        AWS_SECRET_ACCESS_KEY: 'minioadmin',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports[4]}`,
        CDC_MONGO_URL: `mongodb://127.0.0.1:${ports[5]}`,
      }),
    );

    // Data in every service: an object (multipart, in the default bucket), a document, a table, a topic.
    const s3 = s3Client(env);
    await s3.send(new PutObjectCommand({ Bucket: 'cdc', Key: 'kept/one.jsonl', Body: '{"a":1}\n' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'second' }));
    await withMongo(env.CDC_MONGO_URL, (m) =>
      m
        .db('keptdb')
        .collection('docs')
        .insertOne({ _id: 'k1' as never, n: 1 }),
    );
    await withPg(env.DATABASE_URL, (c) => c.query('create table kept_table (id int primary key); insert into kept_table values (7)'));
    // A connector: its config lives in Connect's topics, its slot in PostgreSQL (the issue's
    // complaint was an `up` after `down` that had lost every connector).
    const connector = await fetch(`${env.CDC_CONNECT_URL}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'kept-connector',
        config: {
          'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
          'database.hostname': '127.0.0.1',
          'database.port': String(ports[0]),
          'database.user': 'postgres',
          'database.password': 'postgres',
          'database.dbname': 'postgres',
          'topic.prefix': 'kept',
          'plugin.name': 'pgoutput',
          'slot.name': 'kept_slot',
          'publication.name': 'kept_pub',
          'publication.autocreate.mode': 'filtered',
          'table.include.list': 'public.kept_table',
          'snapshot.mode': 'no_data',
        },
      }),
    });
    expect(connector.status).toBe(201);
    await eventually('the connector to run and hold its slot', async () =>
      withPg(env.DATABASE_URL, async (c) => (await c.query(`select 1 from pg_replication_slots where slot_name = 'kept_slot'`)).rowCount === 1),
    );
    const kafka = new Kafka({ clientId: 'stack-extras-it', brokers: [env.CDC_BROKERS], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept-topic' }], waitForLeaders: true });
    await admin.disconnect();
    s3.destroy();

    const down = await cli(['stack', 'down', '--dir', dir, '--json'], 90_000);
    expect({ code: down.code, out: describeResult(down) }).toEqual({ code: 0, out: expect.any(String) });
    expect(JSON.parse(down.stdout).stopped.map((s: { service: string; outcome: string }) => `${s.service} ${s.outcome}`)).toEqual([
      'connect stopped',
      'kafka stopped',
      's3 stopped',
      'mongo stopped',
      'postgres stopped',
    ]);
    for (const port of ports) expect({ port, open: await portOpen(port, 500) }).toEqual({ port, open: false });

    // Up again: everything comes back, and up says what it kept.
    const again = await cli(['stack', 'up', '--dir', dir, ...flags, '--with', 's3,mongo'], 240_000);
    expect({ code: again.code, out: describeResult(again) }).toEqual({ code: 0, out: expect.stringContaining('data kept from the last run') });
    expect(again.stderr).toMatch(/postgres +1 database \(analytics\), 1 replication slot/);
    expect(again.stderr).toMatch(/kafka +1 topic \(kept-topic\), 1 connector \(kept-connector\)/);
    expect(again.stderr).toMatch(/s3 +2 buckets \(cdc, second\), 1 object/);
    expect(again.stderr).toMatch(/mongo +1 database \(keptdb\)/);
    const s3Again = s3Client(env);
    const body = await (await s3Again.send(new GetObjectCommand({ Bucket: 'cdc', Key: 'kept/one.jsonl' }))).Body!.transformToString();
    expect(body).toBe('{"a":1}\n');
    s3Again.destroy();
    expect(await withMongo(env.CDC_MONGO_URL, (m) => m.db('keptdb').collection('docs').find().toArray())).toEqual([{ _id: 'k1', n: 1 }]);
    expect(await withPg(env.DATABASE_URL, async (c) => (await c.query('select id from kept_table')).rows)).toEqual([{ id: 7 }]);
    await eventually('the kept connector to run again', async () => {
      const status = (await (await fetch(`${env.CDC_CONNECT_URL}/connectors/kept-connector/status`)).json()) as { tasks?: { state: string }[] };
      return status.tasks?.length === 1 && status.tasks[0].state === 'RUNNING';
    });

    const purge = await cli(['stack', 'down', '--dir', dir, '--purge'], 90_000);
    expect({ code: purge.code, out: describeResult(purge) }).toEqual({ code: 0, out: expect.stringContaining('wiped the data') });
    for (const data of ['pg', 'kafka', 's3', 'mongo']) expect({ data, exists: fs.existsSync(path.join(dir, data)) }).toEqual({ data, exists: false });
    for (const port of ports) expect({ port, open: await portOpen(port, 500) }).toEqual({ port, open: false });
    // Jars and logs stay.
    expect(fs.existsSync(path.join(dir, 'logs', 'mongo.log'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'lib'))).toBe(true);

    // And the next up starts from empty services.
    const fresh = await cli(['stack', 'up', '--dir', dir, ...flags, '--with', 's3'], 240_000);
    expect({ code: fresh.code, out: describeResult(fresh) }).toEqual({ code: 0, out: expect.stringContaining('data: fresh') });
    const s3Fresh = s3Client(env);
    expect((await s3Fresh.send(new ListObjectsV2Command({ Bucket: 'cdc' }))).KeyCount).toBe(0);
    s3Fresh.destroy();
  }, 900_000);
});
