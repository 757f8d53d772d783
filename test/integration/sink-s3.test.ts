/**
 * `cdc sink s3` against the real stack (PostgreSQL → Debezium → Kafka → S3Proxy): every format and
 * shape read back and compared with the events; Parquet read by an independent reader (DuckDB)
 * with real column types and exact values; runs killed with kill -9 between an upload and the
 * position that covers it (held back by a proxy) end with exactly the objects, byte for byte, of an
 * uninterrupted run; clear errors for a missing bucket, refused credentials and an endpoint that
 * does not answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseLossless } from '../../src/json';
import { withPg } from '../helpers/pipeline';
import { describeResult, runCli } from '../helpers/run-cli';
import { stackServiceEnv } from '../helpers/stack';
import { cleanUp, readTopicsUntil, registerConnector, sinkFixture, valueText } from './sink-helpers';
import { CdcProcess, uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('sinks3'));
const topic = f.topic('items');
const env = { ...f.env, ...stackServiceEnv() };
let s3: S3Client;
/** Offsets of the change events (not tombstones), and every record's offset. */
let changeOffsets: number[] = [];
let allOffsets: number[] = [];
let rows: Record<string, string | null>[] = [];
/** The change events' ops by offset, for the envelope shape. */
let opAt = new Map<number, string>();
/** The value of the MARKER row's create event, as Debezium wrote it. */
let markerValue = '';

