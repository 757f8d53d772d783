/**
 * `cdc sink postgres` as a user runs it, against the real stack: a holdings workload captured by a
 * real connector into a topic of three partitions; an uninterrupted run as the reference; a run
 * killed with -9 while a batch transaction is open, then restarted; two processes of one group with
 * a handover in the middle. Each must leave exactly the reference history.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { describeResult, runCli } from '../helpers/run-cli';
import { withPg } from '../helpers/pipeline';
import { cleanUp, createTargetDb, readTopicsUntil, registerConnector, sinkFixture, valueText } from './sink-helpers';
import { CdcProcess, uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('sinkcli'));
const topic = f.topic('holding');
let target: Client;
let total = 0;

const sinkArgs = (schema: string, group: string, ...more: string[]) => [
  'sink',
  'postgres',
  topic,
  '--target-url',
  f.targetUrl,
  '--target-schema',
  schema,
  '--group',
  group,
  ...more,
];

async function historyOf(schema: string): Promise<unknown[]> {
  const { rows } = await target.query(`SELECT * FROM "${schema}".holding_history ORDER BY holding_id, _source_lsn, _source_op <> 'r', _kafka_offset`);
  return rows;
}

async function applied(group: string): Promise<number> {
  const { rows } = await target
    .query(`SELECT coalesce(sum(next_offset), 0)::int AS n FROM cdc_sink.offsets WHERE group_id = $1`, [group])
    .catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0].n;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await createTargetDb(f);
  target = new Client({ connectionString: f.targetUrl });
  await target.connect();
  // Three partitions before Debezium writes the first event: the connector's producer spreads keys.
  const admin = new Kafka({ brokers: [f.urls.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
  const seed = (...args: string[]) => runCli(['seed', 'holdings', '--schema', f.name, ...args], { env: f.env, timeoutMs: 300_000 });
  let result = await seed();
  if (result.code !== 0) throw new Error(describeResult(result));
  await registerConnector(f, ['holding']);
  result = await seed('--ops', '3000', '--seed', '11', '--users', '40');
  if (result.code !== 0) throw new Error(describeResult(result));
  await withPg(f.urls.pgUrl, (c) => c.query(`INSERT INTO "${f.name}".holding VALUES (999999, 0, 'MARKER', 1, now(), now())`));
  total = (await readTopicsUntil(f, [topic], (rs) => rs.some((r) => valueText(r).includes('"MARKER"')))).length;
}, 600_000);

afterAll(async () => {
  await target?.end().catch(() => undefined);
  await cleanUp(f, ['holding']);
}, 180_000);

describe('cdc sink postgres', () => {
  it("lands the whole topic once; the history's current versions and the --current mirror equal the source table", async () => {
    const result = await runCli(sinkArgs('ref', 'ref', '--exit-at-end', '--current', '--json'), { env: f.env, timeoutMs: 300_000 });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ group: 'ref', reason: 'end', records: total, alreadyCommitted: 0, badSkipped: 0 });
    expect(summary.tables).toHaveLength(1);
    expect(summary.tables[0]).toMatchObject({ table: 'ref.holding_history', duplicates: 0, stale: 0 });
    expect(summary.tables[0].events).toBe(summary.changes);
    expect(summary.partitions.map((p: { partition: number }) => p.partition).sort()).toEqual([0, 1, 2]);
    const source = await withPg(f.urls.pgUrl, async (c) => (await c.query(`SELECT * FROM "${f.name}".holding ORDER BY holding_id`)).rows);
    const cols = 'holding_id, user_id, holding_stock, holding_quantity, datetime_created, datetime_updated';
    expect((await target.query(`SELECT ${cols} FROM ref.holding_history WHERE is_current ORDER BY holding_id`)).rows).toEqual(source);
    expect((await target.query(`SELECT ${cols} FROM ref.holding ORDER BY holding_id`)).rows).toEqual(source);
    // Run again: nothing left to do.
    const again = await runCli(sinkArgs('ref', 'ref', '--exit-at-end', '--json'), { env: f.env, timeoutMs: 120_000 });
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 0, tables: [] });
    const status = await runCli(['sink', 'status', '--group', 'ref', '--target-url', f.targetUrl, '--json'], { env: f.env });
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout).rows as { lag: string; records: string }[];
    expect(rows.map((r) => r.lag)).toEqual(['0', '0', '0']);
    expect(rows.reduce((s, r) => s + Number(r.records), 0)).toBe(total);
  });

  it('kill -9 with a batch transaction open, then a restart: the history is identical to the uninterrupted run', async () => {
    // The restart joins the group only once the killed member's session is over: 10 s, not 30.
    const session = ['--session-timeout', '10'];
    const sink = new CdcProcess(sinkArgs('k9', 'k9', '--batch-size', '20', ...session), f.env);
    try {
      // Some batches committed, and one open right now.
      await until('a committed batch and an open one', async () => {
        if (sink.child.exitCode !== null) throw new Error(`sink exited\n${sink.describe()}`);
        const open = await target.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cdc' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
          [f.targetDb],
        );
        return open.rows[0].n > 0 && (await applied('k9')) > 0;
      });
      sink.child.kill('SIGKILL');
      await sink.exited;
    } finally {
      if (sink.child.exitCode === null) sink.child.kill('SIGKILL');
    }
    // A COMMIT the sink sent just before the kill still completes in its backend: read the offsets
    // once that backend is gone, not while it may commit one more batch.
    await until("the killed sink's backend to end", async () => {
      const left = await target.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cdc' AND pid <> pg_backend_pid()`,
        [f.targetDb],
      );
      return left.rows[0].n === 0;
    });
    const before = await applied('k9');
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(total);
    const restart = await runCli(sinkArgs('k9', 'k9', '--exit-at-end', '--json', ...session), { env: f.env, timeoutMs: 300_000 });
    expect(restart.code).toBe(0);
    expect(JSON.parse(restart.stdout).records).toBe(total - before);
    expect(await historyOf('k9')).toEqual(await historyOf('ref'));
  });

  it('two processes of one group split the partitions, hand over when one leaves, and apply every event exactly once', async () => {
    const args = ['--verbose', ...sinkArgs('pair', 'pair', '--batch-size', '5')];
    const holds = (p: CdcProcess) => /^ \S+\[\d\]@/.test(p.stderr.split('group pair holds').at(-1) ?? '');
    const a = new CdcProcess(args, f.env);
    let b: CdcProcess | undefined;
    // More changes while the two run, so that the handover happens mid-stream.
    const workload = runCli(['seed', 'holdings', '--schema', f.name, '--ops', '1500', '--seed', '12', '--users', '40', '--rate', '100'], {
      env: f.env,
      timeoutMs: 300_000,
    });
    try {
      await a.waitFor('A holding partitions', () => holds(a), 90_000);
      b = new CdcProcess(args, f.env);
      await b.waitFor('B holding partitions', () => holds(b!), 90_000);
      const midway = await applied('pair');
      // A leaves: B takes everything over.
      expect((await a.stop('SIGTERM')).code).toBe(130);
      expect(describeResult(await workload)).toMatch(/^exit 0/);
      await withPg(f.urls.pgUrl, (c) => c.query(`INSERT INTO "${f.name}".holding VALUES (999998, 0, 'MARKER2', 1, now(), now())`));
      const all = (await readTopicsUntil(f, [topic], (rs) => rs.some((r) => valueText(r).includes('"MARKER2"')))).length;
      expect(midway).toBeLessThan(all);
      await until('every event applied', async () => (await applied('pair')) === all, 180_000);
      expect((await b.stop('SIGTERM')).code).toBe(130);
    } finally {
      if (a.child.exitCode === null) a.child.kill('SIGKILL');
      if (b && b.child.exitCode === null) b.child.kill('SIGKILL');
      await workload;
    }
    // The reference catches up with the same events in one process.
    expect((await runCli(sinkArgs('ref', 'ref', '--exit-at-end'), { env: f.env, timeoutMs: 300_000 })).code).toBe(0);
    expect(await historyOf('pair')).toEqual(await historyOf('ref'));
    const offsets = (await target.query(`SELECT partition, next_offset::int AS n FROM cdc_sink.offsets WHERE group_id = 'pair' ORDER BY partition`)).rows;
    const ref = (await target.query(`SELECT partition, next_offset::int AS n FROM cdc_sink.offsets WHERE group_id = 'ref' ORDER BY partition`)).rows;
    expect(offsets).toEqual(ref);
  }, 400_000);
});
