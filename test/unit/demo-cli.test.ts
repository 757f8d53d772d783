/**
 * `cdc demo`'s command line and what it prints besides the reports; the run itself is tested on
 * the real stack (test/integration/demo.test.ts).
 */
import { main } from '../../commands/main';
import { demoDocument, nextSteps } from '../../commands/demo/render';
import type { DemoResult } from '../../src/demo';
import { ExitCode } from '../../src/errors';
import { stringifyLossless } from '../../src/json';
import { testContext } from '../helpers/context';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const ctx = testContext({ env: { CDC_CONFIG: '/nonexistent/cdc.json', ...env } });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('cdc demo command line', () => {
  it.each([
    [['demo', '--ops', '0'], /--ops must be a whole number above 0/],
    [['demo', '--ops', 'many'], /--ops/],
    [['demo', '--seed', '-1'], /--seed/],
    [['demo', '--timeout', '0'], /--timeout/],
    [['demo', '--no-stack'], /--no-stack needs CDC_DEMO_PASSWORD/],
  ])('refuses %j with exit 2 before doing anything', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  it('has help with examples', async () => {
    const result = await run(['demo', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Examples:\n {2}\$ cdc demo/);
  });
});

describe('cdc demo output', () => {
  const result: DemoResult = {
    stack: { reused: true, dir: '/tmp/stack' },
    source: { schema: 'finance', created: false, startSetLoaded: false, setupStatements: 0 },
    connector: {
      name: 'cdc-demo',
      action: 'unchanged',
      user: 'cdc_user',
      slot: 'cdc_pgoutput',
      publication: 'cdc_publication',
      topics: ['demo.finance.customers', 'demo.finance.products', 'demo.finance.orders', 'demo.finance.order_items'],
    },
    workload: { seed: 1, ops: 2, moves: {}, events: {}, rowsAtEnd: {} } as unknown as DemoResult['workload'],
    sink: {
      group: 'cdc-demo',
      targetSchema: 'analytics',
      passes: [
        {
          reason: 'end',
          elapsedMs: 5,
          partitions: [],
          counts: { records: 3, changes: 2, tombstones: 1, otherSkipped: 0, bad: 0, alreadyCommitted: 0, tables: {} },
        },
      ],
    },
    reports: [
      {
        report: 'top-customers',
        schema: 'analytics',
        at: null,
        columns: [
          { name: 'customer_id', type: 'integer' },
          { name: 'order_count', type: 'integer' },
        ],
        rows: [['12345678901234567890', '3']],
      },
    ],
    views: [{ view: 'analytics.top_customers_with_pending_orders', report: 'top-customers' }],
  };

  it('--json is a document of explicit fields; ids survive exactly', () => {
    const doc = demoDocument(result);
    expect(Object.keys(doc)).toEqual(['stack', 'source', 'connector', 'workload', 'sink', 'reports', 'views']);
    expect(doc.sink).toEqual({
      group: 'cdc-demo',
      targetSchema: 'analytics',
      passes: [{ reason: 'end', records: 3, changes: 2, alreadyCommitted: 0, elapsedMs: 5 }],
    });
    expect(stringifyLossless(doc)).toContain('"customer_id":12345678901234567890');
  });

  it('says how to explore and how to stop', () => {
    const text = nextSteps(result).join('\n');
    expect(text).toMatch(/cdc report --list/);
    expect(text).toMatch(/cdc serve --target-schema analytics/);
    expect(text).toMatch(/cdc watch demo\.finance\.orders/);
    expect(text).toMatch(/cdc stack down/);
  });
});
