/**
 * `cdc parse`: Debezium change events (stdin or files) to holding_pivot rows on stdout. Problems,
 * notes and the summary go to stderr; exit 3 when a record was invalid (unless --skip-invalid).
 */
import { type Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import type { Note, ParseBatch, ParseSummary, ParseRunOptions } from '../src/parse';
import { ProblemDigest, SHOWN_PER_REASON } from '../src/parse/problems';
import { stderrStyle, sanitizeForTerminal } from './ui/style';
import { argText, intFlag, repeatable } from './ui/flags';

interface ParseFlags {
  format: 'text' | 'csv' | 'jsonl';
  identity: string;
  fields: string;
  createdColumn: string;
  changedOnly?: boolean;
  skipSnapshot?: boolean;
  rawValues?: boolean;
  processedAt?: string;
  skipInvalid?: boolean;
  strict?: boolean;
  summary: 'text' | 'json' | 'none';
  threads?: number;
}

const EXAMPLES = `
Examples:
  # the tutorials' pipeline, without the hand-written parser
  kcat -b localhost:9092 -t dbserver1.bank.holding -C -u | cdc parse > holding_pivot.txt
  cdc parse fixtures/holding-events.jsonl
  cdc parse --format csv --skip-snapshot events.jsonl > holding_pivot.csv
  # any table: name its key columns and the fields to track (* = all other columns)
  cdc parse --identity id --fields '*' --changed-only --format jsonl fixtures/customers-events.jsonl
  # reproducible output (datetime_inserted fixed)
  cdc parse --processed-at 2026-01-01T00:00:00Z fixtures/holding-events.jsonl

Accepted per record: {"schema":…,"payload":…} envelopes, schemaless payloads, kcat -J envelopes,
ExtractNewRecordState rows (__op, __deleted), pretty-printed multi-line JSON (jq), tombstones
(null, empty lines). Rows: c/r → new value; u → old and new, datetime_updated; d → old value,
datetime_deleted (event time = source.ts_ms, the commit time). Values are decoded with the event's
schema (timestamps to ISO-8601, decimals exact, Json nested); unchanged TOASTed columns are never
written as a value. Exit 3 when a record was invalid (each is reported on stderr with its line).`;

export function registerParse(program: Command, ctx: Context): void {
  program
    .command('parse')
    .description('Turn Debezium change events into holding_pivot rows (one row per tracked field per event)')
    .argument('[files...]', 'files of change events (- or none: stdin)', repeatable(argText('FILE', 'name a file of change events, or - for stdin')))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'csv', 'jsonl']).default('text'))
    .option('--identity <columns>', 'comma-separated columns that identify a row', 'holding_id,user_id')
    .option('--fields <columns>', "comma-separated columns to track, or '*' for all non-identity columns", 'holding_stock,holding_quantity')
    .option('--created-column <column>', 'column that gives datetime_created on c/r rows', 'datetime_created')
    .option('--changed-only', 'drop update rows whose value did not change')
    .option('--skip-snapshot', 'skip snapshot reads (op r)')
    .option('--raw-values', "keep Debezium's encoding (base64 decimals, epoch timestamps)")
    .option('--processed-at <time>', 'fix datetime_inserted to this ISO-8601 time (default: now)')
    .option('--skip-invalid', 'exit 0 even when records were invalid (they are still reported)')
    .option('--strict', 'stop at the first invalid record')
    .addOption(new Option('--summary <format>', 'summary on stderr').choices(['text', 'json', 'none']).default('text'))
    .option(
      '--threads <n>',
      'threads that parse a large file (default: one per free core, up to 4, for files from 32 MiB; 1: none); output is the same',
      intFlag('--threads', { min: 1, max: 64 }),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: ParseFlags) => {
      const options = toRunOptions(flags, ctx);
      const { openInputs, parseEvents } = await import('../src/parse');
      const inputs = openInputs(files, () => ctx.stdin, ctx.cwd);
      if ((files.length === 0 || files.includes('-')) && ctx.stdinIsTTY) {
        ctx.stderr.write(`${stderrStyle(ctx).dim('reading change events from the terminal; end with Ctrl-D (or name files: cdc parse FILE…)')}\n`);
      }
      const digest = new ProblemDigest();
      const summary = await writeBatches(ctx, parseEvents(inputs, options), digest);
      if (!summary) return; // stdout closed (e.g. `| head`): stop quietly
      reportHidden(ctx, digest);
      reportSummary(ctx, summary, flags.summary);
      if (summary.stopped || (summary.invalid > 0 && !flags.skipInvalid)) throw new ExitStatus(ExitCode.INVALID_INPUT);
    });
}

