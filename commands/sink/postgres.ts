/**
 * `cdc sink postgres`: Debezium topics → SCD2 `<table>_history` tables in a target PostgreSQL,
 * exactly once. Flags are checked here, then src/sink runs it; this file only renders.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { parseIdentifier } from '../../src/pg/identifiers';
import type { SinkFrom } from '../../src/sink';
import { addKafkaOptions, addTargetOptions } from '../ui/settings-flags';
import { secondsToMs, sessionTimeoutOption } from '../ui/flags';
import { DEFAULT_GROUP, wholeNumber } from './options';
import { summaryDocument, summaryLines } from './render';
import { runSinkCommand } from './run';

export const DEFAULT_BATCH_SIZE = 5000;
/** A partial batch waits at most this long (ms): at the tail of a topic a change lands within about a second. */
export const DEFAULT_MAX_WAIT_MS = 1000;
/** An hour: a longer wait only holds back rows that are there. */
const MAX_WAIT_MS = 3_600_000;

export interface SinkPostgresFlags {
  topicsRegex?: string;
  targetSchema?: string;
  group: string;
  from: SinkFrom;
  exitAtEnd?: boolean;
  current?: boolean;
  batchSize: string;
  maxWait: string;
  onError: 'stop' | 'skip';
  sessionTimeout?: number;
  json?: boolean;
}

/** The checked options of one run. */
export interface SinkPostgresOptions {
  topics: string[];
  topicsRegex?: string;
  targetSchema?: string;
  group: string;
  from: SinkFrom;
  exitAtEnd: boolean;
  current: boolean;
  batchSize: number;
  maxWaitMs: number;
  onError: 'stop' | 'skip';
  sessionTimeoutMs?: number;
  json: boolean;
}

export function checkSinkPostgresFlags(topics: string[], flags: SinkPostgresFlags): SinkPostgresOptions {
  if (topics.length === 0 && !flags.topicsRegex)
    throw new UsageError('name the topics to sink, or pass --topics-regex', 'e.g. cdc sink postgres dbserver1.finance.orders --target-url …');
  if (!flags.group.trim()) throw new UsageError('--group must not be empty');
  return {
    topics,
    topicsRegex: flags.topicsRegex,
    targetSchema: flags.targetSchema === undefined ? undefined : parseIdentifier(flags.targetSchema, '--target-schema'),
    group: flags.group,
    from: flags.from,
    exitAtEnd: Boolean(flags.exitAtEnd),
    current: Boolean(flags.current),
    batchSize: wholeNumber(flags.batchSize, '--batch-size', 1, 100_000),
    maxWaitMs: wholeNumber(flags.maxWait, '--max-wait', 0, MAX_WAIT_MS),
    onError: flags.onError,
    sessionTimeoutMs: secondsToMs(flags.sessionTimeout),
    json: Boolean(flags.json),
  };
}

export function registerSinkPostgres(sink: Command, ctx: Context): void {
  addKafkaOptions(
    addTargetOptions(
      sink
        .command('postgres')
        .description('land Debezium change events in a target PostgreSQL as SCD2 <table>_history tables, exactly once')
        .argument('[topic...]', 'Debezium topics, e.g. dbserver1.finance.orders')
        .option('--topics-regex <re>', "also every topic whose whole name matches, e.g. 'dbserver1\\.finance\\..*'"),
    ),
  )
    .option('--target-schema <name>', "schema of the history tables (default: the source table's schema)")
    .option(
      '-g, --group <name>',
      'consumer group: processes with one group split the partitions; its offsets live in the target (cdc_sink.offsets)',
      DEFAULT_GROUP,
    )
    .addOption(
      new Option('--from <where>', 'where partitions with no stored offset start; stored: refuse to start without any')
        .choices(['beginning', 'end', 'stored'])
        .default('beginning'),
    )
    .option('-e, --exit-at-end', 'stop at the end of the topics as they were at the start')
    .option('--current', 'also keep <table>: a plain mirror of the current rows')
    .option('--batch-size <n>', 'at most this many records per transaction', String(DEFAULT_BATCH_SIZE))
    .option(
      '--max-wait <ms>',
      'the longest a partial batch waits for more records before it is written: a batch closes at --batch-size or after --max-wait, whichever first (0: write what each fetch brings)',
      String(DEFAULT_MAX_WAIT_MS),
    )
    .addOption(
      new Option('--on-error <mode>', 'a record that is not a usable event: stop (exit 3; nothing past it committed) or skip (reported, committed past)')
        .choices(['stop', 'skip'])
        .default('stop'),
    )
    .addOption(sessionTimeoutOption())
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Each source table <schema>.<table> gets <target-schema>.<table>_history: the source columns, then
valid_from, valid_to (null while current), is_current, operation_type (INSERT, UPDATE, DELETE) and
lineage (_source_lsn, _source_op, _source_txid, _kafka_topic, _kafka_partition, _kafka_offset).
A row as it was at time T:  WHERE valid_from <= T AND (valid_to > T OR valid_to IS NULL)

Every batch is one transaction with the group's offsets (cdc_sink.offsets): kill -9 at any moment,
restart, and the history is as if nothing happened. Events already applied, and snapshot rows older
than what the history has, change nothing and are counted.

Examples:
  $ eval "$(cdc stack env)"                                  # CDC_BROKERS, CDC_TARGET_URL
  $ cdc sink postgres --topics-regex 'dbserver1\\.finance\\..*' --target-schema analytics --current
  $ cdc sink postgres dbserver1.bank.holding --exit-at-end --json | jq .tables
  $ cdc sink status`,
    )
    .action(async (topics: string[], flags: SinkPostgresFlags) => {
      await runSinkPostgres(ctx, checkSinkPostgresFlags(topics, flags));
    });
}

async function runSinkPostgres(ctx: Context, options: SinkPostgresOptions): Promise<void> {
  const target = ctx.settings.target;
  const { sinkTopics } = await import('../../src/sink/topics');
  const topics = await sinkTopics(ctx.settings.kafka, options.topics, options.topicsRegex);
  const { PostgresSink } = await import('../../src/sink/postgres/sink');
  const sink = await PostgresSink.open(target, { targetSchema: options.targetSchema, current: options.current, onError: options.onError });
  await runSinkCommand(ctx, {
    target: sink,
    run: {
      topics,
      group: options.group,
      from: options.from,
      exitAtEnd: options.exitAtEnd,
      batchSize: options.batchSize,
      maxWaitMs: options.maxWaitMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
    },
    json: options.json,
    startText: `sink: connecting to ${topics.length} topic(s)`,
    document: (summary) => summaryDocument(summary, options.group, target.display),
    lines: (summary) => summaryLines(summary),
  });
}
