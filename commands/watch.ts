/**
 * `cdc watch <topic…>`: a Debezium-aware topic viewer. Pretty, decoded blocks on a terminal; the
 * record values as JSON lines in a pipe, so `cdc watch T --exit-at-end | cdc parse` works.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, ServiceError, UsageError } from '../src/errors';
import type { PartitionProgress } from '../src/kafka/consume';
import type { OnError, Output, WatchSummary } from '../src/watch/consume';
import type { DisplayMode } from '../src/watch/view';
import { stdoutBulkWriter } from './ui/bulk-writer';
import { note, verbose, warn } from './ui/output';
import { intFlag, MAX_SECONDS, repeatable, secondsToMs, sessionTimeoutOption } from './ui/flags';
import { addKafkaOptions } from './ui/settings-flags';
import { sanitizeForTerminal, stderrStyle } from './ui/style';
import { summaryLine, writerFor, type Format } from './watch/output';
import { interruptible } from './ui/interrupt';

const FORMATS: readonly Format[] = ['pretty', 'jsonl', 'records'];
/**
 * Output allowed to wait for the pipe without --group (about two 8 MB fetches): the next fetch
 * and its decoding overlap the writing. 0.4 s less per 670 MB replay, about 20 MB more memory
 * (BENCHMARKS.md, `cdc watch`).
 */
const WRITE_AHEAD_BYTES = 16 * 1024 * 1024;

interface WatchFlags {
  from?: string;
  since?: string;
  partition?: string;
  group?: string;
  maxMessages?: number;
  exitAtEnd?: boolean;
  op?: string;
  table?: string[];
  key?: string[];
  output?: Format;
  changes?: boolean;
  full?: boolean;
  raw?: boolean;
  reconnectFor?: number;
  sessionTimeout?: number;
  quiet?: boolean;
  onError?: OnError;
}

/** Repeatable options; their values are checked by src/watch/filters before anything is read. */
const collect = repeatable();

