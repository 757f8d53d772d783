/**
 * `cdc sink mongo` against the real stack (PostgreSQL → Debezium → Kafka → mongo-java-server):
 * upsert documents equal the source table (decimals exact as Decimal128, big integers as Int64,
 * dates as dates); `--op c` keeps only the rows created after the snapshot; append writes one
 * document per change, and a replay or a kill -9 mid-run adds no duplicate and loses nothing.
 */
import { Decimal128, type Long, MongoClient } from 'mongodb';
import { withPg } from '../helpers/pipeline';
import { describeResult, runCli } from '../helpers/run-cli';
import { cleanUp, readTopicsUntil, registerConnector, sinkFixture, valueText } from './sink-helpers';
import { CdcProcess, uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('sinkmongo'));
const topic = f.topic('items');
let mongo: MongoClient;
let mongoUrl: string;
let events = 0;
let records = 0;
/** Offsets of the change events (tombstones are not changes). */
let changeOffsets: number[] = [];
let created: number[] = [];

const sink = (database: string, ...more: string[]) =>
  runCli(['sink', 'mongo', topic, '--mongo-url', mongoUrl, '--database', database, '--exit-at-end', '--json', ...more], { env: f.env, timeoutMs: 180_000 });

beforeAll(async () => {
  mongoUrl = f.urls.mongoUrl;
  mongo = new MongoClient(mongoUrl);
  await mongo.connect();
  await withPg(f.urls.pgUrl, async (c) => {
    await c.query(`CREATE SCHEMA "${f.name}"`);
    await c.query(`CREATE TABLE "${f.name}".items (id bigint PRIMARY KEY, price numeric(30,6), big bigint, day date, seen timestamptz, label text, doc jsonb)`);
    await c.query(`ALTER TABLE "${f.name}".items REPLICA IDENTITY FULL`);
    await c.query(
      `INSERT INTO "${f.name}".items SELECT g, g * 1.5 + 0.000001, 9007199254740993 + g, date '2026-01-01' + g, timestamptz '2026-12-01 10:00:00.123456+00' + g * interval '1 minute', 'item ' || g, jsonb_build_object('n', g) FROM generate_series(1, 50) g`,
    );
  });
  await registerConnector(f, ['items']);
  await withPg(f.urls.pgUrl, async (c) => {
    // After the snapshot: creates, updates, deletes — including a price beyond a double's precision.
    await c.query(
      `INSERT INTO "${f.name}".items SELECT g, 123456789012345678.123456, -9223372036854775808, date '2026-06-01', now(), 'new ' || g, '{"deep": {"a": [1, 2.50]}}' FROM generate_series(1001, 1040) g`,
    );
    for (let i = 0; i < 300; i++) await c.query(`UPDATE "${f.name}".items SET price = price + 0.000001, label = label || '.' WHERE id = $1`, [1 + (i % 60)]);
    await c.query(`DELETE FROM "${f.name}".items WHERE id IN (2, 4, 1002)`);
    await c.query(`INSERT INTO "${f.name}".items VALUES (999999, 0, 0, null, null, 'MARKER', null)`);
  });
  created = [...Array.from({ length: 40 }, (_, i) => 1001 + i).filter((id) => id !== 1002), 999999];
  const all = await readTopicsUntil(f, [topic], (rs) => rs.some((r) => valueText(r).includes('"MARKER"')));
  records = all.length;
  changeOffsets = all.filter((r) => r.value !== null).map((r) => Number(r.offset));
  events = changeOffsets.length;
}, 600_000);

afterAll(async () => {
  for (const db of ['upsert', 'creates', 'append', 'killed'])
    await mongo
      ?.db(`${f.name}_${db}`)
      .dropDatabase()
      .catch(() => undefined);
  await mongo?.close();
  await cleanUp(f, ['items']);
});

test('upsert: one document per source row, equal to the table, values exact', async () => {
  const result = await sink(`${f.name}_upsert`);
  expect(result.code).toBe(0);
  const rows = await withPg(
    f.urls.pgUrl,
    async (c) =>
      (
        await c.query({
          text: `SELECT id, price::text, big::text, day::text, label, doc::text FROM "${f.name}".items ORDER BY id`,
          types: { getTypeParser: () => (v: string) => v },
        })
      ).rows,
  );
  const docs = await mongo
    .db(`${f.name}_upsert`)
    .collection('items')
    .find({}, { sort: { _id: 1 } })
    .toArray();
  expect(docs.map((d) => Number(d._id))).toEqual(rows.map((r) => Number(r.id)));
  for (const [i, doc] of docs.entries()) {
    const row = rows[i];
    expect(doc.price).toBeInstanceOf(Decimal128);
    expect(doc.price.toString()).toBe(row.price);
    expect(typeof doc.big === 'number' ? String(doc.big) : (doc.big as Long).toString()).toBe(row.big);
    if (row.day !== null) expect((doc.day as Date).toISOString().slice(0, 10)).toBe(row.day);
    expect(doc.label).toBe(row.label);
    expect(doc._cdc.table).toBe(`${f.name}.items`);
  }
  const json = JSON.parse(result.stdout);
  expect(json.records).toBe(records);
  // Re-run from the stored offsets: nothing more to do, the same documents.
  const again = await sink(`${f.name}_upsert`);
  expect(JSON.parse(again.stdout).records).toBe(0);
  expect(await mongo.db(`${f.name}_upsert`).collection('items').countDocuments()).toBe(rows.length);
});