async function list(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'cdc', Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function get(key: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: 'cdc', Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

const sinkArgs = (prefix: string, ...more: string[]) => [
  'sink',
  's3',
  topic,
  '--bucket',
  'cdc',
  '--prefix',
  prefix,
  '--group',
  prefix,
  '--exit-at-end',
  ...more,
];

async function sinkRun(prefix: string, ...more: string[]): Promise<void> {
  const result = await runCli(sinkArgs(prefix, ...more), { env, timeoutMs: 180_000 });
  if (result.code !== 0) throw new Error(describeResult(result));
}

const dataKeys = async (prefix: string) => (await list(`${prefix}/`)).filter((k) => !k.includes('/_cdc/'));

beforeAll(async () => {
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: f.urls.s3Url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await withPg(f.urls.pgUrl, async (c) => {
    await c.query(`CREATE SCHEMA "${f.name}"`);
    await c.query(
      `CREATE TABLE "${f.name}".items (id bigint PRIMARY KEY, price numeric(20,4), big bigint, day date, seen timestamp, label text, small numeric(10,2), doc jsonb)`,
    );
    await c.query(`ALTER TABLE "${f.name}".items REPLICA IDENTITY FULL`);
    await c.query(
      `INSERT INTO "${f.name}".items SELECT g, g * 1.25 + 0.0001, 9007199254740993 + g, date '2026-01-01' + g, timestamp '2026-12-01 10:00:00.123456' + g * interval '1 hour', 'item ' || g, -g * 1.01, jsonb_build_object('n', 12345678901234567890 + g, 'deep', jsonb_build_object('a', jsonb_build_array(1, 2.50))) FROM generate_series(1, 60) g`,
    );
  });
  await registerConnector(f, ['items']);
  await withPg(f.urls.pgUrl, async (c) => {
    await c.query(
      `INSERT INTO "${f.name}".items VALUES (1000, 1234567890123456.1234, -9223372036854775808, '1969-07-20', '1969-07-20 20:17:40', 'before 1970', -99999999.99)`,
    );
    for (let i = 0; i < 120; i++) await c.query(`UPDATE "${f.name}".items SET price = price + 0.0001, label = label || '.' WHERE id = $1`, [1 + (i % 60)]);
    await c.query(`DELETE FROM "${f.name}".items WHERE id IN (3, 5)`);
    await c.query(`INSERT INTO "${f.name}".items VALUES (999999, 0, 0, null, null, 'MARKER', 99999999.99)`);
    rows = (
      await c.query({
        text: `SELECT i.id::text AS id, i.price::text AS price, i.big::text AS big, i.small::text AS small, i.doc->>'n' AS n FROM "${f.name}".items i ORDER BY i.id`,
        types: { getTypeParser: () => (v: string) => v },
      })
    ).rows;
  });
  const records = await readTopicsUntil(f, [topic], (rs) => rs.some((r) => valueText(r).includes('"MARKER"')));
  allOffsets = records.map((r) => Number(r.offset));
  changeOffsets = records.filter((r) => r.value !== null).map((r) => Number(r.offset));
  markerValue = valueText(records.find((r) => valueText(r).includes('"MARKER"'))!);
  opAt = new Map(records.filter((r) => r.value !== null).map((r) => [Number(r.offset), (JSON.parse(valueText(r)) as { payload: { op: string } }).payload.op]));
}, 600_000);

afterAll(async () => {
  s3?.destroy();
  await cleanUp(f, ['items']);
});

test('jsonl, flat: one line per change, every change once, values decoded exactly', async () => {
  const prefix = `${f.name}-flat`;
  await sinkRun(prefix, '--flush-size', '50');
  const keys = await dataKeys(prefix);
  expect(keys[0]).toBe(`${prefix}/${topic}/${topic}+0+0.jsonl`);
  // Read losslessly: big integers beyond 2^53 must come back exactly as written.
  const lines = (await Promise.all(keys.map(get)))
    .flatMap((b) => b.toString('utf8').trim().split('\n'))
    .map((l) => parseLossless(l) as Record<string, unknown>);
  expect(lines.map((l) => Number(String(l.kafka_offset))).sort((a, b) => a - b)).toEqual(changeOffsets);
  // The last version of each row is the table: compare price (numeric(20,4)) and big exactly.
  const last = new Map<string, Record<string, unknown>>();
  for (const l of lines.sort((a, b) => Number(String(a.kafka_offset)) - Number(String(b.kafka_offset)))) {
    const id = String(l.after_id ?? l.before_id);
    if (l.op === 'd') last.delete(id);
    else last.set(id, l);
  }
  expect([...last.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(rows.map((r) => r.id));
  for (const row of rows) {
    const line = last.get(String(row.id))!;
    expect([row.id, String(line.after_price), String(line.after_big)]).toEqual([row.id, row.price, row.big]);
  }
  const update = lines.find((l) => l.op === 'u')!;
  expect(Object.keys(update)).toEqual(
    expect.arrayContaining([
      'before_id',
      'after_id',
      'before_price',
      'after_price',
      'op',
      'ts_ms',
      'source_table',
      'source_lsn',
      'kafka_topic',
      'kafka_partition',
      'kafka_offset',
    ]),
  );
  expect(update.source_table).toBe(`${f.name}.items`);
});

test('jsonl.gz envelope and partition-by date: Debezium records as they are, tombstones included', async () => {
  const prefix = `${f.name}-env`;
  await sinkRun(prefix, '--format', 'jsonl.gz', '--shape', 'envelope', '--partition-by', 'date');
  const keys = await dataKeys(prefix);
  expect(keys.every((k) => /\/date=\d{4}-\d{2}-\d{2}\//.test(k) && k.endsWith('.jsonl.gz'))).toBe(true);
  const { gunzipSync } = await import('node:zlib');
  const lines = (await Promise.all(keys.map(get)))
    .flatMap((b) => gunzipSync(b).toString('utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => Number(l.kafka_offset)).sort((a, b) => a - b)).toEqual(allOffsets);
  expect(lines.filter((l) => l.value === null)).toHaveLength(allOffsets.length - changeOffsets.length);
  expect(lines.find((l) => l.value !== null)!.value).toHaveProperty('payload.source');
});

test('parquet, flat: DuckDB reads real column types and exact values', async () => {
  const prefix = `${f.name}-pq`;
  await sinkRun(prefix, '--format', 'parquet', '--flush-size', '100');
  const keys = await dataKeys(prefix);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-parquet-'));
  const files = await Promise.all(
    keys.map(async (key, i) => {
      const file = path.join(dir, `${i}.parquet`);
      fs.writeFileSync(file, await get(key));
      return file;
    }),
  );
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const typesOf = async (file: string) =>
    Object.fromEntries(
      (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson().map((r) => [r.column_name, r.column_type]),
    );
  // The window with the 1969 row keeps its dates as text (the writer stores no date before 1970);
  // every other object has the real types.
  const first = files[keys.findIndex((k) => k.endsWith('+0+0.parquet'))];
  const later = files[keys.findIndex((k) => k.endsWith('+0+100.parquet'))];
  expect(await typesOf(later)).toEqual(
    expect.objectContaining({
      after_id: 'BIGINT',
      after_price: 'DECIMAL(20,4)',
      after_small: 'DECIMAL(10,2)',
      after_big: 'BIGINT',
      after_day: 'DATE',
      after_seen: 'TIMESTAMP',
      ts_ms: 'BIGINT',
      kafka_offset: 'BIGINT',
      kafka_partition: 'INTEGER',
      after_label: 'VARCHAR',
      // jsonb: the document's exact text (a JSON string literal before; integers beyond 2^53 exact).
      after_doc: 'VARCHAR',
    }),
  );
  expect(await typesOf(first)).toEqual(expect.objectContaining({ after_price: 'DECIMAL(20,4)', after_day: 'VARCHAR', after_seen: 'VARCHAR' }));
  const moon = (await duck.runAndReadAll(`SELECT after_day, after_seen FROM read_parquet('${first}') WHERE after_id = 1000`)).getRowObjectsJson();
  expect(moon).toEqual([{ after_day: '1969-07-20', after_seen: '1969-07-20T20:17:40.000000' }]);
  const all = files.map((file) => `'${file}'`).join(', ');
  const read = (
    await duck.runAndReadAll(
      `SELECT kafka_offset::varchar AS o, op, coalesce(after_id, before_id)::varchar AS id, after_price::varchar AS price, after_big::varchar AS big, after_small::varchar AS small, json_extract(after_doc, '$.n')::varchar AS n FROM read_parquet([${all}], union_by_name = true) ORDER BY kafka_offset`,
    )
  ).getRowObjectsJson();
  expect(read.map((r) => Number(r.o))).toEqual(changeOffsets);
  const last = new Map<string, { price: unknown; big: unknown; small: unknown; n: unknown }>();
  for (const r of read) {
    if (r.op === 'd') last.delete(String(r.id));
    else last.set(String(r.id), { price: r.price, big: r.big, small: r.small, n: r.n });
  }
  for (const row of rows) expect([row.id, last.get(String(row.id))]).toEqual([row.id, { price: row.price, big: row.big, small: row.small, n: row.n }]);
  expect(rows.filter((r) => r.n !== null).length).toBeGreaterThan(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('parquet, envelope: the Debezium record is a JSON document a reader can query', async () => {
  const prefix = `${f.name}-pqenv`;
  await sinkRun(prefix, '--format', 'parquet', '--shape', 'envelope');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-parquet-'));
  const files = await Promise.all(
    (await dataKeys(prefix)).map(async (key, i) => {
      const file = path.join(dir, `${i}.parquet`);
      fs.writeFileSync(file, await get(key));
      return `'${file}'`;
    }),
  );
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const read = (
    await duck.runAndReadAll(
      `SELECT kafka_offset::varchar AS o, json_extract_string(value, '$.payload.op') AS op FROM read_parquet([${files.join(', ')}], union_by_name = true) ORDER BY kafka_offset`,
    )
  ).getRowObjectsJson();
  fs.rmSync(dir, { recursive: true, force: true });
  // Every record, tombstones (no value) included; each event's op read out of the stored document.
  expect(read.map((r) => [Number(r.o), r.op])).toEqual(allOffsets.map((o) => [o, opAt.get(o) ?? null]));
});

/**
 * An HTTP proxy in front of S3Proxy that forwards every request as it is (signatures included:
 * the Host header is kept) and notes it, except one when asked: the first marker write
 * (`_cdc/offsets/…`) that would move the position to `at` or beyond is held, never forwarded. The
 * sink then sits between the upload of the objects that marker covers and the marker itself.
 */
async function s3Proxy(upstream: string) {
  const http = await import('node:http');
  const target = new URL(upstream);
  let hold: { at: number; resolve: (held: { nextOffset: number }) => void } | undefined;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${decodeURIComponent(req.url ?? '')}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const next = /"nextOffset":"(\d+)"/.exec(body.toString('utf8'));
      if (hold && req.method === 'PUT' && decodeURIComponent(req.url ?? '').includes('/_cdc/offsets/') && next && Number(next[1]) >= hold.at) {
        hold.resolve({ nextOffset: Number(next[1]) });
        hold = undefined;
        return; // never answered: the sink waits on it until it is killed
      }
      const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    /** Every request so far: method and decoded path with query. */
    requests,
    /** Resolves when a marker write to `at` or beyond arrives (and is held). */
    holdMarker(at: number): Promise<{ nextOffset: number }> {
      return new Promise((resolve) => {
        hold = { at, resolve };
      });
    },
    close(): void {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The consumer group session of the runs that are killed (seconds): what the run after a kill waits. */
const SESSION_TIMEOUT_S = 10;

/** The uninterrupted run the kill -9 and --buffer-memory runs are compared with, made once. */
const REFERENCE_FLAGS = ['--flush-size', '20', '--format', 'jsonl.gz'];
let referenceRun: Promise<string> | undefined;
function reference(): Promise<string> {
  const prefix = `${f.name}-ref`;
  referenceRun ??= sinkRun(prefix, ...REFERENCE_FLAGS).then(() => prefix);
  return referenceRun;
}

async function expectSameObjects(prefix: string, referencePrefix: string): Promise<void> {
  const ref = (await dataKeys(referencePrefix)).map((k) => k.slice(referencePrefix.length));
  const got = (await dataKeys(prefix)).map((k) => k.slice(prefix.length));
  expect(got).toEqual(ref);
  for (const key of ref) expect({ key, same: (await get(prefix + key)).equals(await get(referencePrefix + key)) }).toEqual({ key, same: true });
}

test('kill -9 between an upload and its position, twice, then a full run: exactly the objects and bytes of an uninterrupted run', async () => {
  const killed = `${f.name}-kill`;
  // A killed member stays in the consumer group until its session times out, and the next run
  // waits for that: 10 s rather than the default 30.
  const flags = [...REFERENCE_FLAGS, '--session-timeout', String(SESSION_TIMEOUT_S)];
  const referencePrefix = await reference();
  const markerOf = async (): Promise<number> => {
    const key = `${killed}/_cdc/offsets/${killed}/${topic}+0.json`;
    const text = await get(key).then(
      (b) => b.toString('utf8'),
      () => undefined,
    );
    return text === undefined ? 0 : Number((JSON.parse(text) as { nextOffset: string }).nextOffset);
  };
  const firstOffset = (key: string) => Number(/\+(\d+)\.jsonl\.gz$/.exec(key)![1]);
  const gate = await s3Proxy(f.urls.s3Url);
  try {
    // The second run resumes from the position the first stored, and is killed further on. Two
    // kills, not more: each costs the next run a session timeout.
    for (const at of [40, 120]) {
      const held = gate.holdMarker(at);
      const run = new CdcProcess(sinkArgs(killed, ...flags), { ...env, AWS_ENDPOINT_URL_S3: gate.url });
      // Bounded: the held write, or the run ending without one, or 60 s.
      const outcome = await new Promise<{ nextOffset: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no position write at ${at} or beyond within 60 s\n${run.describe()}`)), 60_000);
        void held.then((h) => {
          clearTimeout(timer);
          resolve(h);
        });
        void run.exited.then((exit) => {
          clearTimeout(timer);
          reject(new Error(`the sink ended (${JSON.stringify(exit)}) before writing a position at ${at} or beyond\n${run.describe()}`));
        });
      });
      // Every upload before the held write has completed (the sink awaits each): the objects whose
      // window lies beyond the stored position are in the bucket, the position that covers them is not.
      const stored = await markerOf();
      const beyond = (await dataKeys(killed)).map(firstOffset).filter((o) => o >= stored && o < outcome.nextOffset);
      expect({ at, stored, next: outcome.nextOffset, objectsBeyondStored: beyond.length > 0 }).toEqual({
        at,
        stored,
        next: outcome.nextOffset,
        objectsBeyondStored: true,
      });
      expect(stored).toBeLessThan(outcome.nextOffset);
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      // Nothing moved the position after the kill: it was killed between upload and commit.
      expect(await markerOf()).toBe(stored);
    }
  } finally {
    gate.close();
  }
  await sinkRun(killed, ...flags);
  await expectSameObjects(killed, referencePrefix);
});

test('--buffer-memory 0 (every open window on disk): the same objects, byte for byte; the spill folder is removed', async () => {
  const prefix = `${f.name}-disk`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-sink-s3-tmp-'));
  try {
    const result = await runCli(sinkArgs(prefix, ...REFERENCE_FLAGS, '--buffer-memory', '0', '--json'), { env: { ...env, TMPDIR: tmp }, timeoutMs: 180_000 });
    expect({ code: result.code }).toEqual({ code: 0 });
    expect((JSON.parse(result.stdout) as { rowsSpilled: number }).rowsSpilled).toBe(changeOffsets.length);
    await expectSameObjects(prefix, await reference());
    expect(fs.readdirSync(tmp)).toEqual([]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('the holdings workload in every format and shape: objects read back equal the events (pivot: what cdc parse writes)', async () => {
  const hf = sinkFixture(uniqueName('sinks3h'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-holdings-'));
  try {
    let result = await runCli(['seed', 'holdings', '--schema', hf.name], { env: hf.env });
    expect(result.code).toBe(0);
    await registerConnector(hf, ['holding']);
    result = await runCli(['seed', 'holdings', '--schema', hf.name, '--script', 'tutorial'], { env: hf.env });
    expect(result.code).toBe(0);
    result = await runCli(['connector', 'wait', hf.name], { env: hf.env, timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    const holdingTopic = hf.topic('holding');
    const records = await readTopicsUntil(hf, [holdingTopic], (rs) => rs.filter((r) => r.value !== null).length >= 8);
    type Payload = { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null };
    const events = records.map((r) => ({
      offset: Number(r.offset),
      value: r.value === null ? null : (JSON.parse(valueText(r)) as { payload: Payload }).payload,
    }));
    const parsed = await runCli(['watch', holdingTopic, '--exit-at-end', '-q'], { env: hf.env });
    const pivot = await runCli(['parse', '-f', 'jsonl'], { env: hf.env, input: parsed.stdout });
    const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
    const strip = (r: Record<string, unknown>) => [r.holding_id, r.change_field, r.old_value, r.new_value, r.op].map(text);
    const expected = {
      flat: events
        .filter((e) => e.value)
        .map((e) => [e.offset, e.value!.op, text((e.value!.after ?? e.value!.before)!.holding_id), text(e.value!.after?.holding_quantity)]),
      envelope: events.map((e) => [e.offset, e.value ? e.value.op : null]),
      pivot: pivot.stdout
        .trim()
        .split('\n')
        .map((l) => strip(JSON.parse(l) as Record<string, unknown>)),
    };
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const { gunzipSync } = await import('node:zlib');
    for (const format of ['jsonl', 'jsonl.gz', 'parquet'] as const) {
      for (const shape of ['flat', 'envelope', 'pivot'] as const) {
        const prefix = `${hf.name}-${format.replace('.', '')}-${shape}`;
        result = await runCli(['sink', 's3', holdingTopic, '--bucket', 'cdc', '--prefix', prefix, '--format', format, '--shape', shape, '--exit-at-end'], {
          env: { ...hf.env, ...stackServiceEnv() },
          timeoutMs: 120_000,
        });
        expect({ format, shape, code: result.code }).toEqual({ format, shape, code: 0 });
        const bodies = await Promise.all((await dataKeys(prefix)).map(get));
        let rows: Record<string, unknown>[];
        if (format === 'parquet') {
          const files = bodies.map((b, i) => {
            const file = path.join(dir, `${prefix}-${i}.parquet`);
            fs.writeFileSync(file, b);
            return `'${file}'`;
          });
          // File order, then row order: the order they were written in.
          rows = (await duck.runAndReadAll(`SELECT * FROM read_parquet([${files.join(', ')}], union_by_name = true)`)).getRowObjectsJson();
        } else {
          rows = bodies
            .flatMap((b) => (format === 'jsonl.gz' ? gunzipSync(b) : b).toString('utf8').trim().split('\n'))
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        }
        // Parquet keeps the envelope's key and value as JSON text; JSON lines nest them.
        const doc = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as { payload: Payload }) : (v as { payload: Payload } | null));
        const got = {
          flat: () => rows.map((r) => [Number(r.kafka_offset), r.op, text(r.after_holding_id ?? r.before_holding_id), text(r.after_holding_quantity)]),
          envelope: () => rows.map((r) => [Number(r.kafka_offset), doc(r.value)?.payload.op ?? null]),
          pivot: () => rows.map(strip),
        }[shape]();
        expect({ format, shape, rows: got }).toEqual({ format, shape, rows: expected[shape] });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await cleanUp(hf, ['holding']);
  }
});

test('an object over 8 MiB goes up as a multipart upload and reads back whole', async () => {
  // 2,500 copies of a real create event with a 4 KiB label, produced straight to a topic of their
  // own: one window, one ~11 MB object.
  const { Kafka, logLevel } = await import('kafkajs');
  const bigTopic = `${f.name}.big`;
  const kafka = new Kafka({ brokers: [f.urls.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  try {
    await admin.createTopics({ topics: [{ topic: bigTopic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    const label = 'x'.repeat(4096);
    const value = markerValue.replace('"label":"MARKER"', `"label":"${label}"`);
    expect(value).not.toBe(markerValue);
    // 100 per send: a record batch must stay under the broker's 1 MB message limit.
    for (let i = 0; i < 25; i++) await producer.send({ topic: bigTopic, messages: Array.from({ length: 100 }, () => ({ value })) });
    const prefix = `${f.name}-big`;
    // Through the proxy, to see the requests: S3Proxy's file store gives multipart objects plain ETags.
    const proxy = await s3Proxy(f.urls.s3Url);
    const result = await runCli(['sink', 's3', bigTopic, '--bucket', 'cdc', '--prefix', prefix, '--group', prefix, '--exit-at-end', '--json'], {
      env: { ...env, AWS_ENDPOINT_URL_S3: proxy.url },
      timeoutMs: 120_000,
    }).finally(() => proxy.close());
    if (result.code !== 0) throw new Error(describeResult(result));
    const objects = (JSON.parse(result.stdout) as { objects: { key: string; rows: number; bytes: number }[] }).objects;
    expect(objects.map((o) => [o.key, o.rows, o.bytes > 8 * 1024 * 1024])).toEqual([[`${prefix}/${bigTopic}/${bigTopic}+0+0.jsonl`, 2500, true]]);
    // Created, two 8 MiB-or-less parts, completed: no single PUT of the object.
    const key = `/cdc/${objects[0].key}`;
    const uploads = proxy.requests.filter((r) => r.includes(key)).map((r) => r.replace(/uploadId=[^&]+/, 'uploadId=…').replace(/&x-id=[^&]+/, ''));
    expect(uploads.filter((r) => !r.startsWith('GET'))).toEqual([
      `POST ${key}?uploads=`,
      `PUT ${key}?partNumber=1&uploadId=…`,
      `PUT ${key}?partNumber=2&uploadId=…`,
      `POST ${key}?uploadId=…`,
    ]);
    const lines = (await get(objects[0].key)).toString('utf8').trim().split('\n');
    expect(lines.map((l) => [(JSON.parse(l) as { after_label: string }).after_label.length, (JSON.parse(l) as { kafka_offset: number }).kafka_offset])).toEqual(
      Array.from({ length: 2500 }, (_, i) => [4096, i]),
    );
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [bigTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

describe('errors in bounded time', () => {
  test('a missing bucket: not found (4) naming it, with --create-bucket as the way out', async () => {
    const result = await runCli(['sink', 's3', topic, '--bucket', 'no-such-bucket-cdc', '--exit-at-end'], { env, timeoutMs: 60_000 });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/bucket no-such-bucket-cdc .* does not exist/);
    expect(result.stderr).toMatch(/--create-bucket/);
    const created = await runCli(['sink', 's3', topic, '--bucket', `new-${f.name.toLowerCase().replace(/_/g, '-')}`, '--create-bucket', '--exit-at-end'], {
      env,
      timeoutMs: 120_000,
    });
    expect(created.code).toBe(0);
  });

  test('refused credentials: a clear error, the secret never printed', async () => {
    const result = await runCli(['sink', 's3', topic, '--bucket', 'cdc', '--exit-at-end'], {
      env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong-secret-xyz' },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused the credentials/);
    expect(result.stdout + result.stderr).not.toContain('wrong-secret-xyz');
  });

  test('an endpoint that does not answer fails within --timeout', async () => {
    const net = await import('node:net');
    const server = net.createServer(() => {
      /* accept and never answer */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await runCli(['sink', 's3', topic, '--bucket', 'cdc', '--timeout', '2', '--exit-at-end'], {
        env: { ...env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not answer/);
    } finally {
      server.close();
    }
  });

  test('bad flags: usage errors naming the flag', async () => {
    for (const [args, message] of [
      [['--bucket', 'Bad_Bucket'], /--bucket "Bad_Bucket" is not a valid bucket name/],
      [['--bucket', 'cdc', '--partition-by', 'week'], /--partition-by must be/],
      [['--bucket', 'cdc', '--flush-size', '0'], /--flush-size/],
      [['--bucket', 'cdc', '--op', 'x'], /--op takes/],
      [['--bucket', 'cdc', '--prefix', 'a/../b'], /--prefix/],
      [[], /--bucket is required/],
    ] as [string[], RegExp][]) {
      const result = await runCli(['sink', 's3', topic, ...args], { env });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
    }
  });
});
