/**
 * `cdc seed customers` and `cdc seed holdings`: load and drive the source database in place of
 * the tutorials' psql sessions and data generator.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import { displayName, parseIdentifier, parseQualifiedName } from '../src/pg/identifiers';
import type { SeedCustomersResult } from '../src/seed/customers';
import type { SeedHoldingsResult } from '../src/seed/holdings';
import { addPgOptions, pgTarget, withPg, type PgCliOptions } from './pg/options';
import { registerSeedFinance } from './seed/finance';
import { intFlag, numberFlag } from './ui/flags';
import { n, onInterrupt, progressBar, renderCustomers, renderHoldings } from './seed/render';
import { note, warn, writeJson } from './ui/output';
import { pgAddress } from './ui/where';
import { startSpinner } from './ui/spinner';

interface CustomersOptions extends PgCliOptions {
  source?: string;
  limit?: number;
  table?: string;
  schema?: string;
  truncate?: boolean;
  replicaIdentity: 'full' | 'default';
  batchSize: number;
  rate?: number;
  json?: boolean;
}

interface HoldingsOptions extends PgCliOptions {
  script?: 'tutorial';
  ops?: number;
  seed?: number;
  users: number;
  schema: string;
  table: string;
  truncate?: boolean;
  rate?: number;
  json?: boolean;
}

const CUSTOMERS_EXAMPLES = `
Examples:
  $ cdc seed customers                                  # the bundled 12,435 customers into public.customers
  $ cdc seed customers --limit 1000                     # the tutorials' first 1000
  $ cdc seed customers --rate 10                        # one INSERT every 100 ms: a live change stream
  $ cdc seed customers --source https://example.com/customers.csv --table retail.customers
  $ cdc seed customers --truncate --json | jq .inserted
  $ head -101 customers.csv | cdc seed customers --source -

Columns keep the CSV's camelCase names, quoted ("customerId", …), as the tutorials load them.
Re-running upserts by primary key: nothing is duplicated and unchanged rows are not rewritten.
A malformed row stops the load with its row number (1 = first row after the header); its batch
is rolled back, earlier batches stay committed. With --truncate the truncate and every batch are one
transaction: a failed, interrupted or killed load leaves the old rows whole. A new table is created
in the load's first transaction: a load that fails there leaves no table behind.`;

const HOLDINGS_EXAMPLES = `
Examples:
  $ cdc seed holdings                                   # create bank.holding (REPLICA IDENTITY FULL)
  $ cdc seed holdings --script tutorial                 # the tutorials' 8 statements
  $ cdc seed holdings --ops 5000 --seed 42 --json       # a reproducible random mix, with its counts
  $ cdc seed holdings --ops 100 --rate 5                # a slow live stream of changes
  $ cdc seed holdings --schema it_bank --table holding_1 --truncate --script tutorial

--json reports, besides counts per operation and per field changed, the holding_pivot rows to
expect downstream (pivot.rows, and pivot.changedOnlyRows for \`cdc parse --changed-only\`).`;

export function registerSeed(program: Command, ctx: Context): void {
  const seed = program.command('seed').description('load and drive the source database: customers CSV, holdings and finance workloads');
  registerSeedFinance(seed, ctx);

  addPgOptions(seed.command('customers'))
    .description('load the retail customers CSV (bulk COPY by default, or row by row at --rate)')
    .option('--source <file|url|->', 'CSV file, http(s) URL, or - for stdin (default: the bundled fixtures/customers.csv)')
    .option('--limit <n>', 'load only the first N rows', intFlag('--limit', { min: 1 }))
    .option('--table <[schema.]table>', 'target table (default: public.customers)')
    .option('--schema <name>', 'schema when --table names none (default: public)')
    .option('--truncate', "replace the table's rows: the truncate and the whole load are one transaction (with --rate: the first row's)")
    .addOption(new Option('--replica-identity <mode>', 'REPLICA IDENTITY of a table created now').choices(['full', 'default']).default('full'))
    .option('--batch-size <n>', 'rows per COPY transaction', intFlag('--batch-size', { min: 1, max: 1_000_000 }), 20_000)
    .option('--rate <n>', 'insert row by row at N rows per second', numberFlag('--rate', { max: 1_000_000 }))
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', CUSTOMERS_EXAMPLES)
    .action(async (options: CustomersOptions) => {
      const table = parseQualifiedName(options.table ?? 'customers', options.schema === undefined ? 'public' : parseIdentifier(options.schema));
      if (options.source === '') throw new UsageError('--source is empty', 'give a CSV file, an http(s) URL, or - for stdin');
      const target = await pgTarget(ctx, options);
      const [{ openSource, defaultCustomersSource }, { seedCustomers }] = await Promise.all([import('../src/seed/source'), import('../src/seed/customers')]);
      const source = await openSource(options.source ?? defaultCustomersSource(), ctx.cwd, ctx.stdin);
      const progress = progressBar(ctx, `Seeding ${displayName(table)}`, options.json);
      const interrupt = onInterrupt(ctx);
      let result: SeedCustomersResult;
      try {
        result = await withPg(target, (client) =>
          seedCustomers(client, {
            table,
            source,
            limit: options.limit,
            truncate: Boolean(options.truncate),
            replicaIdentity: options.replicaIdentity,
            batchSize: options.batchSize,
            rate: options.rate,
            onProgress: progress.update,
            signal: interrupt.signal,
          }),
        );
      } finally {
        progress.stop();
        interrupt.dispose();
        source.stream.destroy();
      }
      for (const warning of result.warnings) warn(ctx, warning);
      if (options.json) {
        writeJson(ctx, result);
        note(ctx, `into ${result.table} at ${pgAddress(target)}`);
      } else renderCustomers(ctx, result, pgAddress(target));
      if (result.interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
    });

  addPgOptions(seed.command('holdings'))
    .description("create the tutorials' bank.holding table and run a workload against it")
    .addOption(new Option('--script <name>', 'run a fixed script').choices(['tutorial']))
    .option('--ops <n>', 'run N random operations (inserts, stock and quantity changes, deletes)', intFlag('--ops', { min: 1, max: 1_000_000_000 }))
    .option('--seed <n>', 'seed of the random mix (default: a random one, reported)', intFlag('--seed', { min: 0, max: 2 ** 31 - 1 }))
    .option('--users <n>', 'distinct user_ids in the random mix', intFlag('--users', { min: 1, max: 1_000_000 }), 10)
    .option('--schema <name>', 'schema of the table', 'bank')
    .option('--table <[schema.]table>', 'table name', 'holding')
    .option('--truncate', 'empty the table first')
    .option('--rate <n>', 'run at most N statements per second', numberFlag('--rate', { max: 1_000_000 }))
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', HOLDINGS_EXAMPLES)
    .action(async (options: HoldingsOptions) => {
      if (options.script && options.ops) throw new UsageError('--script and --ops cannot be combined', 'run one, then the other');
      const table = parseQualifiedName(options.table, parseIdentifier(options.schema));
      const target = await pgTarget(ctx, options);
      const { seedHoldings } = await import('../src/seed/holdings');
      const spinner = startSpinner(ctx, `Seeding ${displayName(table)}`, { json: options.json });
      const interrupt = onInterrupt(ctx);
      let result: SeedHoldingsResult;
      try {
        result = await withPg(target, (client) =>
          seedHoldings(client, {
            table,
            script: options.script,
            ops: options.ops,
            seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
            users: options.users,
            truncate: Boolean(options.truncate),
            rate: options.rate,
            onProgress: (done, total) => spinner.update(`Seeding ${displayName(table)}: ${n(done)}/${n(total)} statements`),
            signal: interrupt.signal,
          }),
        );
      } finally {
        spinner.stop();
        interrupt.dispose();
      }
      for (const warning of result.warnings) warn(ctx, warning);
      if (options.json) {
        writeJson(ctx, result);
        note(ctx, `into ${result.table} at ${pgAddress(target)}`);
      } else renderHoldings(ctx, result, pgAddress(target));
      if (result.interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
    });
}