test("--op c: only the rows created after the snapshot (the tutorial's collection)", async () => {
  const result = await sink(`${f.name}_creates`, '--op', 'c');
  expect(result.code).toBe(0);
  const ids = (
    await mongo
      .db(`${f.name}_creates`)
      .collection('items')
      .find({}, { sort: { _id: 1 } })
      .toArray()
  ).map((d) => Number(d._id));
  // Created after the snapshot, whatever happened to them later (1002 was deleted: --op c ignores deletes).
  expect(ids).toEqual([...created, 1002].sort((a, b) => a - b));
});

test('append: one document per change, keyed by record; a replay from scratch adds no duplicate', async () => {
  const db = `${f.name}_append`;
  expect((await sink(db, '--mode', 'append', '--collection', 'changes')).code).toBe(0);
  const count = () => mongo.db(db).collection('changes').countDocuments();
  expect(await count()).toBe(events);
  // Forget the offsets: the whole topic is written again, onto the same _ids.
  await mongo.db(db).collection('_cdc_offsets').deleteMany({});
  expect((await sink(db, '--mode', 'append', '--collection', 'changes')).code).toBe(0);
  expect(await count()).toBe(events);
  const ops = await mongo
    .db(db)
    .collection('changes')
    .aggregate([{ $group: { _id: '$op', n: { $sum: 1 } } }])
    .toArray();
  expect(Object.fromEntries(ops.map((o) => [o._id, o.n]))).toEqual(expect.objectContaining({ r: 50, c: 41, d: 3 }));
});

test('kill -9 mid-run, then restart: every change exactly once (append) and nothing lost', async () => {
  const db = `${f.name}_killed`;
  // The restart joins the group only once the killed member's session is over: 10 s, not 30.
  const args = ['sink', 'mongo', topic, '--mongo-url', mongoUrl, '--database', db, '--mode', 'append', '--collection', 'changes', '--session-timeout', '10'];
  const run = new CdcProcess([...args, '--batch-size', '7', '--exit-at-end'], f.env);
  const offsets = mongo.db(db).collection('_cdc_offsets');
  await run.waitFor('a few batches', () => true);
  for (let i = 0; i < 600; i++) {
    const stored = await offsets.findOne({});
    if (stored && Number(stored.nextOffset) >= 50) break;
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  run.child.kill('SIGKILL');
  await run.exited;
  const partial = await mongo.db(db).collection('changes').countDocuments();
  expect(partial).toBeLessThan(events);
  const resumed = await runCli([...args, '--exit-at-end', '--json'], { env: f.env, timeoutMs: 180_000 });
  expect(resumed.code).toBe(0);
  expect(await mongo.db(db).collection('changes').countDocuments()).toBe(events);
  const offsetsSeen = (
    await mongo
      .db(db)
      .collection('changes')
      .find({}, { projection: { offset: 1 } })
      .toArray()
  )
    .map((d) => Number(d.offset))
    .sort((a, b) => a - b);
  expect(offsetsSeen).toEqual(changeOffsets);
});

test('bad flags are usage errors naming the flag, before anything connects', async () => {
  for (const [args, message] of [
    [['--op', 'x'], /--op takes/],
    [['--database', 'a/b'], /--database "a\/b" is not a valid MongoDB database name/],
    [['--collection', '$bad'], /--collection/],
    [['--batch-size', '0'], /--batch-size/],
    [['--mode', 'merge'], /--mode/],
    [['--group', ' '], /--group must not be empty/],
  ] as [string[], RegExp][]) {
    const result = await runCli(['sink', 'mongo', topic, '--mongo-url', 'mongodb://127.0.0.1:1', ...args], { env: f.env });
    expect({ args, code: result.code }).toEqual({ args, code: 2 });
    expect(result.stderr).toMatch(message);
  }
});

test('an unreachable MongoDB is a clear error in bounded time', async () => {
  const result = await runCli(['sink', 'mongo', topic, '--mongo-url', 'mongodb://127.0.0.1:1', '--timeout', '2', '--exit-at-end'], {
    env: f.env,
    timeoutMs: 60_000,
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/cannot reach MongoDB at mongodb:\/\/127\.0\.0\.1:1/);
  expect(describeResult(result)).not.toMatch(/at .*\.js:\d+/);
});
