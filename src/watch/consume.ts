/**
 * `cdc watch` on the consumer core: filters, renders and writes each batch, counts what happened,
 * and stops at --max-messages. A record that cannot be filtered or rendered is reported with its
 * topic, partition and offset: --on-error stop ends there (everything before it written and
 * committed), skip reports it and goes on.
 */
import type { KafkaLog } from '../kafka/client';
import { consume, RecordError, type PartialBatch, type PartitionProgress, type RecordBatch, type StartPosition } from '../kafka/consume';
import type { KafkaSettings } from '../kafka/options';
import type { WatchRecord } from './record';

export type OnError = 'stop' | 'skip';

export interface WatchPlan {
  topics: string[];
  start: StartPosition;
  /** Only these partitions (without --group). */
  partitions?: number[];
  /** Consume as this consumer group; offsets committed after each written batch. */
  group?: string;
  exitAtEnd: boolean;
  maxMessages?: number;
  /** Filters; a record it rejects is read (and committed) but not written. */
  accept?: (record: WatchRecord) => boolean;
  /** How long a lost connection is retried mid-stream before giving up. */
  reconnectForMs: number;
  /** With a group: how long a silent (killed) member keeps its partitions (default 30 s). */
  sessionTimeoutMs?: number;
  onError: OnError;
  /** Records per write (and commit): what a crash after a write can repeat. */
  batchRecords?: number;
}

/** Rendered output; a list of buffers is written as one (a writev), in order, without copying them into one first. */
export type Output = Buffer | string | Buffer[];

export interface WatchCallbacks {
  /** Renders records for the output; may throw on a record it cannot show. */
  render(records: WatchRecord[]): Output;
  /**
   * Writes rendered output. With a group it must resolve only once the bytes are handed to the OS
   * (the batch's offsets are committed then); without, once they are queued.
   */
  write(data: Output): Promise<void>;
  /** A record skipped with --on-error skip. */
  onSkipped?(error: RecordError): void;
  log?: KafkaLog;
  /** Partitions this process reads, with positions and lag, after each (re)assignment. */
  onAssigned?(assigned: PartitionProgress[]): void;
  /** The connection dropped and is being re-established. */
  onReconnecting?(message: string): void;
}

export type StopReason = 'end' | 'max-messages' | 'interrupted';

export interface WatchSummary {
  reason: StopReason;
  /** Records read from Kafka (before filters). */
  received: number;
  written: number;
  filtered: number;
  tombstones: number;
  /** Records reported and skipped (--on-error skip). */
  skipped: number;
  partitions: number;
  elapsedMs: number;
}

/** Records per write. Each write's commit overlaps the next write, so at most two writes are uncommitted. */
export const WATCH_BATCH_RECORDS = 250;
/** What a kill -9 of `watch --group` can make the next run repeat, at most (docs/watch.md). */
export const WATCH_REPEAT_BOUND = 2 * WATCH_BATCH_RECORDS;

export async function watchTopics(settings: KafkaSettings, plan: WatchPlan, callbacks: WatchCallbacks, signal: AbortSignal): Promise<WatchSummary> {
  const counts = { received: 0, written: 0, filtered: 0, tombstones: 0, skipped: 0 };
  if (plan.maxMessages === 0) {
    return { reason: 'max-messages', ...counts, partitions: 0, elapsedMs: 0 };
  }
  const summary = await consume(
    settings,
    {
      topics: plan.topics,
      start: plan.start,
      partitions: plan.partitions,
      group: plan.group,
      exitAtEnd: plan.exitAtEnd,
      reconnectForMs: plan.reconnectForMs,
      sessionTimeoutMs: plan.sessionTimeoutMs,
      clientId: 'cdc-watch',
      maxBatchRecords: plan.batchRecords ?? WATCH_BATCH_RECORDS,
    },
    {
      handle: (batch) => writeBatch(batch, plan, callbacks, counts),
      log: callbacks.log,
      onAssigned: callbacks.onAssigned,
      onReconnecting: callbacks.onReconnecting,
    },
    signal,
  );
  const reason: StopReason = summary.reason === 'stopped' ? 'max-messages' : summary.reason;
  return { reason, ...counts, partitions: summary.partitions, elapsedMs: summary.elapsedMs };
}

export type Counts = Omit<WatchSummary, 'reason' | 'partitions' | 'elapsedMs'>;

/** Filters, renders and writes one batch; a PartialBatch when it stops inside the batch. */
export async function writeBatch(batch: RecordBatch, plan: WatchPlan, callbacks: WatchCallbacks, counts: Counts): Promise<void | PartialBatch> {
  const chosen: WatchRecord[] = [];
  let stop: PartialBatch | undefined;
  for (const record of batch.records) {
    counts.received += 1;
    let accepted: boolean;
    try {
      accepted = !plan.accept || plan.accept(record);
    } catch (err) {
      const error = recordError(record, 'cannot be filtered', err);
      if (plan.onError === 'stop') {
        stop = { handledUntil: BigInt(record.offset), error };
        break;
      }
      counts.skipped += 1;
      callbacks.onSkipped?.(error);
      continue;
    }
    if (!accepted) {
      counts.filtered += 1;
      continue;
    }
    chosen.push(record);
    if (plan.maxMessages !== undefined && counts.written + chosen.length >= plan.maxMessages) {
      stop = { handledUntil: BigInt(record.offset) + 1n };
      break;
    }
  }
  const { data, written, failed } = render(chosen, plan, callbacks, counts);
  if (failed) stop = failed;
  if (written.length > 0) {
    await callbacks.write(data);
    counts.written += written.length;
    for (const r of written) if (r.value === null) counts.tombstones += 1;
  }
  return stop;
}

/** Renders the batch at once; when that fails, record by record to name the one that cannot be shown. */
function render(
  records: WatchRecord[],
  plan: WatchPlan,
  callbacks: WatchCallbacks,
  counts: Counts,
): { data: Output; written: WatchRecord[]; failed?: PartialBatch } {
  if (records.length === 0) return { data: '', written: [] };
  try {
    return { data: callbacks.render(records), written: records };
  } catch {
    // Found below, one by one.
  }
  const parts: Output[] = [];
  const written: WatchRecord[] = [];
  for (const record of records) {
    try {
      parts.push(callbacks.render([record]));
      written.push(record);
    } catch (err) {
      const error = recordError(record, 'cannot be shown', err);
      if (plan.onError === 'stop') return { data: join(parts), written, failed: { handledUntil: BigInt(record.offset), error } };
      counts.skipped += 1;
      callbacks.onSkipped?.(error);
    }
  }
  return { data: join(parts), written };
}

function join(parts: Output[]): Output {
  return parts.every((p) => typeof p === 'string') ? parts.join('') : parts.flatMap((p) => (typeof p === 'string' ? [Buffer.from(p)] : p));
}

function recordError(record: WatchRecord, what: string, err: unknown): RecordError {
  const reason =
    err instanceof RangeError && /call stack/i.test(err.message)
      ? 'it is nested too deeply'
      : escapeControls((err instanceof Error ? err.message : String(err)).slice(0, 300));
  return new RecordError(record, `${what}: ${reason}`, '--on-error skip reports such a record and goes on (with --group the skipped record is committed)');
}

/** An error message may quote the payload: no control or bidirectional character reaches a terminal. */
function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
