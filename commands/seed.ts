/**
 * `cdc seed customers` and `cdc seed holdings`: load and drive the source database in place of
 * the tutorials' psql sessions and data generator.
 */
import { Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import { displayName, parseIdentifier, parseQualifiedName } from '../src/pg/identifiers';
import type { SeedCustomersResult, SeedProgress } from '../src/seed/customers';
import type { SeedHoldingsResult } from '../src/seed/holdings';
import { addPgOptions, pgTarget, positiveInt, positiveNumber, withPg, type PgCliOptions } from './pg';
import { note, warn, writeJson } from './ui/output';
import { startSpinner } from './ui/spinner';
import { stderrStyle } from './ui/style';

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
is rolled back, earlier batches stay committed.`;

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
  const seed = program.command('seed').description('load and drive the source database: customers CSV, holdings workload');

  addPgOptions(seed.command('customers'))
    .description('load the retail customers CSV (bulk COPY by default, or row by row at --rate)')
    .option('--source <file|url|->', 'CSV file, http(s) URL, or - for stdin (default: the bundled fixtures/customers.csv)')
    .option('--limit <n>', 'load only the first N rows', positiveInt('--limit'))
    .option('--table <[schema.]table>', 'target table (default: public.customers)')
    .option('--schema <name>', 'schema when --table names none (default: public)')
    .option('--truncate', 'empty the table first (in the first batch\'s transaction)')
    .addOption(new Option('--replica-identity <mode>', 'REPLICA IDENTITY of a table created now').choices(['full', 'default']).default('full'))
    .option('--batch-size <n>', 'rows per COPY transaction', positiveInt('--batch-size'), 20_000)
    .option('--rate <n>', 'insert row by row at N rows per second', positiveNumber('--rate'))
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', CUSTOMERS_EXAMPLES)
    .action(async (options: CustomersOptions) => {
      const table = parseQualifiedName(options.table ?? 'customers', options.schema === undefined ? 'public' : parseIdentifier(options.schema));
      const target = await pgTarget(ctx, options);
      const [{ openSource, defaultCustomersSource }, { seedCustomers }] = await Promise.all([import('../src/seed/source'), import('../src/seed/customers')]);
      const source = await openSource(options.source ?? defaultCustomersSource(), ctx.cwd, ctx.stdin);
      const progress = progressBar(ctx, `Seeding ${displayName(table)}`, options.json);
      const interrupt = onInterrupt();
      let result: SeedCustomersResult;
      try {
        result = await withPg(target, (client) => seedCustomers(client, {
          table, source, limit: options.limit, truncate: Boolean(options.truncate), replicaIdentity: options.replicaIdentity,
          batchSize: options.batchSize, rate: options.rate, onProgress: progress.update, signal: interrupt.signal,
        }));
      } finally {
        progress.stop();
        interrupt.dispose();
        source.stream.destroy();
      }
      for (const warning of result.warnings) warn(ctx, warning);
      if (options.json) writeJson(ctx, result);
      else {
        const style = stderrStyle(ctx);
        const created = result.created ? ` (created, REPLICA IDENTITY ${result.replicaIdentity.toUpperCase()})` : '';
        note(ctx, `${result.interrupted ? style.yellow('interrupted:') : style.green('✔')} ${result.table}${created}: ${n(result.rows)} rows from ${result.source} — ` +
          `${n(result.inserted)} inserted, ${n(result.updated)} updated, ${n(result.unchanged)} unchanged` +
          ` in ${result.seconds.toFixed(2)} s (${n(result.rowsPerSecond)} rows/s, ${result.mode}${result.truncated ? ', truncated first' : ''})`);
      }
      if (result.interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
    });

  addPgOptions(seed.command('holdings'))
    .description("create the tutorials' bank.holding table and run a workload against it")
    .addOption(new Option('--script <name>', 'run a fixed script').choices(['tutorial']))
    .option('--ops <n>', 'run N random operations (inserts, stock and quantity changes, deletes)', positiveInt('--ops'))
    .option('--seed <n>', 'seed of the random mix (default: a random one, reported)', positiveInt('--seed', 0))
    .option('--users <n>', 'distinct user_ids in the random mix', positiveInt('--users'), 10)
    .option('--schema <name>', 'schema of the table', 'bank')
    .option('--table <[schema.]table>', 'table name', 'holding')
    .option('--truncate', 'empty the table first')
    .option('--rate <n>', 'run at most N statements per second', positiveNumber('--rate'))
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', HOLDINGS_EXAMPLES)
    .action(async (options: HoldingsOptions) => {
      if (options.script && options.ops) throw new UsageError('--script and --ops cannot be combined', 'run one, then the other');
      const table = parseQualifiedName(options.table, parseIdentifier(options.schema));
      const target = await pgTarget(ctx, options);
      const { seedHoldings } = await import('../src/seed/holdings');
      const spinner = startSpinner(ctx, `Seeding ${displayName(table)}`, { json: options.json });
      const interrupt = onInterrupt();
      let result: SeedHoldingsResult;
      try {
        result = await withPg(target, (client) => seedHoldings(client, {
          table, script: options.script, ops: options.ops, seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
          users: options.users, truncate: Boolean(options.truncate), rate: options.rate,
          onProgress: (done, total) => spinner.update(`Seeding ${displayName(table)}: ${n(done)}/${n(total)} statements`),
          signal: interrupt.signal,
        }));
      } finally {
        spinner.stop();
        interrupt.dispose();
      }
      for (const warning of result.warnings) warn(ctx, warning);
      if (options.json) writeJson(ctx, result);
      else renderHoldings(ctx, result);
      if (result.interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
    });
}

function renderHoldings(ctx: Context, r: SeedHoldingsResult): void {
  const style = stderrStyle(ctx);
  const created = r.created ? ' (created, REPLICA IDENTITY FULL)' : '';
  if (r.workload === 'none') {
    note(ctx, `${style.green('✔')} ${r.table}${created}: ${n(r.rowsAtEnd)} rows. Run a workload with --script tutorial or --ops N.`);
    return;
  }
  for (const entry of r.log ?? []) note(ctx, `  ${entry.statement};  -- ${entry.rows} row(s)`);
  const seed = r.seed !== undefined ? ` (seed ${r.seed}, ${r.users} users)` : '';
  note(ctx, `${r.interrupted ? style.yellow('interrupted:') : style.green('✔')} ${r.table}${created}: ${n(r.statements)} ${r.workload} statements${seed} in ${r.seconds.toFixed(2)} s — ` +
    `${n(r.events.c)} inserted, ${n(r.events.u)} updated (holding_stock ${n(r.fieldsChanged.holding_stock)}, holding_quantity ${n(r.fieldsChanged.holding_quantity)}), ` +
    `${n(r.events.d)} deleted; ${n(r.rowsAtEnd)} rows now; expect ${n(r.pivot.rows)} holding_pivot rows (${n(r.pivot.changedOnlyRows)} with --changed-only)`);
}

/**
 * Ctrl-C (or SIGTERM) stops a load cleanly instead of killing it: what was committed is reported,
 * then the command exits 130. A second Ctrl-C is Node's default again: immediate exit.
 */
function onInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    },
  };
}

/** A progress bar drawn on the spinner line: bytes when the size is known, rows otherwise. */
function progressBar(ctx: Context, label: string, json?: boolean): { update: (p: SeedProgress) => void; stop: () => void } {
  const spinner = startSpinner(ctx, label, { json });
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const fraction = p.limit ? p.rows / p.limit : p.totalBytes ? p.bytes / p.totalBytes : undefined;
      if (fraction === undefined) return spinner.update(`${label}: ${n(p.rows)} rows`);
      const width = 24;
      const filled = Math.min(width, Math.round(fraction * width));
      spinner.update(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.min(100, Math.round(fraction * 100))}% ${n(p.rows)} rows`);
    },
    stop: () => spinner.stop(),
  };
}

/** 12,435: thousands separated. Not toLocaleString, whose first call costs ~15 ms of Intl start-up. */
function n(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
