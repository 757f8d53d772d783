/**
 * `cdc sink s3`: Debezium topics → objects in S3 or an S3-compatible store (MinIO), as JSON lines,
 * gzip'd JSON lines or Parquet, with idempotent object names. Flags are checked here before
 * anything connects; src/sink/s3 does the work.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import type { SinkFrom, SinkRunSummary } from '../../src/sink';
import type { ObjectFormat } from '../../src/sink/s3/encode';
import type { PartitionBy } from '../../src/sink/s3/naming';
import type { Shape } from '../../src/sink/s3/shape';
import type { SinkOp } from '../../src/sink';
import { note } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';
import { addKafkaOptions, addS3Options } from '../ui/settings-flags';
import { secondsToMs, sessionTimeoutOption } from '../ui/flags';
import { sinkOps, wholeNumber } from './options';
import { summaryDocument } from './render';
import { runSinkCommand } from './run';

interface SinkS3Flags {
  topicsRegex?: string;
  bucket?: string;
  prefix: string;
  pathStyle?: boolean;
  createBucket?: boolean;
  format: ObjectFormat;
  shape: Shape;
  partitionBy: string;
  flushSize: string;
  rotateInterval?: string;
  bufferMemory: string;
  op: string;
  group: string;
  from: SinkFrom;
  exitAtEnd?: boolean;
  onError: 'stop' | 'skip';
  timeout: string;
  sessionTimeout?: number;
  json?: boolean;
}

export interface SinkS3Options {
  topics: string[];
  topicsRegex?: string;
  bucket: string;
  prefix: string;
  pathStyle?: boolean;
  createBucket: boolean;
  format: ObjectFormat;
  shape: Shape;
  partitionBy: PartitionBy;
  flushSize: number;
  rotateIntervalMs?: number;
  /** Bytes. */
  bufferMemory: number;
  ops: Set<SinkOp>;
  group: string;
  from: SinkFrom;
  exitAtEnd: boolean;
  onError: 'stop' | 'skip';
  timeoutMs: number;
  sessionTimeoutMs?: number;
  json: boolean;
}

function partitionBy(text: string): PartitionBy {
  if (text === 'none' || text === 'date' || text === 'hour') return { kind: text };
  const field = /^field:(.+)$/.exec(text);
  if (field && field[1].trim() !== '') return { kind: 'field', name: field[1] };
  throw new UsageError(`--partition-by must be none, date, hour or field:NAME, got ${JSON.stringify(text)}`);
}

export function checkSinkS3Flags(topics: string[], flags: SinkS3Flags): SinkS3Options {
  if (topics.length === 0 && !flags.topicsRegex)
    throw new UsageError('name the topics to sink, or pass --topics-regex', 'e.g. cdc sink s3 retail.public.customers --bucket cdc');
  if (flags.bucket === undefined) throw new UsageError('--bucket is required', "the local stack's bucket is cdc (cdc stack up --with s3)");
  // S3's bucket naming rules: 3–63 lower-case letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(flags.bucket) || flags.bucket.includes('..')) {
    throw new UsageError(`--bucket ${JSON.stringify(flags.bucket)} is not a valid bucket name (3–63 characters: a-z, 0-9, '.', '-')`);
  }
  const prefix = flags.prefix.replace(/^\/+|\/+$/g, '');
  if (/[\u0000-\u001f\\]/.test(prefix) || prefix.split('/').some((p) => p === '..' || p === '.'))
    throw new UsageError(`--prefix ${JSON.stringify(flags.prefix)} is not a usable key prefix`);
  if (!flags.group.trim()) throw new UsageError('--group must not be empty');
  return {
    topics,
    topicsRegex: flags.topicsRegex,
    bucket: flags.bucket,
    prefix,
    pathStyle: flags.pathStyle,
    createBucket: Boolean(flags.createBucket),
    format: flags.format,
    shape: flags.shape,
    partitionBy: partitionBy(flags.partitionBy),
    flushSize: wholeNumber(flags.flushSize, '--flush-size', 1, 1_000_000),
    rotateIntervalMs: flags.rotateInterval === undefined ? undefined : wholeNumber(flags.rotateInterval, '--rotate-interval', 1, 86_400_000),
    bufferMemory: wholeNumber(flags.bufferMemory, '--buffer-memory', 0, 1_048_576) * 1024 * 1024,
    ops: sinkOps(flags.op),
    group: flags.group,
    from: flags.from,
    exitAtEnd: Boolean(flags.exitAtEnd),
    onError: flags.onError,
    timeoutMs: wholeNumber(flags.timeout, '--timeout', 1, 3600) * 1000,
    sessionTimeoutMs: secondsToMs(flags.sessionTimeout),
    json: Boolean(flags.json),
  };
}

