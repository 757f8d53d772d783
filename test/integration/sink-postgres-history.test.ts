/**
 * The target side of `cdc sink postgres` against the real stack: a scripted workload on two
 * related tables (inserts, updates, two updates in one transaction, deletes under REPLICA IDENTITY
 * DEFAULT and FULL, a key change, an added column, a truncate, a dropped column, an incompatible
 * type change), captured by a real Debezium connector, read back from Kafka, re-sent in part (a late
 * snapshot row, a duplicate), and applied by PostgresSink. Checked: every history row against what
 * the workload did, point-in-time queries against copies of the source taken at three moments, the
 * same history whatever the batch size, nothing changed by a re-read, and a refused type change
 * that commits nothing.
 */
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { createSettings } from '../../src/settings';
import { addCounts, emptyCounts, SinkSchemaError, type SinkCounts, type SinkRecord } from '../../src/sink';
import { PostgresSink } from '../../src/sink/postgres/sink';
import { cleanUp, createTargetDb, readTopicsUntil, registerConnector, sinkFixture, valueText, Workload } from './sink-helpers';
import { uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('sinkit'));
const S = `"${f.name}"`;
const TABLES = ['customers', 'orders'];
const topics = TABLES.map((t) => f.topic(t));
let workload: Workload;
let target: Client;
const copies = new Map<string, { customers: Row[]; orders: Row[]; at: string }>();
let records: SinkRecord[] = [];

/** Records of `all` that are not in `seen` (topics interleave in any order: compare by position). */
function newRecords(all: SinkRecord[], seen: SinkRecord[]): SinkRecord[] {
  const old = new Set(seen.map((r) => `${r.topic}/${r.partition}@${r.offset}`));
  return all.filter((r) => !old.has(`${r.topic}/${r.partition}@${r.offset}`));
}

/** What the topics hold, by topic: `op@offset` (tombstones as x), for failure messages. */
function describeTopics(rs: SinkRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rs) out[r.topic] = `${out[r.topic] ?? ''} ${/"op":"(\w)"/.exec(valueText(r))?.[1] ?? 'x'}@${r.offset}`;
  return out;
}

type Row = Record<string, unknown>;

async function sinkInto(schema: string, batch: SinkRecord[], batchSize: number, group = schema, current = false): Promise<SinkCounts> {
  const sink = await PostgresSink.open(createSettings({ env: {}, flags: { target: { url: f.targetUrl } } }).target, {
    targetSchema: schema,
    current,
    onError: 'stop',
  });
  const total = emptyCounts();
  try {
    for (let i = 0; i < batch.length; i += batchSize) addCounts(total, (await sink.applyBatch(group, batch.slice(i, i + batchSize))).counts);
  } finally {
    await sink.close();
  }
  return total;
}

async function history(schema: string, table: string): Promise<Row[]> {
  const { rows } = await target.query(
    `SELECT * FROM "${schema}"."${table}_history" ORDER BY ${table === 'orders' ? 'order_id' : 'customer_id'}, _source_lsn, _source_op <> 'r', _kafka_offset`,
  );
  return rows as Row[];
}

async function sourceCopy(): Promise<{ customers: Row[]; orders: Row[]; at: string }> {
  const customers = await workload.query<Row>(`SELECT * FROM ${S}.customers ORDER BY customer_id`);
  const orders = await workload.query<Row>(`SELECT * FROM ${S}.orders ORDER BY order_id`);
  // The moment as PostgreSQL's text, to the microsecond: a Date keeps milliseconds, and a commit in
  // the same millisecond as the copy (e.g. the delete of step s14) would look later than it.
  return { customers, orders, at: await workload.nowText() };
}

