/**
 * `cdc parse` on real Debezium events of a REPLICA IDENTITY DEFAULT table whose large columns are
 * TOASTed: an update carries no `before` and the placeholder for every unchanged TOASTed column (in
 * the encoding of its type: text, text[], int[], bigint[], bytea, jsonb, uuid[]); a delete carries
 * only the key, with NOT NULL columns zero-filled. None of that may reach the output as a value.
 */
import type { Client } from 'pg';
import { removeDebeziumPipeline, runShell, withPg as withPgAt } from '../helpers/pipeline';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { uniqueName } from './watch-helpers';

const urls = stackUrls();
const name = uniqueName('parseit');
const topic = `${name}.${name}.doc`;
const env = {
  CDC_BROKERS: urls.brokers,
  CDC_CONNECT_URL: urls.connectUrl,
  PGPASSWORD: new URL(urls.pgUrl).password,
};
const pgUrlNoPassword = (() => {
  const u = new URL(urls.pgUrl);
  u.password = '';
  return u.toString();
})();

function sh(script: string, timeoutMs = 120_000): Promise<CliResult> {
  return runShell(script, env, timeoutMs);
}

function withPg<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  return withPgAt(urls.pgUrl, fn);
}

const TOASTED = ['body', 'tags', 'nums', 'bigs', 'blob', 'meta', 'ids'];

beforeAll(async () => {
  await withPg(async (c) => {
    await c.query(`create schema "${name}"`);
    await c.query(`create table "${name}".doc (id int primary key, counter int not null, label text not null,
      amount numeric not null, ref uuid not null, opts jsonb not null, at timestamptz not null, codes int[] not null,
      body text, tags text[], nums int[], bigs bigint[], blob bytea, meta jsonb, ids uuid[])`);
    // EXTERNAL: stored out of line, uncompressed, so each large value is really TOASTed.
    await c.query(`alter table "${name}".doc ${TOASTED.map((col) => `alter column ${col} set storage external`).join(', ')}`);
  });
  const registered = await runCli(
    ['connector', 'register', name, '--table', `${name}.doc`, '--pg-url', pgUrlNoPassword, '--topic-prefix', name, '--wait', '--wait-timeout', '120'],
    { env, timeoutMs: 150_000 },
  );
  if (registered.code !== 0) throw new Error(`cdc connector register failed\n${describeResult(registered)}`);
}, 180_000);

afterAll(() => removeDebeziumPipeline(urls, env, { connector: name, schema: name, topic }), 120_000);

interface Row {
  id: number;
  change_field: string;
  old_value: unknown;
  new_value: unknown;
  datetime_deleted: string | null;
  op: string;
}

