/**
 * `cdc connector wait` against the real stack, in the races it exists for: right after `register`
 * (without --wait) the snapshot has barely begun, and right after a workload Debezium has not yet
 * produced its changes. After each wait, `watch --exit-at-end` must read every record at once.
 */
import { randomBytes } from 'node:crypto';
import { removeDebeziumPipeline, runShell, withPg } from '../helpers/pipeline';
import { describeResult, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

jest.setTimeout(300_000);

const ROWS = 20_000;
const UPDATES = 300;

describe('cdc connector wait', () => {
  const urls = stackUrls();
  const env = { CDC_CONNECT_URL: urls.connectUrl, CDC_BROKERS: urls.brokers, DATABASE_URL: urls.pgUrl };
  const id = randomBytes(4).toString('hex');
  const names = { connector: `cw_${id}`, schema: `cw_${id}`, topic: `cw${id}.cw_${id}.items` };

  afterAll(async () => {
    await removeDebeziumPipeline(urls, env, names);
  });

  async function topicCount(): Promise<number> {
    const result = await runShell(`cdc watch ${names.topic} --exit-at-end -q | wc -l`, env);
    expect(result.code).toBe(0);
    return Number(result.stdout.trim());
  }

  it('--for snapshot returns when every snapshot row is on Kafka; caught-up when every change so far is', async () => {
    await withPg(urls.pgUrl, async (c) => {
      await c.query(`create schema ${names.schema}; create table ${names.schema}.items (id int primary key, n int, pad text);
        alter table ${names.schema}.items replica identity full;
        insert into ${names.schema}.items select g, 0, repeat('x', 200) from generate_series(1, ${ROWS}) g`);
    });
    const register = await runCli(['connector', 'register', names.connector, '--table', `${names.schema}.items`, '--topic-prefix', `cw${id}`], { env });
    expect(register.code).toBe(0);

    const snapshot = await runCli(['connector', 'wait', names.connector, '--for', 'snapshot', '--json'], { env, timeoutMs: 200_000 });
    expect(snapshot.code).toBe(0);
    expect(JSON.parse(snapshot.stdout)).toMatchObject({ name: names.connector, until: 'snapshot', snapshotDone: true, health: 'RUNNING' });
    expect(await topicCount()).toBe(ROWS);

    // One transaction per update, as an application would write them, then wait at once.
    await withPg(urls.pgUrl, async (c) => {
      for (let i = 1; i <= UPDATES; i++) await c.query(`update ${names.schema}.items set n = n + 1 where id = $1`, [i]);
    });
    const caughtUp = await runCli(['connector', 'wait', names.connector, '--json'], { env, timeoutMs: 200_000 });
    expect(caughtUp.code).toBe(0);
    expect(JSON.parse(caughtUp.stdout)).toMatchObject({
      until: 'caught-up',
      snapshotDone: true,
      pendingChanges: 0,
      targetLsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    expect(await topicCount()).toBe(ROWS + UPDATES);

    // Three rows copied through a temporary table (as the README's sink examples make them), and the
    // wait at once: the stack commits with synchronous_commit = off, so the commit record may not be
    // written out yet; a target taken at pg_current_wal_lsn() was before it and passed at once.
    await withPg(urls.pgUrl, async (c) => {
      await c.query(`create temp table created as select * from ${names.schema}.items where id in (1, 2, 3)`);
      await c.query(`update created set id = id + ${ROWS}`);
      await c.query(`insert into ${names.schema}.items select * from created`);
    });
    const small = await runCli(['connector', 'wait', names.connector, '--json'], { env, timeoutMs: 200_000 });
    expect(small.code).toBe(0);
    expect(await topicCount()).toBe(ROWS + UPDATES + 3);
  });

  it('exits 5 naming what is missing when the time runs out, and 4 for a connector that does not exist', async () => {
    const missing = await runCli(['connector', 'wait', `nope_${id}`], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(`nope_${id}`);
    const bad = await runCli(['connector', 'wait', names.connector, '--wait-timeout', 'soon'], { env });
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--wait-timeout') });
    // Paused, the connector produces nothing: changes made now cannot reach Kafka in time.
    expect((await runCli(['connector', 'pause', names.connector], { env })).code).toBe(0);
    try {
      await withPg(urls.pgUrl, (c) => c.query(`update ${names.schema}.items set n = n + 1 where id = 1`));
      const late = await runCli(['connector', 'wait', names.connector, '--wait-timeout', '15'], { env });
      expect(late.code).toBe(5);
      expect(late.stderr).toMatch(/not caught up after 15 s \(.*1 change\(s\) not yet on Kafka\)/);
    } finally {
      await runCli(['connector', 'resume', names.connector], { env });
    }
    const resumed = await runCli(['connector', 'wait', names.connector], { env, timeoutMs: 120_000 });
    expect(resumed.code).toBe(0);
    expect(describeResult(resumed)).toContain('caught up');
  });
});
