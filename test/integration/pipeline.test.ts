/**
 * The tutorial pipeline end to end, with nothing but `cdc` commands as subprocesses:
 *   cdc seed holdings → cdc connector register … --wait → cdc seed holdings --script tutorial
 *   → cdc watch <topic> --exit-at-end | cdc parse --processed-at …
 * then a random workload of thousands of operations, checked against what the workload reported and
 * against the table's final contents in PostgreSQL.
 */
import type { Client } from 'pg';
import { removeDebeziumPipeline, runShell, withPg as withPgAt } from '../helpers/pipeline';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { uniqueName } from './watch-helpers';

const urls = stackUrls();
const name = uniqueName('pipeit');
const schema = name;
const connector = name;
const prefix = name;
const topic = `${prefix}.${schema}.holding`;
const processedAt = '2026-01-01T00:00:00.000Z';
const pgUrlNoPassword = (() => {
  const u = new URL(urls.pgUrl);
  u.password = '';
  return u.toString();
})();
const env = {
  DATABASE_URL: urls.pgUrl,
  CDC_BROKERS: urls.brokers,
  CDC_CONNECT_URL: urls.connectUrl,
  PGPASSWORD: new URL(urls.pgUrl).password,
};

async function cdc(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return runCli(args, { env, timeoutMs });
}

function pipeline(script: string, timeoutMs = 120_000): Promise<CliResult> {
  return runShell(script, env, timeoutMs);
}

interface SeedReport {
  events: { c: number; u: number; d: number; tombstones: number };
  pivot: { rows: number; byOp: Record<'c' | 'u' | 'd', Record<string, number>> };
}

interface PivotRow {
  holding_id: number;
  user_id: number;
  change_field: string;
  old_value: unknown;
  new_value: unknown;
  datetime_created: string | null;
  datetime_updated: string | null;
  datetime_deleted: string | null;
  datetime_inserted: string;
  op: 'c' | 'u' | 'd' | 'r';
}

function expectOk(result: CliResult, what: string): void {
  if (result.code !== 0) throw new Error(`${what} failed\n${describeResult(result)}`);
}

/** Blocks until the topic holds `count` events: `cdc watch --max-messages` waits for them. */
async function waitForEvents(count: number): Promise<void> {
  // Debezium creates the topic with its first event: until then watch says "not found" (exit 4).
  const deadline = Date.now() + 120_000;
  for (;;) {
    const result = await cdc(['watch', topic, '--max-messages', String(count), '-q', '-o', 'records'], 180_000);
    if (result.code === 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    expectOk(result, `waiting for ${count} events on ${topic}`);
    return;
  }
}

function withPg<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  return withPgAt(urls.pgUrl, fn);
}

afterAll(() => removeDebeziumPipeline(urls, env, { connector, schema, topic }), 120_000);

