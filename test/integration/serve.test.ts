/**
 * `cdc serve` over real HTTP against history tables in the real PostgreSQL: every route answers
 * as the model does (now and ?at=), bad and hostile parameters get 400 naming the parameter and
 * never reach SQL, /docs renders in a real headless Chromium, SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { financeAnswers, financeModel, holdingsModel } from '../helpers/history-model';
import { CDC_BIN } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const START = Date.UTC(2026, 10, 1, 8, 0, 0);
const iso = (t: number) => new Date(START + t * 1000).toISOString();
const schema = `serve_it_${process.pid}`;
const finance = financeModel(23, 200);
const holdings = holdingsModel(29, 200);
let client: Client;
let server: ChildProcessWithoutNullStreams;
let base: string;
let stderr = '';

beforeAll(async () => {
  client = new Client({ connectionString: stackUrls().pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  for (const table of [finance.customers, finance.products, finance.orders, finance.items, holdings.holding]) await table.write(client, schema, START);
  server = spawn(process.execPath, [CDC_BIN, 'serve', '--port', '0', '--json', '--target-url', stackUrls().pgUrl, '--target-schema', schema], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  server.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
    });
    server.on('exit', (code) => reject(new Error(`cdc serve exited ${code}: ${stderr}`)));
  });
});

afterAll(async () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

async function get(route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(base + route);
  const text = await response.text();
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

test('binds 127.0.0.1 by default and says where', () => {
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(stderr).toContain('/docs');
  expect(stderr).not.toContain('postgres:postgres@');
});

test.each([undefined, 80.5, 150])('finance routes answer like the model (at=%s)', async (t) => {
  const expected = financeAnswers(finance, t);
  const at = t === undefined ? '' : `at=${encodeURIComponent(iso(t))}`;
  const routes: [string, keyof typeof expected][] = [
    [`/orders?status=open&${at}`, 'open-orders'],
    [`/orders/top?limit=3&${at}`, 'top-delivery-dates'],
    [`/orders/product?${at}`, 'pending-items'],
    [`/orders/customers?status=pending&limit=3&${at}`, 'top-customers'],
  ];
  for (const [route, name] of routes) {
    const { status, body } = await get(route);
    expect({ route, status, rows: body.rows }).toEqual({ route, status: 200, rows: expected[name] });
    expect(body.at).toBe(t === undefined ? null : iso(t));
  }
});

test('holdings routes answer like the model', async () => {
  for (const user of [1, 2, 3, 4]) {
    const changes = holdings.stockChanges.filter((c) => c.user === user).length;
    expect((await get(`/holdings/stock-changes?user=${user}`)).body.rows).toEqual([{ changes }]);
  }
  const { status, body } = await get(`/holdings/top-sold-stock?from=${iso(0)}&to=${iso(300)}&limit=10`);
  expect(status).toBe(200);
  expect((body.rows as { times_sold: number }[]).reduce((sum, r) => sum + r.times_sold, 0)).toBe(holdings.stockChanges.length);
});

test.each([
  ['/orders?status=bogus', 'status'],
  ["/orders?status=open'%20OR%201=1--", 'status'],
  ['/orders/top?limit=0', 'limit'],
  ['/orders/top?limit=1e3', 'limit'],
  ['/orders/top?limit=99999999999999999999', 'limit'],
  ['/orders/top?limit=1&limit=2', 'limit'],
  ['/orders?at=now()', 'at'],
  ["/orders?at=2026-12-01';DROP%20TABLE%20x;--", 'at'],
  ['/holdings/stock-changes', 'user'],
  ['/holdings/stock-changes?user=1%20OR%201=1', 'user'],
  ['/holdings/stock-changes?user=99999999999999999999', 'user'],
  ['/holdings/top-sold-stock?from=2026-12-02&to=2026-12-01', 'from'],
  ['/orders/product?limit=3', 'limit'],
])('%s → 400 naming %s, no SQL text, tables intact', async (route, param) => {
  const { status, body } = await get(route);
  expect(status).toBe(400);
  expect(String(body.error)).toContain(`'${param}'`);
  expect(JSON.stringify(body)).not.toMatch(/SELECT|valid_from|at Object|\.ts:\d+/);
  const tables = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [schema]);
  expect(tables.rows[0].n).toBe(5);
});

test('unknown routes and methods get JSON errors', async () => {
  expect((await get('/nope')).status).toBe(404);
  const post = await fetch(`${base}/orders`, { method: 'POST', body: '{}' });
  expect(post.status).toBe(404);
});

test('/healthz reports the target reachable; /reports lists every report', async () => {
  const health = await get('/healthz');
  expect(health.status).toBe(200);
  expect(health.body.status).toBe('ok');
  expect(String(health.body.target)).not.toContain('postgres:postgres');
  const reports = await get('/reports');
  expect((reports.body as unknown as { route: string }[]).map((r) => r.route)).toEqual(
    expect.arrayContaining(['/orders', '/orders/top', '/orders/product', '/orders/customers', '/holdings/stock-changes']),
  );
});

test('the OpenAPI document describes every route and its parameters', async () => {
  const { body } = await get('/docs/json');
  const paths = body.paths as Record<string, { get: { parameters: { name: string }[] } }>;
  expect(Object.keys(paths)).toEqual(
    expect.arrayContaining(['/orders', '/orders/top', '/orders/product', '/orders/customers', '/holdings/top-sold-stock', '/healthz']),
  );
  expect(paths['/orders/customers'].get.parameters.map((p) => p.name).sort()).toEqual(['at', 'limit', 'status']);
});

test('/docs renders in headless Chromium with every route listed', async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    const paths = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.textContent?.replace(/\u200b/g, '').trim()));
    expect(paths).toEqual(expect.arrayContaining(['/orders', '/orders/top', '/orders/product', '/orders/customers', '/healthz']));
    expect(await page.textContent('.title')).toContain('cdc reports API');
    // Try it out from the page itself: the browser calls the API and shows a 200.
    await page.click('#operations-finance-get_orders_top .opblock-summary');
    await page.click('#operations-finance-get_orders_top .try-out__btn');
    await page.click('#operations-finance-get_orders_top .execute');
    await page.waitForSelector('#operations-finance-get_orders_top .live-responses-table tbody .response-col_status', { timeout: 20_000 });
    expect(await page.textContent('#operations-finance-get_orders_top .live-responses-table tbody .response-col_status')).toContain('200');
    await page.screenshot({ path: path.join(os.tmpdir(), 'cdc-serve-docs.png'), fullPage: false });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('SIGTERM stops it gracefully (exit 0, "stopped")', async () => {
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).toContain('stopped');
});
