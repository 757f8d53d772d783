/**
 * The MongoDB target: change events as documents, idempotent on replay so that the consumer
 * core's at-least-once delivery (a crash repeats at most the batch in flight) lands exactly the
 * same documents.
 *
 * - upsert: one document per source row, `_id` from the key columns (one column: its value; more:
 *   an object of them in key order); creates/reads/updates replace it, deletes remove it, a
 *   truncate removes every document of that table. Replaying a batch rewrites the same documents.
 * - append: one document per change, `_id` = `<topic>/<partition>/<offset>`, so a replayed record
 *   replaces itself instead of adding a duplicate.
 * `ops` keeps only some operations (`c` alone is the tutorials' "creates only" collection).
 */
import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import { DecodeError, type EventTextParser } from '../../debezium';
import { BadRecordError } from '../errors';
import { decodeSinkRecord, type SinkChange, type SinkOp, type SinkRecord, type SinkTruncate } from '../record';
import { rowDocument, type Bson } from './values';

export type MongoMode = 'upsert' | 'append';

export interface MongoTargetOptions {
  mode: MongoMode;
  ops: ReadonlySet<SinkOp>;
  /** One collection for every table; default: one per source table, named after it. */
  collection?: string;
  onError: 'stop' | 'skip';
}

export interface MongoBatchCounts {
  written: number;
  deleted: number;
  /** Tombstones, heartbeats, transaction markers, and operations not in --op. */
  skipped: number;
  bad: { topic: string; partition: number; offset: string; reason: string; hint?: string }[];
  /** Per collection: documents written (inserted or replaced) and deleted. */
  collections: Record<string, { written: number; deleted: number }>;
  /** --on-error stop: the bad record; nothing at or past it in its partition was written. */
  stop?: BadRecordError;
}

export function emptyMongoCounts(): MongoBatchCounts {
  return { written: 0, deleted: 0, skipped: 0, bad: [], collections: {} };
}

export class MongoTarget {
  /** Operations left out by --op in the batch being applied. */
  private skippedOps = 0;

  constructor(
    private readonly db: Db,
    private readonly bson: Bson,
    private readonly parseText: EventTextParser,
    private readonly options: MongoTargetOptions,
  ) {}

  /**
   * Writes one batch (each partition's records in offset order), in order, per collection. With
   * --on-error stop, a bad record cuts its partition there: what precedes it is written, and it is
   * returned as `stop`.
   */
  async applyBatch(records: readonly SinkRecord[]): Promise<MongoBatchCounts> {
    const counts = emptyMongoCounts();
    this.skippedOps = 0;
    // Ordered per collection: two changes of one key in a batch land in source order.
    const writes = new Map<string, AnyBulkWriteOperation<Document>[]>();
    const add = (collection: string, op: AnyBulkWriteOperation<Document>) => {
      const list = writes.get(collection) ?? [];
      list.push(op);
      writes.set(collection, list);
      const tally = (counts.collections[collection] ??= { written: 0, deleted: 0 });
      if ('deleteOne' in op || 'deleteMany' in op) {
        tally.deleted++;
        counts.deleted++;
      } else {
        tally.written++;
        counts.written++;
      }
    };
    for (const record of records) {
      if (counts.stop && record.topic === counts.stop.record.topic && record.partition === counts.stop.record.partition) continue;
      const item = decodeSinkRecord(record, this.parseText);
      if (item.kind === 'bad') {
        if (this.options.onError === 'stop') {
          counts.stop = new BadRecordError(record, item.reason, item.hint);
          continue;
        }
        counts.bad.push({ topic: record.topic, partition: record.partition, offset: record.offset, reason: item.reason, hint: item.hint });
        continue;
      }
      if (item.kind === 'skip') {
        counts.skipped++;
        continue;
      }
      try {
        this.addItem(item, add);
      } catch (err) {
        // A value beyond its schema's limits (src/debezium says which): that record is bad.
        if (!(err instanceof DecodeError)) throw err;
        if (this.options.onError === 'stop') {
          counts.stop = new BadRecordError(record, err.message);
          continue;
        }
        counts.bad.push({ topic: record.topic, partition: record.partition, offset: record.offset, reason: err.message });
      }
    }
    for (const [collection, ops] of writes) await this.db.collection(collection).bulkWrite(ops, { ordered: true });
    counts.skipped += this.skippedOps;
    return counts;
  }

  private addItem(item: SinkChange | SinkTruncate, add: (collection: string, op: AnyBulkWriteOperation<Document>) => void): void {
    const op: SinkOp = item.kind === 'truncate' ? 't' : item.op;
    if (!this.options.ops.has(op)) {
      this.skippedOps++;
      return;
    }
    const collection = this.options.collection ?? item.table.table;
    if (item.kind === 'truncate') {
      add(collection, this.options.mode === 'upsert' ? { deleteMany: { filter: { '_cdc.table': tableName(item) } } } : this.appendOp(item));
      return;
    }
    if (this.options.mode === 'append') {
      add(collection, this.appendOp(item));
      return;
    }
    // Keys are row values (numbers, strings, Decimal128 …), not ObjectIds.
    const filter = { _id: this.keyOf(item) } as Filter<Document>;
    if (item.op === 'd') {
      add(collection, { deleteOne: { filter } });
      return;
    }
    const { doc, unchanged } = rowDocument(this.bson, item.row, item.rowSchema);
    const body = { ...doc, _cdc: this.meta(item) };
    // A TOASTed column missing from the event keeps its stored value: $set only what the event has.
    add(
      collection,
      unchanged.length === 0 ? { replaceOne: { filter, replacement: body, upsert: true } } : { updateOne: { filter, update: { $set: body }, upsert: true } },
    );
  }

  private keyOf(change: SinkChange): unknown {
    const { doc } = rowDocument(this.bson, Object.fromEntries(change.keyColumns.map((c) => [c, change.row[c]])), change.rowSchema);
    return change.keyColumns.length === 1 ? doc[change.keyColumns[0]] : doc;
  }

  private meta(item: SinkChange | SinkTruncate): Document {
    return {
      op: item.kind === 'truncate' ? 't' : item.op,
      table: tableName(item),
      ts: new Date(Number(item.timeUs / 1000n)),
      lsn: this.bson.Long.fromBigInt(item.position.lsn),
      topic: item.record.topic,
      partition: item.record.partition,
      offset: this.bson.Long.fromString(item.record.offset),
    };
  }

  private appendOp(item: SinkChange | SinkTruncate): AnyBulkWriteOperation<Document> {
    const id = `${item.record.topic}/${item.record.partition}/${item.record.offset}`;
    const doc: Document = { _id: id, ...this.meta(item) };
    if (item.kind === 'change') {
      doc.key = this.keyOf(item);
      doc.row = rowDocument(this.bson, item.row, item.rowSchema).doc;
    }
    // Record coordinates, not an ObjectId: the driver's filter type only knows the latter.
    const filter = { _id: id } as unknown as Filter<Document>;
    return { replaceOne: { filter, replacement: doc, upsert: true } };
  }
}

function tableName(item: SinkChange | SinkTruncate): string {
  return `${item.table.schema}.${item.table.table}`;
}