export function registerSinkS3(sink: Command, ctx: Context): void {
  addKafkaOptions(
    addS3Options(
      sink
        .command('s3')
        .description('land Debezium change events in S3 or MinIO as JSON lines or Parquet, with idempotent object names')
        .argument('[topic...]', 'Debezium topics, e.g. retail.public.customers')
        .option('--topics-regex <re>', 'also every topic whose whole name matches'),
    ),
  )
    .option('--bucket <name>', 'the bucket (required)')
    .option('--prefix <path>', 'key prefix for every object', '')
    .option('--path-style', 'bucket in the URL path (MinIO and other local endpoints; the default when an endpoint is set)')
    .option('--create-bucket', 'create the bucket when it does not exist')
    .addOption(new Option('--format <format>', 'object format').choices(['jsonl', 'jsonl.gz', 'parquet']).default('jsonl'))
    .addOption(
      new Option(
        '--shape <shape>',
        "flat: before_<col>/after_<col> + op, ts_ms, table, LSN, Kafka coordinates; envelope: Debezium's record; pivot: holding_pivot rows",
      )
        .choices(['flat', 'envelope', 'pivot'])
        .default('flat'),
    )
    .option('--partition-by <how>', 'none, date, hour (commit time, UTC) or field:NAME', 'none')
    .option('--flush-size <n>', 'records per object window: objects cover offsets [kN, (k+1)N) of a partition', '10000')
    .option('--rotate-interval <ms>', 'also upload an open window once it is this old (it is rewritten, same name, when complete)')
    .option('--buffer-memory <MiB>', "open windows' rows kept in memory, all partitions together; the rest wait in a temp file (0: all on disk)", '64')
    .option('--op <ops>', 'operations to keep: c, r, u, d, t', 'c,r,u,d,t')
    .option('-g, --group <name>', 'consumer group: processes with one group split the partitions; positions live in the bucket (_cdc/offsets/)', 'cdc-sink-s3')
    .addOption(new Option('--from <where>', 'where partitions with no stored position start').choices(['beginning', 'end', 'stored']).default('beginning'))
    .option('-e, --exit-at-end', 'stop at the end of the topics as they were at the start')
    .addOption(
      new Option('--on-error <mode>', 'a record that is not a usable event: stop (exit 3) or skip (reported)').choices(['stop', 'skip']).default('stop'),
    )
    .option('--timeout <seconds>', 'per S3 request: an endpoint that does not answer fails in this time', '30')
    .addOption(sessionTimeoutOption())
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Objects: <prefix>/<topic>/<partition-by path>/<topic>+<partition>+<first offset>.<ext>. Which
records share an object depends only on their offsets (windows of --flush-size) and the partition-by
path, and the same records give the same bytes: after a crash the sink rewrites the same names with
the same content, with no duplicates and no gaps. The position is stored in the bucket only after
the objects it covers are uploaded. Memory: open windows' rows up to --buffer-memory (estimated
encoded size), however many partitions are open; beyond it they wait in a temp file.

Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (never printed); endpoint AWS_ENDPOINT_URL_S3
or --endpoint; region AWS_REGION or --region. \`cdc stack env\` exports the local stack's.

Examples:
  $ eval "$(cdc stack env)"                                  # brokers, S3 endpoint and keys
  $ cdc sink s3 retail.public.customers --bucket cdc --exit-at-end
  $ cdc sink s3 dbserver1.bank.holding --bucket cdc --format parquet --partition-by date
  $ cdc sink s3 dbserver1.bank.holding --bucket cdc --shape pivot --format jsonl.gz --op u`,
    )
    .action(async (topics: string[], flags: SinkS3Flags) => {
      await runSinkS3(ctx, checkSinkS3Flags(topics, flags));
    });
}

