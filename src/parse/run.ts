/**
 * `cdc parse` as a stream: input chunks in, formatted holding_pivot text and problems out, one batch
 * per input chunk, so a live pipe sees each row as soon as its event arrives and memory stays bounded
 * however long the input is. The caller writes the batches (and waits for the output to drain).
 */
import { classifyRecord, createEventTextParser, type ChangeEvent, type EventTextParser } from '../debezium';
import { createFormatter, type OutputFormat, type RowFormatter } from './format';
import { pivotEvent, type PivotNote, type PivotOptions, type PivotRow } from './pivot';
import type { ByteRecord, RecordSplitter, SplitItem, TextRecord } from './records';

export interface ParseInput {
  /** Shown in problem reports: a file name, or `stdin`. */
  name: string;
  chunks: AsyncIterable<Buffer | string>;
  /** A regular file's path and size: large ones may be parsed by worker threads (never stdin or a pipe). */
  file?: { path: string; size: number };
}

export interface ParseRunOptions extends PivotOptions {
  format: OutputFormat;
  skipSnapshot: boolean;
  /** Stop at the first invalid record. */
  strict: boolean;
  /** Fixed datetime_inserted (reproducible output); otherwise the clock, per batch. */
  processedAt?: string;
  now: () => Date;
  maxRecordBytes?: number;
  /** Threads that parse a large file (the main thread and threads − 1 workers): 0 = automatic, 1 = one thread. */
  threads?: number;
}

export interface Problem {
  source: string;
  line: number;
  reason: string;
}

export interface Note {
  key: PivotNote;
  source: string;
  line: number;
  text: string;
}

export interface ParseBatch {
  /** Formatted rows: a string, or UTF-8 bytes when a worker thread made them. */
  output: string | Buffer;
  problems: Problem[];
  notes: Note[];
}

export const SKIP_KINDS = ['tombstone', 'snapshot', 'truncate', 'message', 'heartbeat', 'transaction'] as const;
export type SkipKind = (typeof SKIP_KINDS)[number];

export interface ParseSummary {
  records: number;
  events: number;
  rows: number;
  skipped: Record<SkipKind, number>;
  invalid: number;
  /** True when --strict stopped at an invalid record. */
  stopped: boolean;
  /** Threads that parsed the input, the main thread included (absent when one thread did it all). */
  threads?: number;
}

const NOTE_TEXT: Record<PivotNote, string> = {
  'before-missing':
    'update events without `before` (REPLICA IDENTITY DEFAULT): their old_value is empty. ALTER TABLE … REPLICA IDENTITY FULL captures old values',
  'flattened-update':
    'update rows flattened by ExtractNewRecordState carry no `before`: their old_value is empty. Parse the unflattened envelopes for old values',
  'before-keys-only':
    'delete events whose `before` holds only key columns (REPLICA IDENTITY DEFAULT): old values of other columns are unknown and written empty',
  'toast-unknown': 'unchanged TOASTed columns (__debezium_unavailable_value) whose old value is not in the event: written empty, never as a value',
  schemaless:
    'events without a schema: values are as Debezium encoded them (decimals as base64, times as epoch numbers). Set value.converter.schemas.enable=true to have them decoded',
};

export function emptySummary(): ParseSummary {
  return {
    records: 0,
    events: 0,
    rows: 0,
    skipped: { tombstone: 0, snapshot: 0, truncate: 0, message: 0, heartbeat: 0, transaction: 0 },
    invalid: 0,
    stopped: false,
  };
}

/** What one run shares across inputs and chunks: counts, the schema cache, the formatter, the notes said. */
export interface RunState {
  summary: ParseSummary;
  parseText: EventTextParser;
  formatter: RowFormatter;
  noted: Set<PivotNote>;
}

export function createRunState(options: Pick<ParseRunOptions, 'format' | 'identity'>, csvHeader = true): RunState {
  return {
    summary: emptySummary(),
    parseText: createEventTextParser(),
    formatter: createFormatter(options.format, options.identity, csvHeader),
    noted: new Set(),
  };
}