it('writes no TOAST placeholder and no zero-fill as a value, and says why once on stderr', async () => {
  await withPg(async (c) => {
    await c.query(`insert into "${name}".doc values (1, 1, 'first', 12.5, md5('ref')::uuid, '{"a":1}', now(), '{7}', repeat('long body ', 400),
      array(select 'tag' || g from generate_series(1, 600) g), array(select g from generate_series(1, 1500) g),
      array(select g::bigint * 10000000000 from generate_series(1, 800) g), decode(repeat('deadbeef', 1000), 'hex'),
      (select jsonb_object_agg('k' || g, g) from generate_series(1, 400) g),
      array(select md5(g::text)::uuid from generate_series(1, 150) g))`);
    await c.query(`update "${name}".doc set counter = 2 where id = 1`);
    await c.query(`delete from "${name}".doc where id = 1`);
  });
  // c, u, d and the tombstone: wait until Debezium has written all four.
  let events: CliResult | undefined;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    events = await runCli(['watch', topic, '--exit-at-end', '-q'], { env });
    if (events.code === 0 && events.stdout.trim().split('\n').length >= 4) break;
  }
  expect(events && events.stdout.trim().split('\n').length).toBe(4);
  expect(events!.stdout).toContain('__debezium_unavailable_value'); // the events really carry placeholders

  const result = await sh(`cdc watch ${topic} --exit-at-end -q | cdc parse --identity id --fields '*' --format jsonl --processed-at 2026-01-01T00:00:00Z`);
  const why = describeResult(result);
  expect({ code: result.code, why }).toEqual({ code: 0, why });
  expect(result.stdout).not.toContain('__debezium_unavailable_value');
  expect(result.stdout).not.toContain('X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ'); // bytea's base64 placeholder
  const rows = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
  const byOp = (op: string) => Object.fromEntries(rows.filter((r) => r.op === op).map((r) => [r.change_field, r]));
  const fields = ['counter', 'label', 'amount', 'ref', 'opts', 'at', 'codes', ...TOASTED];

  const created = byOp('c');
  expect(Object.keys(created)).toEqual(fields);
  expect(created.tags.new_value).toHaveLength(600);
  expect(created.bigs.new_value).toEqual(Array.from({ length: 800 }, (_, i) => (i + 1) * 10000000000));
  expect(created.blob.new_value).toBe('\\x' + 'deadbeef'.repeat(1000));
  expect((created.meta.new_value as Record<string, number>).k400).toBe(400);

  const updated = byOp('u');
  expect([updated.counter.old_value, updated.counter.new_value]).toEqual([null, 2]);
  expect(updated.label.new_value).toBe('first');
  for (const col of TOASTED) expect([col, updated[col].old_value, updated[col].new_value]).toEqual([col, null, null]);

  const deleted = byOp('d');
  // Debezium fills the NOT NULL columns of a keys-only `before` (0, '', {"scale":0,"value":"AA=="}, epoch,
  // []): not the deleted values.
  for (const col of fields) expect([col, deleted[col].old_value, deleted[col].new_value]).toEqual([col, null, null]);
  expect(deleted.counter.datetime_deleted).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const notes = result.stderr.split('\n').filter((l) => l.startsWith('note:'));
  expect(notes).toEqual([
    expect.stringContaining('update events without `before` (REPLICA IDENTITY DEFAULT)'),
    expect.stringContaining('unchanged TOASTed columns'),
    expect.stringContaining('delete events whose `before` holds only key columns'),
  ]);
  expect(result.stderr).toContain('parse: 4 records; 3 events; 42 rows; skipped: 1 tombstone; 0 invalid');
}, 180_000);

it('under REPLICA IDENTITY FULL an unchanged TOASTed column keeps its old value as the new one', async () => {
  await withPg(async (c) => {
    await c.query(`alter table "${name}".doc replica identity full`);
    await c.query(`insert into "${name}".doc (id, counter, label, amount, ref, opts, at, codes, body, tags)
      values (2, 1, 'second', 1, md5('two')::uuid, '{}', now(), '{}', repeat('full body ', 400), array(select 'x' || g from generate_series(1, 600) g))`);
    await c.query(`update "${name}".doc set counter = 5 where id = 2`);
  });
  // The four events of the first test, then c and u of row 2.
  let events: CliResult | undefined;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    events = await runCli(['watch', topic, '--exit-at-end', '-q'], { env });
    if (events.code === 0 && events.stdout.trim().split('\n').length >= 6) break;
  }
  expect(events && events.stdout.trim().split('\n').length).toBe(6);

  const result = await sh(`cdc watch ${topic} --exit-at-end -q | cdc parse --identity id --fields counter,body,tags --changed-only --format jsonl`);
  const why = describeResult(result);
  expect({ code: result.code, why }).toEqual({ code: 0, why });
  expect(result.stdout).not.toContain('__debezium_unavailable_value');
  const updates = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row)
    .filter((r) => r.id === 2 && r.op === 'u');
  // --changed-only: only counter changed; the TOASTed columns are unchanged, whatever `after` carried.
  expect(updates.map((r) => [r.change_field, r.old_value, r.new_value])).toEqual([['counter', 1, 5]]);
  const full = await sh(`cdc watch ${topic} --exit-at-end -q | cdc parse --identity id --fields body --format jsonl`);
  const body = full.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row)
    .find((r) => r.id === 2 && r.op === 'u');
  expect(body?.old_value).toBe('full body '.repeat(400));
  expect(body?.new_value).toBe(body?.old_value);
}, 180_000);
