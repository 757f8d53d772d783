/**
 * `cdc demo --json` on the suite's stack (found through CDC_STACK_*, as the demo finds it): every
 * report it prints equals the same question asked of the source tables directly, the views answer
 * as the reports do, and a second run reuses what the first built (connector unchanged, no new
 * start set) and still agrees with the source.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveStackSettings } from '../../src/stack/settings';
import { describeResult, runCli } from '../helpers/run-cli';
import { withPg } from '../helpers/pipeline';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const REPORTS = ['open-orders', 'top-delivery-dates', 'pending-items', 'top-customers'];

interface DemoDoc {
  stack: { reused: boolean } | null;
  source: { created: boolean; startSetLoaded: boolean };
  connector: { name: string; action: string; user: string; slot: string; publication: string };
  workload: { ops: number };
  sink: { passes: { reason: string; changes: number }[] };
  reports: { report: string; schema: string; rows: Record<string, unknown>[] }[];
  views: { view: string; report: string }[];
}

async function demo(ops: number): Promise<DemoDoc> {
  const result = await runCli(['demo', '--ops', String(ops), '--seed', '5', '--json'], { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`cdc demo\n${describeResult(result)}`);
  const password = fs.readFileSync(path.join(resolveStackSettings({}, process.env).dir, 'demo-password'), 'utf8').trim();
  expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  return JSON.parse(result.stdout) as DemoDoc;
}

/** Values as text: the report's JSON and the source's rows agree on meaning, not on JS types. */
function normal(rows: Record<string, unknown>[]): Record<string, string>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : String(v)])));
}

async function askSource(): Promise<Record<string, Record<string, unknown>[]>> {
  return withPg(urls.pgUrl, async (c) => ({
    'open-orders': (
      await c.query(`SELECT delivery_date::text, status, count(*) AS order_count FROM finance.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1, 2 ORDER BY 1, 2`)
    ).rows,
    'top-delivery-dates': (
      await c.query(`SELECT delivery_date::text, count(*) AS order_count FROM finance.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`)
    ).rows,
    'pending-items': (
      await c.query(`SELECT p.product_id, p.product_name, sum(i.quantity) AS pending_quantity
      FROM finance.order_items i JOIN finance.orders o USING (order_id) JOIN finance.products p USING (product_id)
      WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1`)
    ).rows,
    'top-customers': (
      await c.query(`SELECT c.customer_id, c.customer_name, count(DISTINCT o.order_id) AS order_count
      FROM finance.orders o JOIN finance.customers c USING (customer_id) WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 3`)
    ).rows,
  }));
}

async function expectReportsEqualSource(doc: DemoDoc): Promise<void> {
  expect(doc.reports.map((r) => r.report)).toEqual(REPORTS);
  const source = await askSource();
  for (const report of doc.reports) expect([report.report, normal(report.rows)]).toEqual([report.report, normal(source[report.report])]);
  // Something to compare: the workload leaves open and pending orders behind.
  expect(doc.reports.find((r) => r.report === 'open-orders')!.rows.length).toBeGreaterThan(0);
}

describe('cdc demo', () => {
  it('builds the finance pipeline, its reports equal the source; a second run reuses it and still agrees', async () => {
    const first = await demo(120);
    expect(first.stack?.reused).toBe(true);
    expect(first.connector).toMatchObject({ name: 'cdc-demo', user: 'cdc_user', slot: 'cdc_pgoutput', publication: 'cdc_publication' });
    expect(first.workload.ops).toBe(120);
    expect(first.sink.passes.at(-1)?.reason).toBe('end');
    await expectReportsEqualSource(first);

    // The views answer what the reports answer (the view of top-customers is its default: pending, 3).
    expect(first.views.map((v) => v.view)).toContain('analytics.top_customers_with_pending_orders');
    const viewRows = await withPg(
      urls.targetUrl,
      async (c) => (await c.query('SELECT * FROM analytics.top_customers_with_pending_orders ORDER BY order_count DESC, customer_id')).rows,
    );
    expect(normal(viewRows)).toEqual(normal(first.reports.find((r) => r.report === 'top-customers')!.rows));

    const second = await demo(40);
    expect(second.connector.action).toBe('unchanged');
    expect(second.source).toMatchObject({ created: false, startSetLoaded: false });
    expect(second.sink.passes.reduce((sum, p) => sum + p.changes, 0)).toBeGreaterThan(0);
    await expectReportsEqualSource(second);
  }, 900_000);
});