export function registerWatch(program: Command, ctx: Context): void {
  const command = program
    .command('watch')
    .description('show the change events of Kafka topics: decoded and coloured on a terminal, JSON lines in a pipe')
    .argument('<topic...>', 'topics to read, e.g. dbserver1.bank.holding')
    .option('--from <position>', 'where to start: beginning (default), end (new events only), an offset (42), or -N (the last N of each partition)')
    .option('--since <time>', 'start at the first event at or after a time: 10m, 2h, 1d ago, or ISO-8601 (2026-01-02T03:04:05Z)')
    .option('-p, --partition <list>', 'only these partitions, e.g. 0 or 0,2 (not with --group)')
    .option(
      '-g, --group <id>',
      'consume as this consumer group: partitions are shared with other members, offsets are committed after the output is written, and a restart carries on where the group stopped',
    )
    .option('-n, --max-messages <n>', 'stop after writing N events (counted after filters)', intFlag('--max-messages'))
    .option('-e, --exit-at-end', 'stop at the end of the topic as it was when watch started')
    .option('--op <ops>', 'only these operations: c,u,d,r,t,m and tombstone (x)')
    .option('--table <name>', 'only events of this table (table or schema.table; repeatable)', collect)
    .option('--key <match>', 'only events whose key has field=value, or any key field equal to value (repeatable)', collect)
    .addOption(
      new Option(
        '-o, --output <format>',
        'pretty (default on a terminal), jsonl (default in a pipe: the record values, one per line), records (one object per line with topic, partition, offset, timestamp, key, headers, value)',
      ).choices(FORMATS),
    )
    .option('--changes', 'pretty: show updates as the changed columns only, old → new')
    .option('--full', 'pretty: show the whole record value, schema included, undecoded')
    .option('--raw', 'pretty: show the record value exactly as stored');
  addKafkaOptions(command)
    .option(
      '--reconnect-for <seconds>',
      'how long to keep reconnecting when Kafka goes away mid-stream',
      intFlag('--reconnect-for', { min: 1, max: MAX_SECONDS }),
      120,
    )
    .addOption(sessionTimeoutOption())
    .addOption(
      new Option(
        '--on-error <mode>',
        'a record that cannot be shown (e.g. nested too deeply): stop (default) names it and ends with exit 3, everything before it written (and committed); skip reports it on stderr and goes on',
      ).choices(['stop', 'skip']),
    )
    .option('-q, --quiet', 'no summary and no assignment notes on stderr')
    .addHelpText(
      'after',
      `
Where it starts: without --group, at the beginning of every partition (the whole changelog, as
\`| cdc parse\` needs); --from end shows new events only. With --group, where the group's committed
offsets are; partitions the group has never read start at the beginning (or the end with --from end).
Without --group a private, throw-away consumer group is used and nothing is committed.

Output: on a terminal, one block per event (header: topic, partition@offset, commit time, operation,
key; then the payload with decoded values: timestamps as ISO-8601, decimals exact, JSON columns
nested, unchanged TOAST columns as (unchanged)). In a pipe, the record values exactly as Debezium
wrote them, one per line, tombstones as null.

With --group, offsets are committed after every write (of at most 250 events): a kill -9 can make
the next run repeat at most the last 500 events written, and never loses one.

Ctrl-C stops cleanly: the events read so far are written (and with --group committed), a summary
goes to stderr, and the exit code is 130 (interrupted). --exit-at-end and --max-messages end with 0.

Examples:
  $ cdc watch dbserver1.bank.holding                       # everything so far, then follow
  $ cdc watch dbserver1.bank.holding --from end --changes  # new events; updates as old → new
  $ cdc watch dbserver1.bank.holding --op u,d --key holding_id=1000
  $ cdc watch dbserver1.bank.holding --since 10m -n 20
  $ cdc watch dbserver1.bank.holding --exit-at-end | cdc parse > holding_pivot.txt
  $ cdc watch dbserver1.bank.holding --group pivot | cdc parse   # run twice to share the partitions`,
    )
    .action(async (topics: string[], flags: WatchFlags) => {
      await runWatch(ctx, topics, flags);
    });
}