beforeAll(async () => {
  await createTargetDb(f);
  target = new Client({ connectionString: f.targetUrl });
  await target.connect();
  workload = await Workload.connect(f.urls.pgUrl);
  await workload.step(
    'setup',
    `
    CREATE SCHEMA ${S};
    CREATE TABLE ${S}.customers (customer_id int PRIMARY KEY, customer_name text NOT NULL, email text);
    ALTER TABLE ${S}.customers REPLICA IDENTITY FULL;
    CREATE TABLE ${S}.orders (order_id int PRIMARY KEY, customer_id int REFERENCES ${S}.customers, delivery_date date, status text, amount numeric(10,2));
    INSERT INTO ${S}.customers VALUES (1, 'Ada', 'ada@x'), (2, 'Bob', 'bob@x'), (3, 'Cy', NULL);
    INSERT INTO ${S}.orders VALUES (10, 1, '2026-01-10', 'OPEN', 10.50), (11, 1, '2026-01-11', 'OPEN', 11.00),
      (12, 2, '2026-01-12', 'PENDING', 12.25), (13, 2, '2026-01-13', 'OPEN', 13.00)`,
  );
  const before = await workload.now();
  await registerConnector(f, TABLES);
  workload.steps.set('snapshot', { before, after: await workload.now() });
  const step = (name: string, sql: string) => workload.step(name, sql);
  await step('s1', `INSERT INTO ${S}.customers VALUES (4, 'Dee', 'dee@x')`);
  await step('s2', `INSERT INTO ${S}.orders VALUES (14, 4, '2026-01-14', 'OPEN', 14.00)`);
  await step('s3', `UPDATE ${S}.orders SET status = 'PENDING' WHERE order_id = 10`);
  await step('s4', `UPDATE ${S}.customers SET customer_name = 'Bobby' WHERE customer_id = 2`);
  await step('s5', `BEGIN; UPDATE ${S}.orders SET status = 'COMPLETED' WHERE order_id = 11; UPDATE ${S}.orders SET amount = 11.75 WHERE order_id = 11; COMMIT`);
  copies.set('T1', await sourceCopy());
  await step('s6', `DELETE FROM ${S}.orders WHERE order_id = 12`);
  await step('s7', `UPDATE ${S}.customers SET customer_id = 5 WHERE customer_id = 3`);
  await step('s8', `ALTER TABLE ${S}.orders ADD COLUMN note text`);
  await step('s9', `UPDATE ${S}.orders SET note = 'leave at door' WHERE order_id = 13`);
  await step('s10', `INSERT INTO ${S}.orders VALUES (15, 1, '2026-01-15', 'OPEN', 15.00, 'new')`);
  copies.set('T2', await sourceCopy());
  await step('s11', `TRUNCATE ${S}.orders`);
  await step('s12', `INSERT INTO ${S}.orders VALUES (16, 2, '2026-01-16', 'PENDING', 16.00, NULL)`);
  await step('s13', `UPDATE ${S}.customers SET email = 'ada@y' WHERE customer_id = 1`);
  await step('s14', `DELETE FROM ${S}.customers WHERE customer_id = 4`);
  copies.set('T3', await sourceCopy());
  await step('s15', `UPDATE ${S}.customers SET customer_name = 'Ada L' WHERE customer_id = 1`);
  copies.set('end', await sourceCopy());

  const read = await readTopicsUntil(f, topics, (rs) => rs.some((r) => valueText(r).includes('"Ada L"')));
  // Re-sent by "the connector": the snapshot row of customer 1 (late: older than its updates) and
  // the update of customer 2 (already applied).
  const snapshotRow = read.find((r) => r.topic === f.topic('customers') && /"op":"r"/.test(valueText(r)) && /"customer_id":1\b/.test(valueText(r)))!;
  const bobUpdate = read.find((r) => r.topic === f.topic('customers') && /"op":"u"/.test(valueText(r)) && valueText(r).includes('"Bobby"'))!;
  const producer = new Kafka({ brokers: [f.urls.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: f.topic('customers'), messages: [snapshotRow, bobUpdate].map((r) => ({ key: r.key, value: r.value })) });
  await producer.disconnect();
  records = await readTopicsUntil(f, topics, (rs) => rs.length === read.length + 2);
}, 300_000);

afterAll(async () => {
  await target?.end().catch(() => undefined);
  await workload?.end().catch(() => undefined);
  await cleanUp(f, TABLES);
}, 180_000);

/** [key, operation_type, is_current, values…, step of valid_from, step of valid_to (null: open)] */
type Expected = [number, string, boolean, Row, string, string | null];

const CUSTOMERS: Expected[] = [
  [1, 'INSERT', false, { customer_name: 'Ada', email: 'ada@x' }, 'snapshot', 's13'],
  [1, 'UPDATE', false, { customer_name: 'Ada', email: 'ada@y' }, 's13', 's15'],
  [1, 'UPDATE', true, { customer_name: 'Ada L', email: 'ada@y' }, 's15', null],
  [2, 'INSERT', false, { customer_name: 'Bob', email: 'bob@x' }, 'snapshot', 's4'],
  [2, 'UPDATE', true, { customer_name: 'Bobby', email: 'bob@x' }, 's4', null],
  [3, 'INSERT', false, { customer_name: 'Cy', email: null }, 'snapshot', 's7'],
  [3, 'DELETE', false, { customer_name: 'Cy', email: null }, 's7', 's7'],
  [4, 'INSERT', false, { customer_name: 'Dee', email: 'dee@x' }, 's1', 's14'],
  [4, 'DELETE', false, { customer_name: 'Dee', email: 'dee@x' }, 's14', 's14'],
  [5, 'INSERT', true, { customer_name: 'Cy', email: null }, 's7', null],
];

const O = (customer: number, day: number, status: string, amount: string, note: string | null = null): Row => ({
  customer_id: customer,
  delivery_date: `2026-01-${day}`,
  status,
  amount,
  note,
});
const ORDERS: Expected[] = [
  [10, 'INSERT', false, O(1, 10, 'OPEN', '10.50'), 'snapshot', 's3'],
  [10, 'UPDATE', false, O(1, 10, 'PENDING', '10.50'), 's3', 's11'],
  [11, 'INSERT', false, O(1, 11, 'OPEN', '11.00'), 'snapshot', 's5'],
  [11, 'UPDATE', false, O(1, 11, 'COMPLETED', '11.00'), 's5', 's5'],
  [11, 'UPDATE', false, O(1, 11, 'COMPLETED', '11.75'), 's5', 's11'],
  [12, 'INSERT', false, O(2, 12, 'PENDING', '12.25'), 'snapshot', 's6'],
  // REPLICA IDENTITY DEFAULT: the delete event has the key only; the row carries the last values.
  [12, 'DELETE', false, O(2, 12, 'PENDING', '12.25'), 's6', 's6'],
  [13, 'INSERT', false, O(2, 13, 'OPEN', '13.00'), 'snapshot', 's9'],
  [13, 'UPDATE', false, O(2, 13, 'OPEN', '13.00', 'leave at door'), 's9', 's11'],
  [14, 'INSERT', false, O(4, 14, 'OPEN', '14.00'), 's2', 's11'],
  [15, 'INSERT', false, O(1, 15, 'OPEN', '15.00', 'new'), 's10', 's11'],
  [16, 'INSERT', true, O(2, 16, 'PENDING', '16.00'), 's12', null],
];

function within(step: string, at: Date | null, what: string): void {
  const window = workload.steps.get(step)!;
  expect({ what, at: at?.toISOString(), ok: at !== null && at >= window.before && at <= window.after }).toEqual({ what, at: at?.toISOString(), ok: true });
}

function checkHistory(rows: Row[], expected: Expected[], keyColumn: string): void {
  const shown = rows.map((r) => `${r[keyColumn]} ${r.operation_type} ${r.is_current}`);
  expect(shown).toEqual(expected.map(([k, op, current]) => `${k} ${op} ${current}`));
  rows.forEach((row, i) => {
    const [key, , , values, from, to] = expected[i];
    const what = `${keyColumn}=${key} row ${i}`;
    const picked = Object.fromEntries(Object.keys(values).map((c) => [c, row[c] instanceof Date ? isoDay(row[c]) : row[c]]));
    expect({ what, ...picked }).toEqual({ what, ...values });
    within(from, row.valid_from as Date, `${what} valid_from`);
    if (to === null) expect({ what, valid_to: row.valid_to }).toEqual({ what, valid_to: null });
    else within(to, row.valid_to as Date, `${what} valid_to`);
  });
}

function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

describe('PostgresSink on a real Debezium workload', () => {
  let counts: SinkCounts;

  it('writes every version the workload made, with commit times, deletes carrying the last values, the key change and the truncate', async () => {
    // What Debezium wrote: the snapshot (r), the workload, the two re-sent records.
    expect(describeTopics(records)).toEqual({
      [f.topic('customers')]: ' r@0 r@1 r@2 c@3 u@4 d@5 x@6 c@7 u@8 d@9 x@10 u@11 r@12 u@13',
      [f.topic('orders')]: ' r@0 r@1 r@2 r@3 c@4 u@5 u@6 u@7 d@8 x@9 u@10 c@11 t@12 c@13',
    });
    counts = await sinkInto('h_all', records, 10_000, 'h_all', true);
    checkHistory(await history('h_all', 'customers'), CUSTOMERS, 'customer_id');
    checkHistory(await history('h_all', 'orders'), ORDERS, 'order_id');
    const c = counts.tables['h_all.customers_history'];
    expect({ stale: c.stale, duplicates: c.duplicates }).toEqual({ stale: 1, duplicates: 1 });
    expect(counts.tables['h_all.orders_history']).toMatchObject({ truncates: 1, deletes: 1, versionsOpened: 11 });
    // The --current mirror is the source as it is now.
    const mirror = (await target.query('SELECT * FROM h_all.customers ORDER BY customer_id')).rows;
    expect(mirror).toEqual(copies.get('end')!.customers);
    expect((await target.query('SELECT * FROM h_all.orders ORDER BY order_id')).rows).toEqual(copies.get('end')!.orders);
    // No version above the applied LSN (the duplicate check looks up only events at or below it).
    for (const table of TABLES) {
      const { rows } = await target.query(
        `SELECT (SELECT max(applied_lsn) FROM cdc_sink.applied WHERE target_schema = 'h_all' AND history_table = $1) >= max(_source_lsn) AS covered FROM h_all.${table}_history`,
        [`${table}_history`],
      );
      expect({ table, covered: rows[0].covered }).toEqual({ table, covered: true });
    }
    const offsets = (await target.query(`SELECT topic, next_offset::text AS next FROM cdc_sink.offsets WHERE group_id = 'h_all' ORDER BY topic`)).rows;
    const lastOffsets = topics.map((topic) => String(Math.max(...records.filter((r) => r.topic === topic).map((r) => Number(r.offset))) + 1));
    expect(offsets).toEqual(topics.map((topic, i) => ({ topic, next: lastOffsets[i] })).sort((a, b) => (a.topic < b.topic ? -1 : 1)));
  });

  it('answers point-in-time queries with the source as it was at three moments', async () => {
    for (const moment of ['T1', 'T2', 'T3']) {
      const copy = copies.get(moment)!;
      for (const table of TABLES) {
        const expected = copy[table as 'customers' | 'orders'];
        const columns = Object.keys(expected[0] ?? { customer_id: 0 })
          .map((c) => `"${c}"`)
          .join(', ');
        const key = table === 'orders' ? 'order_id' : 'customer_id';
        const { rows } = await target.query(
          `SELECT ${columns} FROM h_all.${table}_history WHERE valid_from <= $1 AND (valid_to > $1 OR valid_to IS NULL) ORDER BY ${key}`,
          [copy.at],
        );
        expect({ moment, table, rows }).toEqual({ moment, table, rows: expected });
      }
    }
  });

  it('gives the same history whatever the batch size, and a re-read changes nothing', async () => {
    // Small batches: the re-sent records meet their originals in the history, not in the batch.
    // (Whether the late snapshot row counts as stale or as a duplicate depends on whether its key's
    // newer changes were applied before its batch: with 7 a batch they come in the same one.)
    const b1 = (await sinkInto('h_b1', records, 1)).tables['h_b1.customers_history'];
    expect({ stale: b1.stale, duplicates: b1.duplicates }).toEqual({ stale: 1, duplicates: 1 });
    const b7 = (await sinkInto('h_b7', records, 7)).tables['h_b7.customers_history'];
    expect(b7.stale + b7.duplicates).toBe(2);
    const strip = (rows: Row[]) => rows.map(({ _kafka_offset, ...rest }) => ({ ...rest, _kafka_offset }));
    for (const table of TABLES) {
      const all = strip(await history('h_all', table));
      expect(strip(await history('h_b1', table))).toEqual(all);
      expect(strip(await history('h_b7', table))).toEqual(all);
    }
    // Another group reading everything again into the same tables: all of it already applied.
    const again = await sinkInto('h_all', records, 50, 'h_all_again', true);
    const c = again.tables['h_all.customers_history'];
    const o = again.tables['h_all.orders_history'];
    expect([c.versionsOpened, c.versionsClosed, c.deletes, o.versionsOpened, o.versionsClosed, o.deletes, o.truncates]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(c.duplicates + c.stale + o.duplicates + o.stale).toBe(c.events + o.events);
    // A history written before cdc_sink.applied existed: its highest LSN is taken from the history.
    await target.query(`UPDATE cdc_sink.tables SET applied_lsn = NULL WHERE target_schema = 'h_all'`);
    await target.query(`DELETE FROM cdc_sink.applied WHERE target_schema = 'h_all'`);
    const older = await sinkInto('h_all', records, 50, 'h_all_older', true);
    const changed = Object.values(older.tables).map((t) => t.versionsOpened + t.versionsClosed + t.deletes + t.truncates);
    expect(changed).toEqual([0, 0]);
    expect(Object.values(older.tables).reduce((n, t) => n + t.duplicates + t.stale - t.events, 0)).toBe(0);
    checkHistory(await history('h_all', 'customers'), CUSTOMERS, 'customer_id');
    checkHistory(await history('h_all', 'orders'), ORDERS, 'order_id');
  });

  it('keeps a dropped column (null from then on) and refuses an incompatible type change, committing nothing of that batch', async () => {
    await workload.step('s16', `ALTER TABLE ${S}.orders DROP COLUMN note`);
    await workload.step('s17', `UPDATE ${S}.orders SET status = 'COMPLETED' WHERE order_id = 16`);
    let more = await readTopicsUntil(f, topics, (rs) =>
      rs.some((r) => r.topic === f.topic('orders') && /"op":"u"/.test(valueText(r)) && /"order_id":16\b/.test(valueText(r))),
    );
    await sinkInto('h_all', newRecords(more, records), 100, 'h_all', true);
    const sixteen = (await target.query(`SELECT status, note, is_current FROM h_all.orders_history WHERE order_id = 16 ORDER BY _source_lsn`)).rows;
    expect(sixteen).toEqual([
      { status: 'PENDING', note: null, is_current: false },
      { status: 'COMPLETED', note: null, is_current: true },
    ]);

    await workload.step('s18', `ALTER TABLE ${S}.customers ALTER COLUMN email TYPE integer USING NULL`);
    await workload.step(
      's19',
      `BEGIN; UPDATE ${S}.customers SET customer_name = 'Bo' WHERE customer_id = 2; UPDATE ${S}.customers SET email = 7 WHERE customer_id = 5; COMMIT`,
    );
    const seen = more;
    more = await readTopicsUntil(f, topics, (rs) => rs.some((r) => valueText(r).includes('"email":7')));
    const rowsBefore = (await target.query('SELECT count(*)::int AS n FROM h_all.customers_history')).rows[0].n;
    const offsetsBefore = (await target.query(`SELECT * FROM cdc_sink.offsets WHERE group_id = 'h_all' ORDER BY topic`)).rows;
    const error = await sinkInto('h_all', newRecords(more, seen), 100, 'h_all', true).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(SinkSchemaError);
    expect(error!.message).toBe(`table h_all.customers_history: column email changed type from text to integer, which the history cannot hold`);
    expect((await target.query('SELECT count(*)::int AS n FROM h_all.customers_history')).rows[0].n).toBe(rowsBefore);
    expect((await target.query(`SELECT * FROM cdc_sink.offsets WHERE group_id = 'h_all' ORDER BY topic`)).rows).toEqual(offsetsBefore);
    expect((await target.query(`SELECT customer_name FROM h_all.customers WHERE customer_id = 2`)).rows).toEqual([{ customer_name: 'Bobby' }]);
  });

  it('names a bad record by topic/partition@offset: stop commits what precedes it, skip counts it and goes on', async () => {
    const customers = records.filter((r) => r.topic === f.topic('customers')).sort((a, b) => Number(a.offset) - Number(b.offset));
    // The fourth record made unusable: not a Debezium event.
    const bad = { ...customers[3], value: Buffer.from('{"hello":"world"}') };
    const batch = [...customers.slice(0, 3), bad, ...customers.slice(4)];
    const open = async (onError: 'stop' | 'skip', schema: string) =>
      PostgresSink.open(createSettings({ env: {}, flags: { target: { url: f.targetUrl } } }).target, { targetSchema: schema, current: false, onError });
    const stopping = await open('stop', 'h_bad_stop');
    const stopped = await stopping.applyBatch('bad_stop', batch).finally(() => stopping.close());
    expect(stopped.stop?.message).toBe(`bad record at ${f.topic('customers')}/0@3: not a Debezium event: an object without op/payload (keys: hello)`);
    expect(stopped.committed).toEqual([{ topic: f.topic('customers'), partition: 0, nextOffset: '3' }]);
    expect((await target.query('SELECT count(*)::int AS n FROM h_bad_stop.customers_history')).rows[0].n).toBe(3);
    const skipping = await open('skip', 'h_bad_skip');
    const skipped = await skipping.applyBatch('bad_skip', batch).finally(() => skipping.close());
    expect(skipped.stop).toBeUndefined();
    expect(skipped.bad).toEqual([
      { topic: f.topic('customers'), partition: 0, offset: '3', reason: 'not a Debezium event: an object without op/payload (keys: hello)', hint: undefined },
    ]);
    expect(skipped.counts.bad).toBe(1);
    expect(skipped.committed).toEqual([{ topic: f.topic('customers'), partition: 0, nextOffset: String(Number(customers.at(-1)!.offset) + 1) }]);
  });

  it('starts a new history when the old one was dropped by hand (a fresh start with a new group)', async () => {
    await target.query('DROP SCHEMA h_b7 CASCADE');
    await sinkInto('h_b7', records, 25, 'h_b7_fresh');
    for (const table of TABLES) expect(await history('h_b7', table)).toEqual(await history('h_b1', table));
  });
});