/** One input (or the rest of one) through one splitter, a batch per chunk. Returns true when --strict stopped. */
export async function* parseStream(
  name: string,
  chunks: AsyncIterable<Buffer | string>,
  splitter: RecordSplitter,
  options: ParseRunOptions,
  state: RunState,
): AsyncGenerator<ParseBatch, boolean> {
  for await (const chunk of chunks) {
    const batch = handleItems(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk), name, options, state);
    if (batch.output.length || batch.problems.length || batch.notes.length) yield batch;
    if (batch.problems.length && options.strict) return true;
  }
  const last = handleItems(splitter.end(), name, options, state);
  if (last.output.length || last.problems.length || last.notes.length) yield last;
  return last.problems.length > 0 && options.strict;
}

/** Records and problems of the splitter to one batch: rows formatted, problems and first notes listed, counts kept. */
export function handleItems(items: SplitItem[], source: string, options: Omit<ParseRunOptions, 'now'> & { now?: () => Date }, state: RunState): ParseBatch {
  const { summary, noted } = state;
  const rows: PivotRow[] = [];
  const problems: Problem[] = [];
  const notes: Note[] = [];
  for (const item of items) {
    summary.records++;
    if (item.kind === 'problem') {
      problems.push({ source, line: item.line, reason: item.reason });
    } else {
      let outcome: RecordOutcome;
      try {
        outcome = handleRecord(item, state.parseText, options, summary);
      } catch (err) {
        // Last line of defence: a record no rule foresaw is reported, never fatal.
        outcome = `could not process this record: ${shorten(String((err as Error)?.message ?? err))}`;
      }
      if (typeof outcome === 'string') problems.push({ source, line: item.line, reason: outcome });
      else if (outcome) {
        for (const row of outcome.rows) rows.push(row);
        for (const key of outcome.notes) {
          if (noted.has(key)) continue;
          noted.add(key);
          notes.push({ key, source, line: item.line, text: NOTE_TEXT[key] });
        }
      }
    }
    if (problems.length && options.strict) break;
  }
  summary.invalid += problems.length;
  summary.rows += rows.length;
  const insertedAt = options.processedAt ?? (options.now ?? (() => new Date()))().toISOString();
  return { output: rows.length || options.format === 'csv' ? state.formatter.format(rows, insertedAt) : '', problems, notes };
}

type RecordOutcome = { rows: PivotRow[]; notes: PivotNote[] } | string | undefined;

/** Rows and notes for a record, undefined when it is skipped (and counted), or the reason it is invalid. */
function handleRecord(
  item: TextRecord | ByteRecord,
  parseText: EventTextParser,
  options: Pick<ParseRunOptions, keyof PivotOptions | 'skipSnapshot'>,
  summary: ParseSummary,
): RecordOutcome {
  // A ByteRecord starts with `{"`: never blank.
  if (item.kind === 'record' && isBlank(item.text)) {
    summary.skipped.tombstone++;
    return undefined;
  }
  let value;
  try {
    value = item.kind === 'bytes' ? parseText.bytes(item.bytes) : parseText(item.text);
  } catch (err) {
    return `not JSON: ${shorten((err as Error).message)}`;
  }
  const record = classifyRecord(value, parseText);
  switch (record.kind) {
    case 'invalid':
      return record.reason;
    case 'tombstone':
    case 'heartbeat':
    case 'transaction':
      summary.skipped[record.kind]++;
      return undefined;
    default:
      break;
  }
  const event: ChangeEvent = record.event;
  summary.events++;
  if (event.op === 't') {
    summary.skipped.truncate++;
    return undefined;
  }
  if (event.op === 'm') {
    summary.skipped.message++;
    return undefined;
  }
  if (event.op === 'r' && options.skipSnapshot) {
    summary.skipped.snapshot++;
    return undefined;
  }
  const pivot = pivotEvent(event, options);
  return pivot.ok ? pivot : pivot.reason;
}

function isBlank(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}

function shorten(message: string): string {
  return message.length > 160 ? message.slice(0, 157) + '…' : message;
}
