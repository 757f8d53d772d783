/**
 * The `cdc sink mongo` and `cdc sink s3` --help examples, run verbatim by readme-tutorial.test.ts on
 * the tutorial's stack (S3Proxy and mongo-java-server started by the `cdc stack up --with s3,mongo`
 * example) and topics (dbserver1.bank.holding from the tutorial, retail.public.customers from the
 * walkthrough): what each needs first, and what it must have written, read back and compared with
 * the source rows or the topic's events.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MongoClient, type Document } from 'mongodb';
import { isJsonObject, parseLossless, type JsonObject, type JsonValue } from '../../src/json';
import { withPg } from '../helpers/pipeline';
import { describeResult, runCli } from '../helpers/run-cli';
import type { ExamplePlan, World } from './help-examples';

const CUSTOMERS = 'retail.public.customers';
const HOLDING = 'dbserver1.bank.holding';
/** Rows the creates-only example must find: inserted after the walkthrough's snapshot. */
const CREATED_IDS = [100_001, 100_002, 100_003];

interface Change {
  partition: number;
  offset: number;
  op: string;
  before: JsonObject | null;
  after: JsonObject | null;
}

/** The change events of a topic (not tombstones), in offset order, as `cdc watch -o records` reads them. */
async function changes(world: World, topic: string): Promise<Change[]> {
  const result = await runCli(['watch', topic, '--exit-at-end', '-o', 'records', '-q'], { env: world.env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`cdc watch ${topic} failed\n${describeResult(result)}`);
  const out: Change[] = [];
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const record = parseLossless(line) as JsonObject;
    if (!isJsonObject(record.value)) continue;
    const payload = isJsonObject(record.value.payload) ? record.value.payload : record.value;
    out.push({
      partition: Number(record.partition),
      offset: Number(String(record.offset)),
      op: String(payload.op),
      before: isJsonObject(payload.before) ? payload.before : null,
      after: isJsonObject(payload.after) ? payload.after : null,
    });
  }
  return out;
}

/** A value as text, whatever carried it (a JSON number, a BSON Int32/Long, a string); null as null. */
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function same(what: string, got: unknown, want: unknown): void {
  const [g, w] = [JSON.stringify(got), JSON.stringify(want)];
  if (g !== w) throw new Error(`${what}: got ${g.slice(0, 400)}, want ${w.slice(0, 400)}`);
}

/** Every column of every source row, as text, keyed by its primary key. */
async function sourceRows(world: World, table: string, key: string): Promise<Map<string, Record<string, string | null>>> {
  const rows = await withPg(
    world.databaseUrl,
    async (c) => (await c.query({ text: `SELECT * FROM ${table}`, types: { getTypeParser: () => (v: string) => v } })).rows as Record<string, string | null>[],
  );
  return new Map(rows.map((r) => [String(r[key]), r]));
}

/** A document (or a flat object row with `after_` columns) against its source row, every column. */
function sameRow(what: string, row: Record<string, string | null>, get: (column: string) => unknown): void {
  same(
    what,
    Object.keys(row).map((c) => [c, text(get(c))]),
    Object.entries(row).map(([c, v]) => [c, v]),
  );
}

async function withMongo<T>(world: World, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(world.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The stack's bucket `cdc` (S3Proxy, the stack's fixed test keys), as a reader. */
function bucket(world: World) {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: world.s3Url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    /** Keys under `prefix` that end with `suffix`, in offset order of their first record. */
    async keys(prefix: string, suffix: string): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: 'cdc', Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key?.endsWith(suffix)) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      const first = (key: string) => Number(/\+(\d+)\.[^/]+$/.exec(key)?.[1]);
      return keys.sort((a, b) => first(a) - first(b) || (a < b ? -1 : 1));
    },
    async get(key: string): Promise<Buffer> {
      const answer = await s3.send(new GetObjectCommand({ Bucket: 'cdc', Key: key }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    },
    close: () => s3.destroy(),
  };
}

async function waitFor(world: World, connector: string): Promise<void> {
  const code = await world.sh(`cdc connector wait ${connector}`);
  if (code !== 0) throw new Error(`cdc connector wait ${connector} exited ${code}`);
}

/** The last version of each key in offset order (deletes remove it), from flat rows or events. */
function lastVersions<T>(items: T[], key: (item: T) => string, op: (item: T) => string): Map<string, T> {
  const last = new Map<string, T>();
  for (const item of items) {
    if (op(item) === 'd') last.delete(key(item));
    else last.set(key(item), item);
  }
  return last;
}

