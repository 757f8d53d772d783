/**
 * `cdc sink mongo` as a sink target of the consumer core: documents written by MongoTarget, then
 * the group's next offsets in the `_cdc_offsets` collection of the same database. MongoDB without
 * a replica set has no multi-document transaction, so the two writes are not atomic: a crash
 * between them replays the batch, and the writes are idempotent (upserts by key, appends by
 * record coordinates), so the documents end up exactly the same. At least once, landing once.
 */
import type { Db, MongoClient } from 'mongodb';
import { createEventTextParser } from '../../debezium';
import { ServiceError } from '../../errors';
import { maskConnectionString } from '../../secrets';
import { nextOffsets, type BadRecord, type BatchResult, type PartitionOffset, type SinkTarget } from '../offsets';
import type { SinkRecord } from '../record';
import { emptyCounts, emptyTableCounts } from '../summary';
import { MongoTarget, type MongoTargetOptions } from './target';

export const OFFSETS_COLLECTION = '_cdc_offsets';

interface OffsetDoc {
  _id: string;
  group: string;
  topic: string;
  partition: number;
  nextOffset: string;
  updatedAt: Date;
}

export interface MongoSinkOptions extends MongoTargetOptions {
  url: string;
  database: string;
  /** Server selection and connect timeout: an unreachable server is an error in this time. */
  timeoutMs: number;
}

export class MongoSink implements SinkTarget {
  private readonly stored = new Map<string, bigint>();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly target: MongoTarget,
    private readonly database: string,
  ) {}

  static async open(options: MongoSinkOptions): Promise<MongoSink> {
    const mongodb = await import('mongodb');
    const client = new mongodb.MongoClient(options.url, {
      serverSelectionTimeoutMS: options.timeoutMs,
      connectTimeoutMS: options.timeoutMs,
      appName: 'cdc sink mongo',
    });
    try {
      await client.connect();
      await client.db(options.database).command({ ping: 1 });
    } catch (err) {
      await client.close().catch(() => {});
      throw new ServiceError(`cannot reach MongoDB at ${maskConnectionString(options.url)}: ${maskConnectionString((err as Error).message)}`, {
        hint: 'check --mongo-url (env CDC_MONGO_URL); the local stack starts one with `cdc stack up --with mongo`',
        cause: err,
      });
    }
    const db = client.db(options.database);
    const bson = { Decimal128: mongodb.Decimal128, Long: mongodb.Long, Binary: mongodb.Binary };
    return new MongoSink(client, db, new MongoTarget(db, bson, createEventTextParser(), options), options.database);
  }

  async storedOffsets(group: string, topics: readonly string[]): Promise<PartitionOffset[]> {
    const docs = await this.db
      .collection<OffsetDoc>(OFFSETS_COLLECTION)
      .find({ group, topic: { $in: [...topics] } })
      .toArray();
    return docs.map((d) => {
      this.stored.set(`${d.group}\u0000${d.topic}\u0000${d.partition}`, BigInt(d.nextOffset));
      return { topic: d.topic, partition: d.partition, nextOffset: d.nextOffset };
    });
  }

  async applyBatch(group: string, records: readonly SinkRecord[]): Promise<BatchResult> {
    const counts = emptyCounts();
    // Another member applied these before a rebalance handed the partition over.
    const fresh = records.filter((r) => {
      const stored = this.stored.get(`${group}\u0000${r.topic}\u0000${r.partition}`);
      return stored === undefined || BigInt(r.offset) >= stored;
    });
    counts.alreadyCommitted = records.length - fresh.length;
    const result = await this.target.applyBatch(fresh);
    // --on-error stop: what precedes the bad record landed; offsets are stored up to it, then the run stops.
    const stop = result.stop;
    const applied = stop
      ? fresh.filter((r) => BigInt(r.offset) < BigInt(stop.record.offset) || r.partition !== stop.record.partition || r.topic !== stop.record.topic)
      : fresh;
    counts.records = records.length;
    counts.changes = result.written + result.deleted;
    counts.otherSkipped = result.skipped;
    counts.bad = result.bad.length;
    for (const [collection, tally] of Object.entries(result.collections)) {
      const name = `${this.database}.${collection}`;
      // In the shared counts' terms: a document written opens a version, a deleted one is a delete.
      counts.tables[name] = { ...emptyTableCounts(name), events: tally.written + tally.deleted, versionsOpened: tally.written, deletes: tally.deleted };
    }
    const committed = nextOffsets(applied.length ? applied : []);
    if (stop) {
      const before = committed.find((c) => c.topic === stop.record.topic && c.partition === stop.record.partition);
      if (before) before.nextOffset = stop.record.offset;
    }
    await this.storeOffsets(group, committed);
    const bad: BadRecord[] = [...result.bad];
    if (stop) bad.push({ topic: stop.record.topic, partition: stop.record.partition, offset: stop.record.offset, reason: stop.reason, hint: stop.hint });
    return { counts, bad, committed, stop };
  }

  private async storeOffsets(group: string, offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.db.collection<OffsetDoc>(OFFSETS_COLLECTION).bulkWrite(
      offsets.map((o) => ({
        replaceOne: {
          filter: { _id: `${group}/${o.topic}/${o.partition}` },
          replacement: {
            _id: `${group}/${o.topic}/${o.partition}`,
            group,
            topic: o.topic,
            partition: o.partition,
            nextOffset: o.nextOffset,
            updatedAt: new Date(),
          },
          upsert: true,
        },
      })),
      { ordered: true },
    );
    for (const o of offsets) this.stored.set(`${group}\u0000${o.topic}\u0000${o.partition}`, BigInt(o.nextOffset));
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }
}
