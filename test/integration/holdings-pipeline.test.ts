/**
 * The holdings questions through the real pipeline (issue 10 Evidence): `cdc seed holdings` →
 * connector → `cdc sink postgres` → `cdc report stock-changes / quantity-changes / top-sold-stock`,
 * checked against the workload's own `--json` reports (fieldsChanged: every update changes exactly
 * one field, and with --users 1 every change is user 1's), now and --at a moment between the two
 * parts; and top-sold-stock against the tutorial's own definition applied to the holding_pivot
 * that `cdc watch | cdc parse` writes from the same topic.
 */
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { runShell, withPg } from '../helpers/pipeline';
import { cleanUp, createTargetDb, registerConnector, sinkFixture, sinkIntoAnalytics } from './sink-helpers';
import { uniqueName } from './watch-helpers';

const f = sinkFixture(uniqueName('holdpipe'));

async function cdc(args: string[], timeoutMs = 180_000): Promise<CliResult> {
  const result = await runCli(args, { env: f.env, timeoutMs });
  if (result.code !== 0) throw new Error(`cdc ${args.join(' ')}\n${describeResult(result)}`);
  return result;
}

async function report(args: string[]): Promise<Record<string, unknown>[]> {
  const result = await cdc(['report', ...args, '--target-url', f.targetUrl, '--target-schema', 'analytics', '--json']);
  return JSON.parse(result.stdout).rows;
}

interface HoldingsJson {
  fieldsChanged: { holding_stock: number; holding_quantity: number };
  statements: number;
}

async function workload(seed: number, ops: number): Promise<HoldingsJson> {
  return JSON.parse((await cdc(['seed', 'holdings', '--schema', f.name, '--users', '1', '--ops', String(ops), '--seed', String(seed), '--json'])).stdout);
}

const sourceNow = (): Promise<string> =>
  withPg(f.urls.pgUrl, async (c) => (await c.query<{ t: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)).rows[0].t);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await createTargetDb(f);
}, 60_000);

afterAll(async () => {
  await cleanUp(f, ['holding']);
}, 240_000);

describe('the holdings pipeline', () => {
  it("seed holdings → connector → sink → stock-changes, quantity-changes and top-sold-stock equal the workload's --json and the pivot", async () => {
    await cdc(['seed', 'holdings', '--schema', f.name]);
    await registerConnector(f, ['holding']);
    await cdc(['connector', 'wait', f.name, '--for', 'snapshot']);

    const from = await sourceNow();
    const first = await workload(31, 200);
    await pause(1100);
    const between = await sourceNow();
    await pause(1100);
    const second = await workload(32, 200);
    await pause(1100);
    const to = await sourceNow();
    await cdc(['connector', 'wait', f.name, '--for', 'caught-up']);
    await cdc(sinkIntoAnalytics(f, [f.topic('holding')]), 300_000);

    // The workloads changed both fields: the comparisons below are not of zeros.
    expect(first.fieldsChanged.holding_stock).toBeGreaterThan(0);
    expect(second.fieldsChanged.holding_quantity).toBeGreaterThan(0);
    const total = (field: 'holding_stock' | 'holding_quantity') => first.fieldsChanged[field] + second.fieldsChanged[field];
    expect(await report(['stock-changes', '--user', '1'])).toEqual([{ changes: total('holding_stock') }]);
    expect(await report(['quantity-changes', '--user', '1'])).toEqual([{ changes: total('holding_quantity') }]);
    expect(await report(['stock-changes', '--user', '1', '--at', between])).toEqual([{ changes: first.fieldsChanged.holding_stock }]);
    expect(await report(['quantity-changes', '--user', '1', '--at', between])).toEqual([{ changes: first.fieldsChanged.holding_quantity }]);
    expect(await report(['stock-changes', '--user', '2'])).toEqual([{ changes: 0 }]);

    // top-sold-stock: every stock change sells its old stock once, so over the whole run the
    // counts add up to the workloads' stock changes, and over the second half to the second's.
    const sold = await report(['top-sold-stock', '--from', from, '--to', to, '--limit', '100']);
    expect(sold.reduce((sum, r) => sum + Number(r.times_sold), 0)).toBe(total('holding_stock'));
    const soldSecond = await report(['top-sold-stock', '--from', between, '--to', to, '--limit', '100']);
    expect(soldSecond.reduce((sum, r) => sum + Number(r.times_sold), 0)).toBe(second.fieldsChanged.holding_stock);

    // The tutorial's question 3 asked of holding_pivot (old_value of changed holding_stock rows,
    // most common first) names the same stocks with the same counts.
    const pivot = await runShell(`cdc watch ${f.topic('holding')} --exit-at-end | cdc parse --format jsonl --changed-only`, f.env, 180_000);
    if (pivot.code !== 0) throw new Error(describeResult(pivot));
    const counts = new Map<string, number>();
    for (const line of pivot.stdout.trim().split('\n')) {
      const row = JSON.parse(line) as { change_field: string; old_value: string | null; new_value: string | null };
      // `old_value <> new_value` in SQL: a delete's row (new_value null) is not a change.
      if (row.change_field === 'holding_stock' && row.old_value !== null && row.new_value !== null && row.old_value !== row.new_value)
        counts.set(row.old_value, (counts.get(row.old_value) ?? 0) + 1);
    }
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([stock, n]) => ({ holding_stock: stock, times_sold: n }));
    expect(sold).toEqual(expected);
    expect(await report(['top-sold-stock', '--from', from, '--to', to])).toEqual(expected.slice(0, 1));
  }, 900_000);
});
