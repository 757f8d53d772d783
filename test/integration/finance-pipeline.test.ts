/**
 * The finance pipeline end to end on the real stack, as issue 10 describes it: `cdc seed finance`
 * → `cdc pg setup` (a replication role with minimal rights, publication, slot) → `cdc connector
 * register` with that role, slot and publication → a workload in two parts → `cdc sink postgres`
 * → every finance `cdc report` equals the same question asked of the source directly, and
 * `seed finance --json`'s answers, now and `--at` two earlier moments: before the workload and
 * between its two parts.
 */
import { Client } from 'pg';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { withPg } from '../helpers/pipeline';
import { cleanUp, createTargetDb, sinkFixture, sinkIntoAnalytics } from './sink-helpers';
import { uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('finpipe'));
const role = `${f.name}_cdc`;
const PASSWORD = `Fin-${f.name}-Pw9`;
const TABLES = ['customers', 'products', 'orders', 'order_items'];
const REPORTS = ['open-orders', 'top-delivery-dates', 'pending-items', 'top-customers'] as const;
const env = { ...f.env, FIN_PW: PASSWORD };
let target: Client;

async function cdc(args: string[], timeoutMs = 180_000): Promise<CliResult> {
  const result = await runCli(args, { env, timeoutMs });
  if (result.code !== 0) throw new Error(`cdc ${args.join(' ')}\n${describeResult(result)}`);
  expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
  return result;
}

/** Values as text: the report's JSON and the source's rows agree on meaning, not on JS types. */
function normal(rows: Record<string, unknown>[]): Record<string, string>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : String(v)])));
}

async function askSource(): Promise<Record<string, Record<string, unknown>[]>> {
  const s = f.name;
  return withPg(f.urls.pgUrl, async (c) => ({
    'open-orders': (
      await c.query(`SELECT delivery_date::text, status, count(*) AS order_count FROM ${s}.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1, 2 ORDER BY 1, 2`)
    ).rows,
    'top-delivery-dates': (
      await c.query(`SELECT delivery_date::text, count(*) AS order_count FROM ${s}.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`)
    ).rows,
    'pending-items': (
      await c.query(`SELECT p.product_id, p.product_name, sum(i.quantity) AS pending_quantity
      FROM ${s}.order_items i JOIN ${s}.orders o USING (order_id) JOIN ${s}.products p USING (product_id)
      WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1`)
    ).rows,
    'top-customers': (
      await c.query(`SELECT c.customer_id, c.customer_name, count(DISTINCT o.order_id) AS order_count
      FROM ${s}.orders o JOIN ${s}.customers c USING (customer_id) WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 3`)
    ).rows,
  }));
}

async function report(name: string, at?: string): Promise<Record<string, unknown>[]> {
  const result = await cdc(['report', name, '--target-url', f.targetUrl, '--target-schema', 'analytics', '--json', ...(at ? ['--at', at] : [])]);
  return JSON.parse(result.stdout).rows;
}

beforeAll(async () => {
  await createTargetDb(f);
  target = new Client({ connectionString: f.targetUrl });
  await target.connect();
}, 60_000);

afterAll(async () => {
  await target?.end().catch(() => undefined);
  await cleanUp(f, TABLES);
  await withPg(f.urls.pgUrl, async (c) => {
    await c.query(`DROP OWNED BY "${role}"`).catch(() => undefined);
    await c.query(`DROP ROLE IF EXISTS "${role}"`);
  }).catch(() => undefined);
}, 240_000);

describe('the finance pipeline', () => {
  it('pg setup → seed finance → register with the preset → workload → sink: every report equals the source, now and --at two earlier moments', async () => {
    const start = JSON.parse(
      (await cdc(['seed', 'finance', '--schema', f.name, '--customers', '15', '--products', '8', '--orders', '60', '--seed', '21', '--json'])).stdout,
    );
    await cdc([
      'pg',
      'setup',
      '--name',
      f.name,
      '--tables',
      TABLES.map((t) => `${f.name}.${t}`).join(','),
      '--user',
      role,
      '--password-env',
      'FIN_PW',
      '--replica-identity-full',
    ]);
    const register = [
      'connector',
      'register',
      f.name,
      ...TABLES.flatMap((t) => ['--table', `${f.name}.${t}`]),
      '--topic-prefix',
      f.name,
      '--user',
      role,
      '--password-env',
      'FIN_PW',
      '--slot',
      f.name,
      '--publication',
      `${f.name}_pub`,
      '--wait',
      '--wait-timeout',
      '120',
    ];
    await cdc(register);
    await cdc(['connector', 'wait', f.name, '--for', 'snapshot']);
    // A first earlier moment: after the snapshot, before any change (valid_from of snapshot rows
    // is their read time, before this).
    await new Promise((r) => setTimeout(r, 1100));
    const beforeWorkload = await withPg(
      f.urls.pgUrl,
      async (c) => (await c.query<{ t: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)).rows[0].t,
    );
    await new Promise((r) => setTimeout(r, 1100));

    const first = JSON.parse((await cdc(['seed', 'finance', '--schema', f.name, '--ops', '150', '--seed', '21', '--json'])).stdout);
    // A moment between the two parts, on the source's clock (valid_from comes from the source's commit times).
    await new Promise((r) => setTimeout(r, 1100));
    const between = await withPg(
      f.urls.pgUrl,
      async (c) => (await c.query<{ t: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)).rows[0].t,
    );
    await new Promise((r) => setTimeout(r, 1100));
    const second = JSON.parse((await cdc(['seed', 'finance', '--schema', f.name, '--ops', '150', '--seed', '22', '--json'])).stdout);
    await cdc(['connector', 'wait', f.name, '--for', 'caught-up']);

    const sink = await cdc(sinkIntoAnalytics(f, ['--topics-regex', `${f.name}\\.${f.name}\\..*`]), 300_000);
    expect(JSON.parse(sink.stdout).tables).toHaveLength(4);

    const source = await askSource();
    for (const name of REPORTS) {
      const now = await report(name);
      expect([name, normal(now)]).toEqual([name, normal(source[name])]);
      expect([name, normal(now)]).toEqual([name, normal(second.answers[name])]);
      const earlier = await report(name, between);
      expect([name, 'at', normal(earlier)]).toEqual([name, 'at', normal(first.answers[name])]);
      const atStart = await report(name, beforeWorkload);
      expect([name, 'at start', normal(atStart)]).toEqual([name, 'at start', normal(start.answers[name])]);
    }
    // The two parts moved the answers: the --at comparison is not the same check twice.
    expect(REPORTS.some((name) => JSON.stringify(first.answers[name]) !== JSON.stringify(second.answers[name]))).toBe(true);
  }, 900_000);
});