async function runWatch(ctx: Context, topics: string[], flags: WatchFlags): Promise<void> {
  const { parseFrom, parseSince, parsePartitions, DEFAULT_START } = await import('../src/watch/positions');
  const { buildFilter, parseOps } = await import('../src/watch/filters');
  if (flags.from !== undefined && flags.since !== undefined) throw new UsageError('--from and --since cannot be combined');
  const start = flags.since !== undefined ? parseSince(flags.since, ctx.now()) : flags.from !== undefined ? parseFrom(flags.from) : DEFAULT_START;
  if (flags.group !== undefined && (start.kind === 'offset' || start.kind === 'tail' || start.kind === 'time')) {
    throw new UsageError(
      "--group carries on from the group's committed offsets; --since and --from <offset> do not apply",
      "drop --group to read from a position, or reset the group's offsets",
    );
  }
  for (const topic of topics) {
    // Kafka's own rule for topic names: otherwise every broker would answer 'does not exist'.
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
      throw new UsageError(`'${sanitizeForTerminal(topic)}' is not a Kafka topic name`, 'topic names are 1–249 letters, digits, dots, underscores and hyphens');
    }
  }
  if (flags.group !== undefined && flags.group.trim() === '') throw new UsageError('--group needs a group name, got an empty one');
  if (flags.group !== undefined && flags.partition !== undefined) {
    throw new UsageError('--partition cannot be combined with --group: the group assigns the partitions');
  }
  if (flags.group === undefined && flags.sessionTimeout !== undefined) {
    throw new UsageError('--session-timeout needs --group', 'without --group the watch has no group to share: nothing waits for a killed watch');
  }
  const maxMessages = flags.maxMessages;
  const reconnectForMs = (flags.reconnectFor ?? 120) * 1000;
  if ([flags.changes, flags.full, flags.raw].filter(Boolean).length > 1) throw new UsageError('choose one of --changes, --full and --raw');
  const format: Format = flags.output ?? (ctx.stdoutIsTTY ? 'pretty' : 'jsonl');
  const mode: DisplayMode = flags.full ? 'full' : flags.raw ? 'raw' : flags.changes ? 'changes' : 'payload';
  const accept = buildFilter({ ops: flags.op === undefined ? undefined : parseOps(flags.op), tables: flags.table, keys: flags.key });

  const settings = ctx.settings.kafka;

  const render = await writerFor(ctx, format, mode);
  const controller = new AbortController();
  let outputError: NodeJS.ErrnoException | undefined;
  const onOutputError = (err: NodeJS.ErrnoException) => {
    outputError ??= err;
    controller.abort();
  };
  ctx.stdout.on('error', onOutputError);
  // By descriptor from the thread pool into a pipe or file. With --group a write resolves once the
  // bytes are handed to the OS (its offsets are committed then); without, up to WRITE_AHEAD_BYTES wait.
  const output = stdoutBulkWriter(ctx, onOutputError, flags.group === undefined ? WRITE_AHEAD_BYTES : 0);
  const write = (data: Output) => (outputError ? Promise.resolve() : output.write(data));
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  const interrupt = interruptible(ctx);
  interrupt.addEventListener('abort', onSignal, { once: true });

  const { watchTopics } = await import('../src/watch/consume');
  const styleErr = stderrStyle(ctx);
  let summary: WatchSummary;
  try {
    summary = await watchTopics(
      settings,
      {
        topics,
        start,
        partitions: flags.partition === undefined ? undefined : parsePartitions(flags.partition),
        group: flags.group,
        exitAtEnd: Boolean(flags.exitAtEnd),
        maxMessages,
        accept,
        reconnectForMs,
        sessionTimeoutMs: secondsToMs(flags.sessionTimeout),
        onError: flags.onError ?? 'stop',
      },
      {
        render,
        write,
        onSkipped: (error) => warn(ctx, `skipped ${sanitizeForTerminal(error.message)}`),
        log: ctx.verbose ? (level, message) => verbose(ctx, `[${level}] ${message}`) : undefined,
        onAssigned: (assigned) => {
          const text = assignmentText(assigned);
          if (flags.group !== undefined && !flags.quiet) note(ctx, styleErr.dim(`cdc watch: group ${flags.group} assigned ${sanitizeForTerminal(text)}`));
          else verbose(ctx, `reading ${text}`);
          // A terminal with nothing to show looks hung: say what it waits for.
          if (ctx.stderrIsTTY && !flags.quiet && !flags.exitAtEnd && assigned.length > 0 && assigned.every((p) => p.lag === 0n)) {
            note(ctx, styleErr.dim(`cdc watch: waiting for new events on ${sanitizeForTerminal(text)} (Ctrl-C to stop)`));
          }
        },
        onReconnecting: (message) => warn(ctx, message),
      },
      controller.signal,
    );
  } finally {
    // What was read and rendered is written, whatever ended the run.
    await output.flushed();
    interrupt.removeEventListener('abort', onSignal);
    ctx.stdout.removeListener('error', onOutputError);
  }
  if (outputError && outputError.code !== 'EPIPE') {
    throw new ServiceError(`cannot write the output: ${outputError.message}`, { cause: outputError });
  }
  if (outputError) return; // the reader went away (`| head`): not an error
  if (!flags.quiet) note(ctx, styleErr.dim(summaryLine(summary, interrupted ? 'interrupted' : summary.reason)));
  if (interrupted) throw new ExitStatus(ExitCode.INTERRUPTED);
}

/** `topic [0,1,2], other [0]` (or `nothing`), from partitions in topic order. */
function assignmentText(assigned: PartitionProgress[]): string {
  const topics = [...new Set(assigned.map((p) => p.topic))];
  return (
    topics
      .map(
        (t) =>
          `${t} [${assigned
            .filter((p) => p.topic === t)
            .map((p) => p.partition)
            .join(',')}]`,
      )
      .join(', ') || 'nothing'
  );
}