export const SINK_EXAMPLE_PLANS: Record<string, ExamplePlan> = {
  // The tutorials' creates-only collection: customers created after the snapshot, nothing else.
  'cdc sink mongo retail.public.customers --op c --exit-at-end': {
    setup: async (world) => {
      await withPg(world.databaseUrl, async (c) => {
        await c.query(`CREATE TEMP TABLE created AS SELECT * FROM public.customers WHERE "customerId" IN (1, 2, 3)`);
        await c.query(`UPDATE created SET "customerId" = "customerId" + 100000, "customerFName" = 'Created ' || "customerId"`);
        await c.query(`INSERT INTO public.customers SELECT * FROM created`);
      });
      await waitFor(world, 'customers');
    },
    check: async (world) => {
      const created = (await changes(world, CUSTOMERS)).filter((e) => e.op === 'c').map((e) => String(e.after!.customerId));
      for (const id of CREATED_IDS) if (!created.includes(String(id))) throw new Error(`customer ${id} was inserted but no create event is on ${CUSTOMERS}`);
      const rows = await sourceRows(world, 'public.customers', 'customerId');
      const docs = await withMongo(world, (m) => m.db('cdc').collection('customers').find().toArray());
      same('documents (_id) in cdc.customers', docs.map((d) => String(d._id)).sort(), [...new Set(created)].sort());
      for (const doc of docs) {
        same(`customer ${String(doc._id)}: _cdc.op`, (doc._cdc as Document).op, 'c');
        sameRow(`customer ${String(doc._id)}`, rows.get(String(doc._id))!, (c) => doc[c]);
      }
    },
  },
  'cdc sink mongo dbserver1.bank.holding --mode append --collection holding_changes --exit-at-end': {
    setup: (world) => waitFor(world, 'holding'),
    check: async (world) => {
      const events = await changes(world, HOLDING);
      if (events.length === 0) throw new Error(`${HOLDING} holds no change: the example would prove nothing`);
      const docs = await withMongo(world, (m) => m.db('cdc').collection('holding_changes').find().toArray());
      const byId = new Map(docs.map((d) => [String(d._id), d]));
      same('append documents (_id) in cdc.holding_changes', [...byId.keys()].sort(), events.map((e) => `${HOLDING}/${e.partition}/${e.offset}`).sort());
      for (const e of events) {
        const doc = byId.get(`${HOLDING}/${e.partition}/${e.offset}`)!;
        const row = e.op === 'd' ? e.before : e.after;
        same(`${HOLDING}@${e.offset}`, [doc.op, text((doc.row as Document | undefined)?.holding_quantity)], [e.op, text(row?.holding_quantity)]);
      }
    },
  },
  "cdc sink mongo --topics-regex 'retail\\.public\\..*' --database retail --exit-at-end --json": {
    setup: (world) => waitFor(world, 'customers'),
    check: async (world, run) => {
      const summary = JSON.parse(run.stdout) as { reason: string; target: string; records: number };
      same('--json: reason, target', [summary.reason, summary.target.endsWith(' database retail')], ['end', true]);
      const rows = await sourceRows(world, 'public.customers', 'customerId');
      const docs = await withMongo(world, (m) => m.db('retail').collection('customers').find().toArray());
      same('documents in retail.customers', docs.length, rows.size);
      for (const doc of docs) sameRow(`customer ${String(doc._id)}`, rows.get(String(doc._id)) ?? {}, (c) => doc[c]);
    },
  },
  'cdc sink s3 retail.public.customers --bucket cdc --exit-at-end': {
    setup: (world) => waitFor(world, 'customers'),
    check: async (world) => {
      const s3 = bucket(world);
      try {
        const keys = await s3.keys(`${CUSTOMERS}/`, '.jsonl');
        same('first object', keys[0], `${CUSTOMERS}/${CUSTOMERS}+0+0.jsonl`);
        const lines = (await Promise.all(keys.map((k) => s3.get(k))))
          .flatMap((b) => b.toString('utf8').trim().split('\n'))
          .map((l) => parseLossless(l) as JsonObject);
        const events = await changes(world, CUSTOMERS);
        same(
          'offsets in the objects',
          lines.map((l) => Number(String(l.kafka_offset))),
          events.map((e) => e.offset),
        );
        const rows = await sourceRows(world, 'public.customers', 'customerId');
        const last = lastVersions(
          lines,
          (l) => String(l.after_customerId ?? l.before_customerId),
          (l) => String(l.op),
        );
        same('customers in the objects', last.size, rows.size);
        for (const [id, line] of last) sameRow(`customer ${id}`, rows.get(id) ?? {}, (c) => line[`after_${c}`]);
      } finally {
        s3.close();
      }
    },
  },
  // These two follow the topic until Ctrl-C; the objects are uploaded once the sink has caught up.
  // Each is stopped as soon as its check passes; 60 s is the most a loaded machine gets (joining the
  // group, catching up) before the Ctrl-C that ends it anyway.
  'cdc sink s3 dbserver1.bank.holding --bucket cdc --format parquet --partition-by date': {
    interruptAfter: 60,
    setup: (world) => waitFor(world, 'holding'),
    check: async (world) => {
      const s3 = bucket(world);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-example-parquet-'));
      try {
        const keys = await s3.keys(`${HOLDING}/date=`, '.parquet');
        for (const key of keys) if (!/\/date=\d{4}-\d{2}-\d{2}\/[^/]+$/.test(key)) throw new Error(`${key} is not under a date=YYYY-MM-DD path`);
        const files = await Promise.all(
          keys.map(async (key, i) => {
            const file = path.join(dir, `${i}.parquet`);
            fs.writeFileSync(file, await s3.get(key));
            return `'${file}'`;
          }),
        );
        if (files.length === 0) throw new Error(`no Parquet object under ${HOLDING}/date=`);
        // An independent reader: DuckDB.
        const { DuckDBInstance } = await import('@duckdb/node-api');
        const duck = await (await DuckDBInstance.create(':memory:')).connect();
        const read = (
          await duck.runAndReadAll(
            `SELECT kafka_offset::varchar AS o, op, coalesce(after_holding_id, before_holding_id)::varchar AS id, after_holding_stock AS stock, after_holding_quantity::varchar AS quantity FROM read_parquet([${files.join(', ')}], union_by_name = true) ORDER BY kafka_offset`,
          )
        ).getRowObjectsJson();
        const events = await changes(world, HOLDING);
        same(
          'Parquet rows (offset, op, holding_id, stock, quantity)',
          read.map((r) => [Number(r.o), r.op, r.id, r.stock, r.quantity]),
          events.map((e) => {
            const row = e.after ?? e.before!;
            return [e.offset, e.op, text(row.holding_id), e.after ? text(e.after.holding_stock) : null, e.after ? text(e.after.holding_quantity) : null];
          }),
        );
      } finally {
        s3.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  'cdc sink s3 dbserver1.bank.holding --bucket cdc --shape pivot --format jsonl.gz --op u': {
    interruptAfter: 60,
    setup: (world) => waitFor(world, 'holding'),
    check: async (world) => {
      const s3 = bucket(world);
      try {
        const keys = await s3.keys(`${HOLDING}/${HOLDING}+`, '.jsonl.gz');
        const lines = (await Promise.all(keys.map((k) => s3.get(k))))
          .flatMap((b) => gunzipSync(b).toString('utf8').trim().split('\n'))
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, JsonValue>);
        // What `cdc parse` makes of the same topic, its updates only.
        const events = await runCli(['watch', HOLDING, '--exit-at-end', '-q'], { env: world.env, timeoutMs: 120_000 });
        const pivot = await runCli(['parse', '-f', 'jsonl'], { env: world.env, input: events.stdout });
        if (events.code !== 0 || pivot.code !== 0) throw new Error(`cdc watch | cdc parse failed\n${describeResult(events)}\n${describeResult(pivot)}`);
        const expected = pivot.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, JsonValue>)
          .filter((r) => r.op === 'u');
        if (expected.length === 0) throw new Error(`${HOLDING} holds no update: the example would prove nothing`);
        const strip = (r: Record<string, JsonValue>) =>
          [r.holding_id, r.change_field, r.old_value, r.new_value, r.op].map((v) => (v === null || v === undefined || v === '' ? null : String(v)));
        same('pivot rows (holding_id, field, old, new, op)', lines.map(strip), expected.map(strip));
      } finally {
        s3.close();
      }
    },
  },
};
