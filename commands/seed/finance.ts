/**
 * `cdc seed finance`: the finance source schema, a reproducible starting set and a workload.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { ExitCode, ExitStatus } from '../../src/errors';
import { parseIdentifier } from '../../src/pg/identifiers';
import type { SeedFinanceResult } from '../../src/seed/finance';
import { addPgOptions, pgTarget, withPg, type PgCliOptions } from '../pg/options';
import { intFlag, numberFlag } from '../ui/flags';
import { note, writeJson } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { stderrStyle } from '../ui/style';
import { n, onInterrupt } from './render';

interface FinanceOptions extends PgCliOptions {
  schema: string;
  customers?: number;
  products?: number;
  orders?: number;
  seed?: number;
  ops: number;
  rate?: number;
  truncate?: boolean;
  replicaIdentity: 'full' | 'default';
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ cdc seed finance                                    # schema finance: 20 customers, 10 products, 100 orders
  $ cdc seed finance --customers 200 --products 50 --orders 2000 --seed 7 --truncate
  $ cdc seed finance --ops 500 --rate 20                # a live workload on what is there
  $ cdc seed finance --ops 1000 --seed 3 --json | jq .answers

The schema, the truncate and the starting set are one transaction; each workload move is one
transaction: new orders with items, OPEN → PENDING → COMPLETED or CANCELLED, delivery dates moved,
items changed and removed, customers added and renamed, products repriced, cancelled orders
deleted. --json reports the moves, the change events per table, and the four finance answers
(open-orders, top-delivery-dates, pending-items, top-customers) for the data at the end.`;

export function registerSeedFinance(seed: Command, ctx: Context): void {
  addPgOptions(seed.command('finance'))
    .description('create the finance source (customers, products, orders, order_items), load a starting set, run a workload')
    .option('--schema <name>', 'schema of the four tables', 'finance')
    .option('--customers <n>', 'customers in the starting set (default 20)', intFlag('--customers', { max: 10_000_000 }))
    .option('--products <n>', 'products in the starting set (default 10)', intFlag('--products', { max: 10_000_000 }))
    .option('--orders <n>', 'orders in the starting set, with 1–4 items each (default 100)', intFlag('--orders', { max: 100_000_000 }))
    .option('--seed <n>', 'seed of the starting set and the workload (default: a random one, reported)', intFlag('--seed', { max: 2 ** 31 - 1 }))
    .option('--ops <n>', 'run N workload moves, each one transaction', intFlag('--ops', { max: 1_000_000_000 }), 0)
    .option('--rate <n>', 'run at most N moves per second', numberFlag('--rate', { max: 1_000_000 }))
    .option('--truncate', "replace the rows with the starting set (in the load's transaction)")
    .addOption(new Option('--replica-identity <mode>', 'REPLICA IDENTITY of tables created now').choices(['full', 'default']).default('full'))
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(async (options: FinanceOptions) => {
      const schema = parseIdentifier(options.schema);
      const target = await pgTarget(ctx, options);
      const { seedFinance } = await import('../../src/seed/finance');
      const spinner = startSpinner(ctx, `Seeding ${schema}`, { json: options.json });
      const interrupt = onInterrupt(ctx);
      let result: SeedFinanceResult;
      try {
        result = await withPg(target, (client) =>
          seedFinance(client, {
            schema,
            replicaIdentity: options.replicaIdentity,
            truncate: Boolean(options.truncate),
            start: { customers: options.customers, products: options.products, orders: options.orders },
            seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
            ops: options.ops,
            rate: options.rate,
            onProgress: (done, total) => spinner.update(`Seeding ${schema}: ${n(done)}/${n(total)} moves`),
            signal: interrupt.signal,
          }),
        );
      } finally {
        spinner.stop();
        interrupt.dispose();
      }
      if (options.json) writeJson(ctx, result);
      else render(ctx, result, target.display);
      if (result.interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
    });
}

function render(ctx: Context, r: SeedFinanceResult, where: string): void {
  const style = stderrStyle(ctx);
  const head = r.interrupted ? style.yellow('interrupted:') : style.green('✔');
  const made = r.created ? ` (created, REPLICA IDENTITY ${r.replicaIdentity.toUpperCase()})` : '';
  const set = r.startSet
    ? `${r.truncated ? 'replaced by' : 'loaded'} ${n(r.startSet.customers)} customers, ${n(r.startSet.products)} products, ${n(r.startSet.orders)} orders, ${n(r.startSet.order_items)} items (seed ${r.seed})`
    : 'existing rows kept';
  note(ctx, `${head} ${r.schema}${made} at ${where}: ${set}`);
  if (r.ops > 0) {
    const moves = Object.entries(r.moves)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ');
    note(ctx, `  ${n(r.ops)} moves in ${r.seconds.toFixed(2)} s: ${moves}`);
  }
  note(
    ctx,
    `  rows now: ${Object.entries(r.rowsAtEnd)
      .map(([t, v]) => `${t} ${n(v)}`)
      .join(', ')}`,
  );
}
