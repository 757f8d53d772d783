/**
 * `cdc seed finance` on the stack's real PostgreSQL: the schema (keys, foreign keys, audit
 * columns, REPLICA IDENTITY FULL), a starting set that the seed reproduces exactly, a workload whose
 * --json report agrees with the database (row counts, change events, and the four finance answers
 * asked of the source with SQL written here), the load as one transaction under kill -9, and bad
 * flags. Each test works in schemas of its own, dropped at the end.
 */
import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { CDC_BIN, describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const prefix = `it_fin_${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const schemas: string[] = [];
let client: Client;

function schemaFor(name: string): string {
  const schema = `${prefix}_${name}`;
  schemas.push(schema);
  return schema;
}

function seed(...args: string[]): Promise<CliResult> {
  return runCli(['seed', 'finance', '--pg-url', pgUrl, ...args], { timeoutMs: 120_000 });
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

/** The content of the four tables without the audit columns: equal digests, equal data. */
async function digest(schema: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, key] of [
    ['customers', 'customer_id'],
    ['products', 'product_id'],
    ['orders', 'order_id'],
    ['order_items', 'order_item_id'],
  ]) {
    const { rows } = await client.query(
      `SELECT md5(coalesce(string_agg((to_jsonb(t) - 'created_at' - 'updated_at')::text, E'\\n' ORDER BY ${key}), '')) AS d FROM ${schema}.${table} t`,
    );
    out[table] = rows[0].d;
  }
  return out;
}

/** The four finance questions asked of the source directly, as seed-systems.md states them. */
async function askSource(schema: string) {
  const q = async (sql: string) => (await client.query(sql)).rows;
  return {
    'open-orders': await q(`SELECT delivery_date::text, status, count(*)::int AS order_count FROM ${schema}.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1, 2 ORDER BY 1, 2`),
    'top-delivery-dates': await q(`SELECT delivery_date::text, count(*)::int AS order_count FROM ${schema}.orders
      WHERE status IN ('OPEN', 'PENDING') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`),
    'pending-items': await q(`SELECT p.product_id, p.product_name, sum(i.quantity)::int AS pending_quantity
      FROM ${schema}.order_items i JOIN ${schema}.orders o USING (order_id) JOIN ${schema}.products p USING (product_id)
      WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1`),
    'top-customers': await q(`SELECT c.customer_id, c.customer_name, count(DISTINCT o.order_id)::int AS order_count
      FROM ${schema}.orders o JOIN ${schema}.customers c USING (customer_id)
      WHERE o.status = 'PENDING' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 3`),
  };
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
});

afterAll(async () => {
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe('cdc seed finance', () => {
  it('creates the four tables with keys, foreign keys, audit columns and REPLICA IDENTITY FULL, and a starting set the seed reproduces', async () => {
    const a = schemaFor('a');
    const b = schemaFor('b');
    const first = await seed('--schema', a, '--customers', '12', '--products', '7', '--orders', '40', '--seed', '11', '--json');
    expectExit(first, 0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ schema: a, created: true, seed: 11, ops: 0, startSet: { customers: 12, products: 7, orders: 40 } });
    expect(report.rowsAtEnd).toEqual({ customers: 12, products: 7, orders: 40, order_items: report.startSet.order_items });

    const meta = await client.query(
      `SELECT c.relname::text AS t, c.relreplident::text AS identity,
        (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
        (SELECT array_agg(pg_get_constraintdef(k.oid) ORDER BY pg_get_constraintdef(k.oid)) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'f')) AS keys
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
      [a],
    );
    expect(meta.rows).toEqual([
      { t: 'customers', identity: 'f', columns: ['customer_id', 'customer_name', 'email', 'created_at', 'updated_at'], keys: ['PRIMARY KEY (customer_id)'] },
      {
        t: 'order_items',
        identity: 'f',
        columns: ['order_item_id', 'order_id', 'product_id', 'quantity', 'created_at', 'updated_at'],
        keys: [
          `FOREIGN KEY (order_id) REFERENCES ${a}.orders(order_id)`,
          `FOREIGN KEY (product_id) REFERENCES ${a}.products(product_id)`,
          'PRIMARY KEY (order_item_id)',
        ],
      },
      {
        t: 'orders',
        identity: 'f',
        columns: ['order_id', 'customer_id', 'order_date', 'delivery_date', 'status', 'created_at', 'updated_at'],
        keys: [`FOREIGN KEY (customer_id) REFERENCES ${a}.customers(customer_id)`, 'PRIMARY KEY (order_id)'],
      },
      { t: 'products', identity: 'f', columns: ['product_id', 'product_name', 'price', 'created_at', 'updated_at'], keys: ['PRIMARY KEY (product_id)'] },
    ]);

    expectExit(await seed('--schema', b, '--customers', '12', '--products', '7', '--orders', '40', '--seed', '11'), 0);
    expect(await digest(b)).toEqual(await digest(a));
    const other = schemaFor('c');
    expectExit(await seed('--schema', other, '--customers', '12', '--products', '7', '--orders', '40', '--seed', '12'), 0);
    expect(await digest(other)).not.toEqual(await digest(a));
  });

  it('runs a workload whose report agrees with the database: counts, change events, and the four answers', async () => {
    const schema = schemaFor('w');
    const loaded = await seed('--schema', schema, '--customers', '15', '--products', '8', '--orders', '60', '--seed', '3', '--json');
    expectExit(loaded, 0);
    const start = JSON.parse(loaded.stdout).startSet;
    const result = await seed('--schema', schema, '--ops', '400', '--seed', '3', '--json');
    expectExit(result, 0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ops: 400, startSet: null, created: false, interrupted: false });
    expect(Object.values(report.moves as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(400);
    for (const move of ['newOrder', 'statusChange', 'deliveryMoved', 'itemChanged', 'itemRemoved', 'customerRenamed', 'productRepriced', 'orderDeleted']) {
      expect([move, report.moves[move]]).toEqual([move, expect.any(Number)]);
      expect(report.moves[move]).toBeGreaterThan(0);
    }

    const counted: Record<string, number> = {};
    for (const t of ['customers', 'products', 'orders', 'order_items'])
      counted[t] = Number((await client.query(`SELECT count(*) FROM ${schema}.${t}`)).rows[0].count);
    expect(report.rowsAtEnd).toEqual(counted);
    const before: Record<string, number> = { customers: start.customers, products: start.products, orders: start.orders, order_items: start.order_items };
    for (const t of Object.keys(counted)) expect([t, before[t] + report.events[t].c - report.events[t].d]).toEqual([t, counted[t]]);

    expect(report.answers).toEqual(await askSource(schema));
    expect(report.answers['open-orders'].length).toBeGreaterThan(0);
    expect(report.answers['pending-items'].length).toBeGreaterThan(0);

    const { rows } = await client.query(`SELECT
        (SELECT count(*)::int FROM ${schema}.orders o WHERE NOT EXISTS (SELECT 1 FROM ${schema}.order_items i WHERE i.order_id = o.order_id)) AS empty_orders,
        (SELECT count(*)::int FROM ${schema}.orders WHERE updated_at < created_at) AS bad_audit,
        (SELECT count(*)::int FROM ${schema}.orders WHERE updated_at > created_at) AS updated_orders`);
    expect(rows[0]).toMatchObject({ empty_orders: 0, bad_audit: 0 });
    expect(rows[0].updated_orders).toBeGreaterThan(0);

    // The same start and seed give the same workload, row for row.
    const again = schemaFor('w2');
    expectExit(await seed('--schema', again, '--customers', '15', '--products', '8', '--orders', '60', '--seed', '3'), 0);
    expectExit(await seed('--schema', again, '--ops', '400', '--seed', '3'), 0);
    expect(await digest(again)).toEqual(await digest(schema));
  });

  it('loads a starting set only into empty tables, or with --truncate, and the truncate reloads it exactly', async () => {
    const schema = schemaFor('t');
    expectExit(await seed('--schema', schema, '--customers', '5', '--products', '3', '--orders', '9', '--seed', '4'), 0);
    const original = await digest(schema);
    expectExit(await seed('--schema', schema, '--ops', '30', '--seed', '4'), 0);
    const refused = await seed('--schema', schema, '--customers', '5', '--products', '3', '--orders', '9', '--seed', '4');
    expectExit(refused, 1);
    expect(refused.stderr).toMatch(/already has finance rows/);
    expect(refused.stderr).toMatch(/hint: pass --truncate/);
    const replaced = await seed('--schema', schema, '--customers', '5', '--products', '3', '--orders', '9', '--seed', '4', '--truncate', '--json');
    expectExit(replaced, 0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ truncated: true, startSet: { customers: 5, products: 3, orders: 9 } });
    expect(await digest(schema)).toEqual(original);
  });

  it('kill -9 while the starting set loads leaves no tables behind', async () => {
    const schema = schemaFor('k');
    const child = spawn(
      process.execPath,
      [CDC_BIN, 'seed', 'finance', '--pg-url', pgUrl, '--schema', schema, '--customers', '1000', '--products', '100', '--orders', '300000', '--seed', '1'],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let pid: number | undefined;
    const deadline = Date.now() + 60_000;
    while (pid === undefined && Date.now() < deadline) {
      const { rows } = await client.query(`SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1`, [`INSERT INTO "${schema}".%`]);
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await closed;
    expect(pid).toBeDefined();
    for (;;) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rowCount === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1', [
      schema,
    ]);
    expect(rows[0].n).toBe(0);
  }, 120_000);

  it('refuses bad flags before connecting, and a workload without customers or products', async () => {
    for (const [args, message] of [
      [['--ops=-1'], /--ops must be a whole number, got "-1"/],
      [['--orders', 'many'], /--orders must be a whole number, got "many"/],
      [['--rate', '0'], /--rate must be a number above 0, got "0"/],
      [['--schema', ''], /bad schema name: an empty name/],
      [['--replica-identity', 'nothing'], /Allowed choices are full, default/],
    ] as [string[], RegExp][]) {
      const result = await runCli(['seed', 'finance', '--pg-url', 'postgres://nobody@127.0.0.1:9/x', ...args]);
      expect([args, result.code, result.stderr]).toEqual([args, 2, expect.stringMatching(message)]);
    }
    const schema = schemaFor('e');
    const noProducts = await seed('--schema', schema, '--customers', '3', '--products', '0', '--orders', '2');
    expectExit(noProducts, 1);
    expect(noProducts.stderr).toMatch(/orders need customers and products/);
    const idle = await seed('--schema', schema, '--customers', '0', '--products', '0', '--orders', '0', '--ops', '5');
    expectExit(idle, 1);
    expect(idle.stderr).toMatch(/has no customers: the workload needs some/);
  });
});
