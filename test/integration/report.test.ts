/**
 * `cdc report` against history tables in the real PostgreSQL, checked against a model that
 * answers the same questions in TypeScript, now and as of earlier moments (between changes and
 * exactly on one). The history is written in the shape `cdc sink postgres` maintains; the
 * end-to-end test through the sink is in finance-pipeline.test.ts.
 */
import { Client } from 'pg';
import { financeAnswers, financeModel, holdingsModel } from '../helpers/history-model';
import { describeResult, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const START = Date.UTC(2026, 10, 1, 8, 0, 0);
const iso = (t: number) => new Date(START + t * 1000).toISOString();
const schema = `report_it_${process.pid}`;
const finance = financeModel(7, 300);
const holdings = holdingsModel(11, 300);
let client: Client;

beforeAll(async () => {
  client = new Client({ connectionString: stackUrls().pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  for (const table of [finance.customers, finance.products, finance.orders, finance.items, holdings.holding]) await table.write(client, schema, START);
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

async function report(args: string[]): Promise<Record<string, unknown>[]> {
  const result = await runCli(['report', ...args, '--json', '--target-url', stackUrls().pgUrl, '--target-schema', schema]);
  if (result.code !== 0) throw new Error(describeResult(result));
  return (JSON.parse(result.stdout) as { rows: Record<string, unknown>[] }).rows;
}

/** Dates come back as text; the model keeps them as text too. */
const normal = (rows: Record<string, unknown>[]) => rows.map((row) => ({ ...row }));

describe('finance reports', () => {
  const moments: (number | undefined)[] = [undefined, 100.5, 200, 250.25];
  for (const t of moments) {
    test(`every finance report equals the model ${t === undefined ? 'now' : `at t=${t}s`}`, async () => {
      const expected = financeAnswers(finance, t);
      const at = t === undefined ? [] : ['--at', iso(t)];
      for (const name of Object.keys(expected) as (keyof typeof expected)[]) {
        const rows = await report([name, ...at]);
        expect({ name, rows: normal(rows) }).toEqual({ name, rows: expected[name] });
      }
    });
  }

  test('--status all/completed and --limit change the answer as the model says', async () => {
    const rows = await report(['top-customers', '--status', 'completed', '--limit', '2']);
    const completed = finance.orders.at().filter((o) => o.status === 'COMPLETED');
    const counts = new Map<number, number>();
    for (const o of completed) counts.set(Number(o.customer_id), (counts.get(Number(o.customer_id)) ?? 0) + 1);
    const top = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 2)
      .map(([id, n]) => ({ customer_id: id, order_count: n }));
    expect(rows.map((r) => ({ customer_id: r.customer_id, order_count: r.order_count }))).toEqual(top);
  });

  test('install-views creates the four views, which answer like the reports now', async () => {
    const result = await runCli(['report', 'install-views', '--target-url', stackUrls().pgUrl, '--target-schema', schema]);
    expect(result.code).toBe(0);
    const expected = financeAnswers(finance);
    const view = async (name: string) =>
      (await client.query({ text: `SELECT * FROM ${schema}.${name}`, types: { getTypeParser: () => (v: string) => v } })).rows;
    const asNumbers = (rows: Record<string, string>[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /_(count|id|quantity)$/.test(k) ? Number(v) : v])));
    expect(asNumbers(await view('open_orders_by_delivery_date_status'))).toEqual(expected['open-orders']);
    expect(asNumbers(await view('top_delivery_dates_open_orders'))).toEqual(expected['top-delivery-dates']);
    expect(asNumbers(await view('open_pending_items_by_product'))).toEqual(expected['pending-items']);
    expect(asNumbers(await view('top_customers_with_pending_orders'))).toEqual(expected['top-customers']);
  });
});

describe('holdings reports', () => {
  const users = [1, 2, 3, 4];
  test('stock-changes and quantity-changes per user, now and at t=150.5', async () => {
    for (const t of [undefined, 150.5]) {
      for (const user of users) {
        const at = t === undefined ? [] : ['--at', iso(t)];
        const stock = holdings.stockChanges.filter((c) => c.user === user && (t === undefined || c.at <= t)).length;
        const quantity = holdings.quantityChanges.filter((c) => c.user === user && (t === undefined || c.at <= t)).length;
        expect(await report(['stock-changes', '--user', String(user), ...at])).toEqual([{ changes: stock }]);
        expect(await report(['quantity-changes', '--user', String(user), ...at])).toEqual([{ changes: quantity }]);
      }
    }
  });

  test('top-sold-stock in a window is the stock most often replaced by a change committed there', async () => {
    const [from, to] = [60, 180];
    const counts = new Map<string, number>();
    for (const c of holdings.stockChanges) if (c.at >= from && c.at < to) counts.set(c.from, (counts.get(c.from) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s, n]) => ({ holding_stock: s, times_sold: n }));
    expect(await report(['top-sold-stock', '--from', iso(from), '--to', iso(to)])).toEqual(ranked.slice(0, 1));
    expect(await report(['top-sold-stock', '--from', iso(from), '--to', iso(to), '--limit', '10'])).toEqual(ranked);
  });
});

describe('bad input', () => {
  test.each([
    [['open-orders', '--at', 'yesterday'], /--at must be an ISO-8601 time/],
    [['open-orders', '--status', "open'; drop table x; --"], /--status must be one of/],
    [['top-delivery-dates', '--limit', '-1'], /--limit must be an integer from 1/],
    [['stock-changes'], /needs --user/],
    [['stock-changes', '--user', '1 or 1=1'], /--user must be an integer id/],
    [['top-sold-stock', '--from', '2026-12-02', '--to', '2026-12-01'], /--from .* must be before --to/],
    [['pending-items', '--limit', '3'], /takes no --limit/],
    [['no-such-report'], /no report named "no-such-report"/],
    [['open-orders', '--format', 'xml'], /--format must be table, csv or jsonl/],
    [['open-orders', '--timeout', '0'], /--timeout must be/],
  ])('%j is a usage error naming the flag', async (args, message) => {
    const result = await runCli(['report', ...args, '--target-url', stackUrls().pgUrl, '--target-schema', schema]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  test('history tables that do not exist: not found (4) with what to do', async () => {
    const result = await runCli(['report', 'open-orders', '--target-url', stackUrls().pgUrl, '--target-schema', `${schema}_missing`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/orders_history.*does not exist[\s\S]*cdc sink postgres/);
  });

  test('a pipe gets CSV with a header; numbers are exact', async () => {
    const result = await runCli(['report', 'pending-items', '--target-url', stackUrls().pgUrl, '--target-schema', schema]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('product_id,product_name,pending_quantity');
    expect(lines.length - 1).toBe(financeAnswers(finance)['pending-items'].length);
  });
});
