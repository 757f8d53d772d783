/**
 * `cdc sink mongo`: Debezium topics → MongoDB documents (one per row with upsert, one per change
 * with append), idempotent on replay. Flags are checked here; src/sink/mongo does the work.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { maskConnectionString } from '../../src/secrets';
import type { SinkFrom, SinkRunSummary } from '../../src/sink';
import type { SinkOp } from '../../src/sink';
import type { MongoMode } from '../../src/sink/mongo/target';
import { sanitizeForTerminal } from '../ui/style';
import { addKafkaOptions, addMongoOptions } from '../ui/settings-flags';
import { secondsToMs, sessionTimeoutOption } from '../ui/flags';
import { sinkOps, wholeNumber } from './options';
import { summaryDocument } from './render';
import { runSinkCommand } from './run';

interface SinkMongoFlags {
  topicsRegex?: string;
  database: string;
  collection?: string;
  op: string;
  mode: MongoMode;
  group: string;
  from: SinkFrom;
  exitAtEnd?: boolean;
  batchSize: string;
  onError: 'stop' | 'skip';
  timeout: string;
  sessionTimeout?: number;
  json?: boolean;
}

export interface SinkMongoOptions {
  topics: string[];
  topicsRegex?: string;
  database: string;
  collection?: string;
  ops: Set<SinkOp>;
  mode: MongoMode;
  group: string;
  from: SinkFrom;
  exitAtEnd: boolean;
  batchSize: number;
  onError: 'stop' | 'skip';
  timeoutMs: number;
  sessionTimeoutMs?: number;
  json: boolean;
}

/** MongoDB's own rules for database and collection names, checked before anything connects. */
function mongoName(text: string, flag: string, database: boolean): string {
  const bad = database ? /[/\\. "$*<>:|?\u0000]/ : /[$\u0000]/;
  if (text.trim() === '' || bad.test(text) || Buffer.byteLength(text) > (database ? 63 : 255) || (!database && text.startsWith('system.'))) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a valid MongoDB ${database ? 'database' : 'collection'} name`);
  }
  return text;
}

export function checkSinkMongoFlags(topics: string[], flags: SinkMongoFlags): SinkMongoOptions {
  if (topics.length === 0 && !flags.topicsRegex)
    throw new UsageError('name the topics to sink, or pass --topics-regex', 'e.g. cdc sink mongo retail.public.customers --op c');
  if (!flags.group.trim()) throw new UsageError('--group must not be empty');
  return {
    topics,
    topicsRegex: flags.topicsRegex,
    database: mongoName(flags.database, '--database', true),
    collection: flags.collection === undefined ? undefined : mongoName(flags.collection, '--collection', false),
    ops: sinkOps(flags.op),
    mode: flags.mode,
    group: flags.group,
    from: flags.from,
    exitAtEnd: Boolean(flags.exitAtEnd),
    batchSize: wholeNumber(flags.batchSize, '--batch-size', 1, 100_000),
    onError: flags.onError,
    timeoutMs: wholeNumber(flags.timeout, '--timeout', 1, 3600) * 1000,
    sessionTimeoutMs: secondsToMs(flags.sessionTimeout),
    json: Boolean(flags.json),
  };
}

export function registerSinkMongo(sink: Command, ctx: Context): void {
  addKafkaOptions(
    addMongoOptions(
      sink
        .command('mongo')
        .description('land Debezium change events in MongoDB: one document per row (upsert) or per change (append)')
        .argument('[topic...]', 'Debezium topics, e.g. dbserver1.inventory.customers')
        .option('--topics-regex <re>', 'also every topic whose whole name matches'),
    ),
  )
    .option('--database <name>', 'MongoDB database', 'cdc')
    .option('--collection <name>', 'one collection for every table (default: one per source table, named after it)')
    .option('--op <ops>', 'operations to land: c (create), r (snapshot read), u, d, t (truncate); "c" is the tutorials\' creates-only collection', 'c,r,u,d,t')
    .addOption(
      new Option('--mode <mode>', 'upsert: one document per key, deletes remove it; append: one document per change')
        .choices(['upsert', 'append'])
        .default('upsert'),
    )
    .option(
      '-g, --group <name>',
      'consumer group: processes with one group split the partitions; offsets live in the database (_cdc_offsets)',
      'cdc-sink-mongo',
    )
    .addOption(new Option('--from <where>', 'where partitions with no stored offset start').choices(['beginning', 'end', 'stored']).default('beginning'))
    .option('-e, --exit-at-end', 'stop at the end of the topics as they were at the start')
    .option('--batch-size <n>', 'at most this many records per bulk write', '5000')
    .addOption(
      new Option('--on-error <mode>', 'a record that is not a usable event: stop (exit 3) or skip (reported)').choices(['stop', 'skip']).default('stop'),
    )
    .option('--timeout <seconds>', 'how long to wait for MongoDB to answer before giving up', '10')
    .addOption(sessionTimeoutOption())
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Documents: upsert mode keys each document by the row's primary key (_id: the value, or an object
of the key columns) and adds _cdc {op, table, ts, lsn, topic, partition, offset}; append mode
writes {_id: "<topic>/<partition>/<offset>", op, table, ts, lsn, key, row}. Decimals are
Decimal128, dates and timestamps BSON dates, integers beyond 2^53 Int64.

Delivery: at least once with idempotent writes — a crash repeats at most one batch, and the
repeated writes land the same documents (no duplicates).

Examples:
  $ eval "$(cdc stack env)"                                  # CDC_BROKERS, CDC_MONGO_URL
  $ cdc sink mongo retail.public.customers --op c --exit-at-end   # the tutorial's creates-only collection
  $ cdc sink mongo dbserver1.bank.holding --mode append --collection holding_changes --exit-at-end
  $ cdc sink mongo --topics-regex 'retail\\.public\\..*' --database retail --exit-at-end --json`,
    )
    .action(async (topics: string[], flags: SinkMongoFlags) => {
      await runSinkMongo(ctx, checkSinkMongoFlags(topics, flags));
    });
}

