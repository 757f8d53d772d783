/**
 * `cdc sink s3` as a sink target: records become objects named by topic, Kafka partition and first
 * offset, and the sink's position per partition is a small marker object in the bucket, written
 * only after the objects it covers are uploaded.
 *
 * Objects are cut at offsets that are multiples of --flush-size (a window [kN, (k+1)N) of each
 * partition, split by the --partition-by path), so which records share an object depends only on
 * the records, never on how they were batched or when the sink crashed. A window is uploaded when
 * complete; when the partition is caught up (or --rotate-interval passed) it is uploaded as far as
 * it goes and rewritten, under the same name, once complete. The marker stays at the window's start
 * until the window is complete: a restart re-reads at most one window per partition and rewrites
 * the same names with the same bytes. No duplicates, no gaps.
 *
 * Memory, however many partitions are held: the open windows' rows up to --buffer-memory (an
 * estimate, all partitions together; ./spill.ts moves the largest to temp files beyond it and reads
 * them back when the window is uploaded), plus per partition a few small objects, plus while
 * uploading one object being encoded (at most --flush-size rows) and two multipart parts, plus the
 * consumer's read-ahead (runSink). docs/sink.md states it with figures.
 */
import { classifyRecord, createEventTextParser, DecodeError, type EventTextParser } from '../../debezium';
import type { JsonValue } from '../../json';
import { BadRecordError } from '../errors';
import type { BadRecord, BatchPosition, BatchResult, PartitionOffset, SinkTarget } from '../offsets';
import type { SinkOp, SinkRecord } from '../record';
import { emptyCounts, emptyTableCounts } from '../summary';
import { CONTENT_TYPE, EXTENSION, encodeRows, type ObjectFormat } from './encode';
import { markerKey, markerPrefix, objectKey, partitionPath, type PartitionBy } from './naming';
import { envelopeRow, flatRow, pivotRows, type Shape, type ShapedRow } from './shape';
import { RowStore, type RowBuffer } from './spill';
import type { Bucket } from './store';

export interface S3SinkOptions {
  prefix: string;
  format: ObjectFormat;
  shape: Shape;
  partitionBy: PartitionBy;
  flushSize: number;
  rotateIntervalMs?: number;
  ops: ReadonlySet<SinkOp>;
  onError: 'stop' | 'skip';
  /** Bytes (estimated) of open windows' rows kept in memory, all partitions together; beyond, on disk. */
  bufferMemory: number;
  /** Where the spill folder goes (default: the OS temp dir). */
  tmpDir?: string;
  now?: () => number;
}

interface OpenObject {
  path: string;
  firstOffset: string;
  rows: RowBuffer;
}

interface Window {
  /** First offset this window covers: the window's start, or where reading began inside it. */
  from: bigint;
  /** Exclusive end: the next multiple of --flush-size. */
  end: bigint;
  objects: Map<string, OpenObject>;
  openedAt: number;
  /** Rows added since the last upload of this window. */
  dirty: boolean;
}

interface PartitionState {
  window: Window;
  /** The offset the next record must have for the buffer to continue; else it is rebuilt. */
  expected: bigint;
  marker: bigint | undefined;
}

export interface UploadedObject {
  key: string;
  rows: number;
  bytes: number;
}

/** How many of the latest uploads `--json` names (the totals count all of them). */
export const LISTED_UPLOADS = 1000;

export class S3Sink implements SinkTarget {
  private readonly parseText: EventTextParser = createEventTextParser();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly rows: RowStore;
  /** Every upload of the run, counted; only the last LISTED_UPLOADS are kept by name. */
  readonly uploaded = { objects: 0, bytes: 0, rows: 0 };
  readonly recentUploads: UploadedObject[] = [];

  constructor(
    private readonly bucket: Bucket,
    private readonly options: S3SinkOptions,
  ) {
    this.rows = new RowStore(options.bufferMemory, options.tmpDir);
  }