describe('the tutorial pipeline, end to end with cdc commands', () => {
  let tutorialEvents = 0;
  let tutorialRows = 0;

  it("seed → register --wait → tutorial script → watch --exit-at-end | parse gives the tutorial's holding_pivot", async () => {
    expectOk(await cdc(['seed', 'holdings', '--schema', schema]), 'cdc seed holdings');
    expectOk(
      await cdc([
        'connector',
        'register',
        connector,
        '--table',
        `${schema}.holding`,
        '--pg-url',
        pgUrlNoPassword,
        '--topic-prefix',
        prefix,
        '--wait',
        '--wait-timeout',
        '120',
      ]),
      'cdc connector register --wait',
    );
    const seeded = await cdc(['seed', 'holdings', '--schema', schema, '--script', 'tutorial', '--json']);
    expectOk(seeded, 'cdc seed holdings --script tutorial');
    const report = JSON.parse(seeded.stdout) as SeedReport;
    tutorialEvents = report.events.c + report.events.u + report.events.d + report.events.tombstones;
    tutorialRows = report.pivot.rows;
    expect(tutorialEvents).toBe(10);
    await waitForEvents(tutorialEvents);

    const result = await pipeline(`cdc watch ${topic} --exit-at-end | cdc parse --processed-at ${processedAt}`);
    expectOk(result, 'cdc watch | cdc parse');
    const rows = result.stdout.trim().split('\n');
    // The creation times of the rows that survive, as PostgreSQL has them.
    const created = await withPg(async (c) => {
      const { rows: live } = await c.query(`select holding_id, to_char(datetime_created, 'YYYY-MM-DD"T"HH24:MI:SS.US') as created from "${schema}".holding`);
      return Object.fromEntries(live.map((r: { holding_id: number; created: string }) => [r.holding_id, r.created]));
    });
    const T = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z?';
    const P = processedAt.replace(/\./g, '\\.');
    const expected = [
      `1000,1,holding_stock,None,VFIAX,${created[1000]},None,None,${P},c`,
      `1000,1,holding_quantity,None,10,${created[1000]},None,None,${P},c`,
      `1001,2,holding_stock,None,SP500,${T},None,None,${P},c`,
      `1001,2,holding_quantity,None,1,${T},None,None,${P},c`,
      `1002,3,holding_stock,None,SP500,${T},None,None,${P},c`,
      `1002,3,holding_quantity,None,1,${T},None,None,${P},c`,
      `1000,1,holding_stock,VFIAX,VFIAX,None,${T},None,${P},u`,
      `1000,1,holding_quantity,10,100,None,${T},None,${P},u`,
      `1002,3,holding_stock,SP500,None,None,None,${T},${P},d`,
      `1002,3,holding_quantity,1,None,None,None,${T},${P},d`,
      `1001,2,holding_stock,SP500,None,None,None,${T},${P},d`,
      `1001,2,holding_quantity,1,None,None,None,${T},${P},d`,
      `1003,3,holding_stock,None,VTSAX,${created[1003]},None,None,${P},c`,
      `1003,3,holding_quantity,None,100,${created[1003]},None,None,${P},c`,
      `1003,3,holding_stock,VTSAX,VTSAX,None,${T},None,${P},u`,
      `1003,3,holding_quantity,100,10,None,${T},None,${P},u`,
    ];
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => expect(row).toMatch(new RegExp(`^${expected[i]}$`)));
    expect(rows).toHaveLength(tutorialRows);
    expect(result.stderr).toMatch(/cdc watch: reached the end — 10 events written \(2 tombstones\)/);
    expect(result.stderr).toMatch(/10 records; 8 events; 16 rows; skipped: 2 tombstone; 0 invalid/);
  });

  it('a random workload of 3000 operations arrives whole: the pivot has exactly the rows it reported and replays to the table', async () => {
    expect(tutorialEvents).toBe(10);
    const seeded = await cdc(['seed', 'holdings', '--schema', schema, '--ops', '3000', '--seed', '4242', '--users', '25', '--json'], 300_000);
    expectOk(seeded, 'cdc seed holdings --ops 3000');
    const report = JSON.parse(seeded.stdout) as SeedReport;
    const workloadEvents = report.events.c + report.events.u + report.events.d + report.events.tombstones;
    expect(workloadEvents).toBeGreaterThan(3000);
    await waitForEvents(tutorialEvents + workloadEvents);

    const result = await pipeline(`cdc watch ${topic} --exit-at-end | cdc parse --processed-at ${processedAt} -f jsonl --summary json`, 300_000);
    expectOk(result, 'cdc watch | cdc parse -f jsonl');
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PivotRow);
    const workloadRows = rows.slice(tutorialRows);
    expect(rows).toHaveLength(tutorialRows + report.pivot.rows);

    // Per operation and field, exactly the counts the workload reported.
    const counted: Record<string, Record<string, number>> = { c: {}, u: {}, d: {} };
    for (const row of workloadRows) counted[row.op][row.change_field] = (counted[row.op][row.change_field] ?? 0) + 1;
    for (const op of ['c', 'u', 'd'] as const) {
      for (const [field, n] of Object.entries(report.pivot.byOp[op])) expect([op, field, counted[op][field] ?? 0]).toEqual([op, field, n]);
    }
    const parseSummary = JSON.parse(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .at(-1)!,
    ) as { records: number; events: number; invalid: number };
    expect(parseSummary).toMatchObject({
      records: tutorialEvents + workloadEvents,
      events: tutorialEvents + workloadEvents - 2 - report.events.tombstones,
      invalid: 0,
    });

    // Replaying the whole pivot in order rebuilds the table exactly: nothing lost, nothing twice.
    const state = new Map<number, { user_id: number; holding_stock?: unknown; holding_quantity?: unknown }>();
    for (const row of rows) {
      if (row.op === 'd') {
        state.delete(row.holding_id);
        continue;
      }
      const current = state.get(row.holding_id) ?? { user_id: row.user_id };
      current[row.change_field as 'holding_stock' | 'holding_quantity'] = row.new_value;
      state.set(row.holding_id, current);
    }
    const table = await withPg((c) => c.query(`select holding_id, user_id, holding_stock, holding_quantity from "${schema}".holding order by holding_id`));
    const replayed = [...state.entries()]
      .sort(([a], [b]) => a - b)
      .map(([holding_id, s]) => ({ holding_id, user_id: s.user_id, holding_stock: s.holding_stock, holding_quantity: s.holding_quantity }));
    expect(replayed).toEqual(table.rows);
    expect(table.rows.length).toBeGreaterThan(0);
  }, 600_000);

  it('exits 0 without complaint when the reader goes away (| head -n 1)', async () => {
    const result = await pipeline(`cdc watch ${topic} | head -n 1 > /dev/null; echo "watch exit \${PIPESTATUS[0]}"`, 60_000);
    expect(result.stdout.trim()).toBe('watch exit 0');
    expect(result.stderr).not.toMatch(/error|EPIPE/i);
  });
});