async function runSinkMongo(ctx: Context, options: SinkMongoOptions): Promise<void> {
  const url = ctx.settings.mongo.url.value;
  const { sinkTopics } = await import('../../src/sink/topics');
  const topics = await sinkTopics(ctx.settings.kafka, options.topics, options.topicsRegex);
  const { MongoSink } = await import('../../src/sink/mongo/sink');
  const sink = await MongoSink.open({
    url,
    database: options.database,
    collection: options.collection,
    ops: options.ops,
    mode: options.mode,
    onError: options.onError,
    timeoutMs: options.timeoutMs,
  });
  const display = `${maskConnectionString(url)} database ${options.database}`;
  await runSinkCommand(ctx, {
    target: sink,
    run: {
      topics,
      group: options.group,
      from: options.from,
      exitAtEnd: options.exitAtEnd,
      batchSize: options.batchSize,
      sessionTimeoutMs: options.sessionTimeoutMs,
    },
    json: options.json,
    startText: `sink: connecting to ${topics.length} topic(s)`,
    document: (summary) => summaryDocument(summary, options.group, display),
    lines: (summary) => summaryLines(summary, display),
  });
}

function summaryLines(summary: SinkRunSummary, display: string): string[] {
  const c = summary.counts;
  const n = (v: number) => v.toLocaleString('en-US');
  const how = summary.reason === 'end' ? 'reached the end' : summary.reason === 'interrupted' ? 'interrupted' : 'stopped';
  const lines = [
    `cdc sink mongo: ${how} — ${n(c.records)} records in ${(summary.elapsedMs / 1000).toFixed(1)} s into ${sanitizeForTerminal(display)}; ${n(c.changes)} written or deleted, ${n(c.otherSkipped)} skipped${c.bad ? `, ${n(c.bad)} bad records skipped` : ''}`,
  ];
  for (const t of Object.values(c.tables)) lines.push(`  ${sanitizeForTerminal(t.table)}: ${n(t.events)} operations`);
  return lines;
}