function toRunOptions(flags: ParseFlags, ctx: Context): ParseRunOptions {
  if (flags.strict && flags.skipInvalid) throw new UsageError('--strict and --skip-invalid contradict each other');
  const identity = splitColumns(flags.identity, '--identity');
  const fields = flags.fields.trim() === '*' ? '*' : splitColumns(flags.fields, '--fields');
  let processedAt: string | undefined;
  if (flags.processedAt !== undefined) {
    const at = new Date(flags.processedAt);
    if (!/^\d{4}-\d{2}-\d{2}/.test(flags.processedAt) || Number.isNaN(at.getTime())) {
      throw new UsageError(`--processed-at: not an ISO-8601 time: ${flags.processedAt}`, 'e.g. --processed-at 2026-01-01T00:00:00Z');
    }
    processedAt = at.toISOString();
  }
  return {
    threads: flags.threads,
    identity,
    fields,
    createdColumn: flags.createdColumn,
    changedOnly: Boolean(flags.changedOnly),
    rawValues: Boolean(flags.rawValues),
    format: flags.format,
    skipSnapshot: Boolean(flags.skipSnapshot),
    strict: Boolean(flags.strict),
    processedAt,
    now: () => ctx.now(),
  };
}

function splitColumns(list: string, option: string): string[] {
  const columns = list
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (columns.length === 0) throw new UsageError(`${option} needs at least one column name`);
  return columns;
}

/** Writes each batch as it comes, waiting for stdout to drain. Returns undefined when stdout closed early. */
async function writeBatches(ctx: Context, batches: AsyncGenerator<ParseBatch, ParseSummary>, digest: ProblemDigest): Promise<ParseSummary | undefined> {
  const style = stderrStyle(ctx);
  let closed = false;
  let failure: Error | undefined;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else failure = err;
  };
  ctx.stdout.on('error', onError);
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      const batch = next.value;
      // Problems and notes in line order, so what is said does not depend on where batches end.
      let n = 0;
      for (const problem of batch.problems) {
        for (; n < batch.notes.length && batch.notes[n].line < problem.line; n++) writeNote(ctx, batch.notes[n]);
        if (!digest.admit(problem.reason)) continue;
        ctx.stderr.write(`${style.red('invalid')} ${sanitizeForTerminal(`${problem.source}:${problem.line}: ${problem.reason}`)}\n`);
      }
      for (; n < batch.notes.length; n++) writeNote(ctx, batch.notes[n]);
      // Event values are untrusted: on a terminal, control characters (ANSI escapes) are shown, not obeyed.
      const output = ctx.stdoutIsTTY ? sanitizeForTerminal(batch.output.toString().replace(/\r\n/g, '\n')) : batch.output;
      if (output.length && !closed && !ctx.stdout.write(output)) await drained(ctx.stdout);
      if (failure) throw failure;
      if (closed) {
        await batches.return(undefined as never);
        return undefined;
      }
    }
  } finally {
    ctx.stdout.off('error', onError);
  }
}

function writeNote(ctx: Context, note: Note): void {
  ctx.stderr.write(`${stderrStyle(ctx).yellow('note:')} ${note.text} (first at ${sanitizeForTerminal(note.source)}:${note.line})\n`);
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/** One line per kind of reason whose records were not all shown. */
function reportHidden(ctx: Context, digest: ProblemDigest): void {
  const style = stderrStyle(ctx);
  for (const { kind, count } of digest.hidden()) {
    ctx.stderr.write(
      `${style.red('invalid')} ${count} more record${count === 1 ? '' : 's'} not shown: ${sanitizeForTerminal(kind)} (the first ${SHOWN_PER_REASON} of each reason are shown)\n`,
    );
  }
}

function reportSummary(ctx: Context, summary: ParseSummary, format: ParseFlags['summary']): void {
  if (format === 'none') return;
  if (format === 'json') {
    ctx.stderr.write(JSON.stringify(summary) + '\n');
    return;
  }
  const style = stderrStyle(ctx);
  const skipped = Object.entries(summary.skipped)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const parts = [
    `${summary.records} records`,
    `${summary.events} events`,
    `${summary.rows} rows`,
    skipped.length ? `skipped: ${skipped.join(', ')}` : 'skipped: 0',
    summary.invalid ? style.red(`${summary.invalid} invalid`) : '0 invalid',
  ];
  ctx.stderr.write(`parse: ${parts.join('; ')}${summary.stopped ? ' (stopped at the first invalid record: --strict)' : ''}\n`);
}