  async storedOffsets(group: string, topics: readonly string[]): Promise<PartitionOffset[]> {
    const out: PartitionOffset[] = [];
    for (const key of await this.bucket.list(markerPrefix(this.options.prefix, group))) {
      const text = await this.bucket.get(key);
      if (!text) continue;
      const marker = JSON.parse(text) as PartitionOffset;
      if (topics.includes(marker.topic) && /^\d+$/.test(marker.nextOffset))
        out.push({ topic: marker.topic, partition: marker.partition, nextOffset: marker.nextOffset });
    }
    return out;
  }

  async applyBatch(group: string, records: readonly SinkRecord[], position?: BatchPosition): Promise<BatchResult> {
    const counts = emptyCounts();
    const bad: BadRecord[] = [];
    const committed: PartitionOffset[] = [];
    if (records.length === 0) return { counts, bad, committed };
    const { topic, partition } = records[0];
    const id = `${topic}\u0000${partition}`;
    const first = BigInt(records[0].offset);
    let state = this.partitions.get(id);
    // A seek (a new assignment, a restart) starts a new buffer where reading starts.
    if (!state || state.expected !== first) {
      if (state) await this.discard(state.window);
      state = { window: this.newWindow(first, first), expected: first, marker: state?.marker };
      this.partitions.set(id, state);
    }
    let stop: BadRecordError | undefined;
    for (const record of records) {
      const offset = BigInt(record.offset);
      while (offset >= state.window.end) {
        await this.upload(state.window, topic, partition);
        await this.discard(state.window);
        state.window = this.newWindow(state.window.end, offset);
      }
      counts.records++;
      const shaped = this.shape(record, counts);
      if ('bad' in shaped) {
        if (this.options.onError === 'stop') {
          stop = new BadRecordError(record, shaped.bad);
          break;
        }
        bad.push({ topic, partition, offset: record.offset, reason: shaped.bad });
        counts.bad++;
      } else {
        // A flat row's raw values are slices of the record's text, which stays in memory with them:
        // counted with the row (pivot rows hold decoded copies; the envelope row's raw value is
        // that text, counted already).
        let retained = this.options.shape === 'flat' ? (record.value?.length ?? 0) : 0;
        for (const row of shaped.rows) {
          await this.add(state.window, record, row, shaped.time, retained);
          retained = 0;
        }
      }
      state.expected = offset + 1n;
    }
    const now = this.now();
    const caughtUp = position !== undefined && state.expected >= position.highWatermark;
    const rotate = this.options.rotateIntervalMs !== undefined && now - state.window.openedAt >= this.options.rotateIntervalMs;
    if (state.window.dirty && (caughtUp || rotate || stop)) await this.upload(state.window, topic, partition);
    // The durable position: the start of the window still open (records past it are rewritten).
    const marker = stop && state.window.objects.size === 0 ? BigInt(stop.record.offset) : state.window.from;
    if (state.marker !== marker) {
      const offsets = { topic, partition, nextOffset: marker.toString() };
      await this.bucket.put(markerKey(this.options.prefix, group, topic, partition), Buffer.from(JSON.stringify(offsets)), 'application/json');
      state.marker = marker;
      committed.push(offsets);
    }
    if (stop) {
      bad.push({ topic, partition, offset: stop.record.offset, reason: stop.reason });
      await this.discard(state.window);
      this.partitions.delete(id);
    }
    return { counts, bad, committed, stop };
  }

  async close(): Promise<void> {
    try {
      await this.rows.close();
    } finally {
      this.bucket.close();
    }
  }

  /** Estimated bytes of open windows' rows in memory now (the rest are on disk). */
  get memoryBytes(): number {
    return this.rows.memoryBytes;
  }