async function runSinkS3(ctx: Context, options: SinkS3Options): Promise<void> {
  const s3 = ctx.settings.s3;
  const { sinkTopics } = await import('../../src/sink/topics');
  const topics = await sinkTopics(ctx.settings.kafka, options.topics, options.topicsRegex);
  const { Bucket } = await import('../../src/sink/s3/store');
  const { S3Sink } = await import('../../src/sink/s3/sink');
  const bucket = await Bucket.open({ bucket: options.bucket, settings: s3, timeoutMs: options.timeoutMs, pathStyle: options.pathStyle });
  const display = `s3://${options.bucket}/${options.prefix}${s3.endpoint ? ` at ${s3.endpoint.value}` : ''}`;
  const sink = new S3Sink(bucket, {
    prefix: options.prefix,
    format: options.format,
    shape: options.shape,
    partitionBy: options.partitionBy,
    flushSize: options.flushSize,
    rotateIntervalMs: options.rotateIntervalMs,
    bufferMemory: options.bufferMemory,
    ops: options.ops,
    onError: options.onError,
  });
  await runSinkCommand(ctx, {
    target: sink,
    run: {
      topics,
      group: options.group,
      from: options.from,
      exitAtEnd: options.exitAtEnd,
      batchSize: Math.min(options.flushSize, 5000),
      sessionTimeoutMs: options.sessionTimeoutMs,
    },
    json: options.json,
    startText: `sink: checking ${display}`,
    prepare: async () => {
      if ((await bucket.check(options.createBucket)) === 'created') note(ctx, `created bucket ${options.bucket}`);
    },
    liveSuffix: () => ` · ${sink.uploaded.objects} objects`,
    document: (summary) => ({
      ...summaryDocument(summary, options.group, display),
      uploads: sink.uploaded.objects,
      uploadedBytes: sink.uploaded.bytes,
      uploadedRows: sink.uploaded.rows,
      // The latest uploads by name (at most LISTED_UPLOADS; `uploads` counts all of them).
      objects: sink.recentUploads.map((o) => ({ key: o.key, rows: o.rows, bytes: o.bytes })),
      rowsSpilled: sink.spilledRows,
    }),
    lines: (summary) => summaryLines(summary, display, sink.uploaded.objects, sink.uploaded.bytes, sink.spilledRows),
  });
}

function summaryLines(summary: SinkRunSummary, display: string, objects: number, bytes: number, spilled: number): string[] {
  const c = summary.counts;
  const n = (v: number) => v.toLocaleString('en-US');
  const how = summary.reason === 'end' ? 'reached the end' : summary.reason === 'interrupted' ? 'interrupted' : 'stopped';
  return [
    `cdc sink s3: ${how} — ${n(c.records)} records in ${(summary.elapsedMs / 1000).toFixed(1)} s into ${sanitizeForTerminal(display)}; ${n(objects)} uploads (${n(bytes)} bytes), ${n(c.changes)} changes, ${n(c.tombstones)} tombstones${c.bad ? `, ${n(c.bad)} bad records skipped` : ''}${spilled ? `; ${n(spilled)} rows waited on disk (--buffer-memory)` : ''}`,
  ];
}