  /** Rows that waited on disk for their window (over --buffer-memory). */
  get spilledRows(): number {
    return this.rows.spilledRows;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private newWindow(windowStart: bigint, firstOffset: bigint): Window {
    const size = BigInt(this.options.flushSize);
    const start = (windowStart / size) * size;
    return { from: firstOffset > start ? firstOffset : start, end: start + size, objects: new Map(), openedAt: this.now(), dirty: false };
  }

  private async add(window: Window, record: SinkRecord, row: ShapedRow, timeMs: bigint | undefined, retained: number): Promise<void> {
    const path = partitionPath(this.options.partitionBy, row, timeMs);
    let object = window.objects.get(path);
    if (!object) {
      object = { path, firstOffset: record.offset, rows: this.rows.buffer() };
      window.objects.set(path, object);
    }
    object.rows.push(row, retained);
    window.dirty = true;
    // Over the budget: the largest buffers (of any partition) go to disk.
    if (this.rows.over) await this.rows.spill();
  }

  /** A window done with (uploaded complete, or dropped at a seek or a stop): its rows are freed. */
  private async discard(window: Window): Promise<void> {
    for (const object of window.objects.values()) await object.rows.discard();
    window.objects.clear();
  }

  private async upload(window: Window, topic: string, partition: number): Promise<void> {
    if (!window.dirty) return;
    // In offset order of their first record: a stable order, whatever the Map's history.
    const objects = [...window.objects.values()].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1));
    for (const object of objects) {
      const key = objectKey(this.options.prefix, topic, object.path, partition, object.firstOffset, EXTENSION[this.options.format]);
      const body = await encodeRows(object.rows, this.options.format);
      await this.bucket.put(key, body, CONTENT_TYPE[this.options.format]);
      this.uploaded.objects += 1;
      this.uploaded.bytes += body.length;
      this.uploaded.rows += object.rows.count;
      // A sink runs for months: the names are for the summary of a run, not a log, so the list is capped.
      if (this.recentUploads.push({ key, rows: object.rows.count, bytes: body.length }) > LISTED_UPLOADS) this.recentUploads.shift();
    }
    window.dirty = false;
  }

  /** The rows a record becomes, or why it cannot be used; skipped records give no rows. */
  private shape(record: SinkRecord, counts: ReturnType<typeof emptyCounts>): { rows: ShapedRow[]; time?: bigint; table?: string } | { bad: string } {
    const timestamp = (record as { timestamp?: string }).timestamp;
    const recordTime = timestamp && /^-?\d+$/.test(timestamp) ? BigInt(timestamp) : undefined;
    if (record.value === null || record.value.length === 0) {
      counts.tombstones++;
      // The envelope shape mirrors the topic, tombstones included; the others have nothing to write.
      return this.options.shape === 'envelope' ? { rows: [envelopeRow(record)], time: recordTime } : { rows: [] };
    }
    let value: JsonValue;
    try {
      value = this.parseText(record.value.toString('utf8'));
    } catch (err) {
      return { bad: `not JSON: ${(err as Error).message}` };
    }
    const classified = classifyRecord(value, this.parseText);
    if (classified.kind === 'invalid') return { bad: classified.reason };
    if (classified.kind !== 'change') {
      counts.otherSkipped++;
      return this.options.shape === 'envelope' ? { rows: [envelopeRow(record)], time: recordTime } : { rows: [] };
    }
    const event = classified.event;
    const op = event.op as SinkOp;
    if (!this.options.ops.has(op)) {
      counts.otherSkipped++;
      return { rows: [] };
    }
    const source = event.source ?? {};
    const ts = source.ts_ms;
    const time = typeof ts === 'number' ? BigInt(Math.trunc(ts)) : recordTime;
    const table = typeof source.table === 'string' ? `${typeof source.schema === 'string' ? source.schema + '.' : ''}${source.table}` : undefined;
    counts.changes++;
    if (table) {
      const t = (counts.tables[table] ??= emptyTableCounts(table));
      t.events++;
      if (op === 'd') t.deletes++;
      else if (op === 't') t.truncates++;
      else t.versionsOpened++;
    }
    try {
      switch (this.options.shape) {
        case 'envelope':
          return { rows: [envelopeRow(record)], time, table };
        case 'flat':
          return { rows: op === 't' ? [] : [flatRow(event, record)], time, table };
        case 'pivot': {
          if (op === 't') return { rows: [] };
          const rows = pivotRows(event, record);
          return 'invalid' in rows ? { bad: rows.invalid } : { rows, time, table };
        }
      }
    } catch (err) {
      if (err instanceof DecodeError) return { bad: err.message };
      throw err;
    }
  }
}
