/**
 * MongoTarget with --on-error stop: a bad record cuts its partition there in one pass; what
 * precedes it is written, nothing at or past it in that partition, other partitions as usual.
 */
import { Binary, Decimal128, Long, type AnyBulkWriteOperation, type Db, type Document } from 'mongodb';
import { createEventTextParser } from '../../src/debezium';
import { MongoTarget } from '../../src/sink/mongo/target';
import type { SinkRecord } from '../../src/sink';
import { fixtureRecords } from './sink-records';

function fakeDb(): { db: Db; writes: { collection: string; ops: AnyBulkWriteOperation<Document>[] }[] } {
  const writes: { collection: string; ops: AnyBulkWriteOperation<Document>[] }[] = [];
  const db = {
    collection: (collection: string) => ({
      bulkWrite: (ops: AnyBulkWriteOperation<Document>[]) => {
        writes.push({ collection, ops });
        return Promise.resolve({});
      },
    }),
  } as unknown as Db;
  return { db, writes };
}

const target = (db: Db, onError: 'stop' | 'skip') =>
  new MongoTarget(db, { Decimal128, Long, Binary }, createEventTextParser(), { mode: 'append', ops: new Set(['c', 'r', 'u', 'd', 't']), onError });

/** The fixture's records, with offset 2 of partition 0 made bad, and a copy of offset 7 on partition 1 after it. */
function batch(): SinkRecord[] {
  const records = fixtureRecords();
  records[2] = { ...records[2], value: Buffer.from('{not json') };
  return [...records, { ...records[7], partition: 1 }];
}

const writtenIds = (writes: { ops: AnyBulkWriteOperation<Document>[] }[]) =>
  writes.flatMap((w) => w.ops.map((op) => ('replaceOne' in op ? String((op.replaceOne.replacement as Document)._id) : JSON.stringify(op))));

test('stop: the records before the bad one and other partitions are written, the bad one returned', async () => {
  const { db, writes } = fakeDb();
  const topic = fixtureRecords()[0].topic;
  const result = await target(db, 'stop').applyBatch(batch());
  expect(result.stop?.record.offset).toBe('2');
  expect(result.stop?.record.partition).toBe(0);
  expect(result.bad).toEqual([]);
  expect(writtenIds(writes).sort()).toEqual([`${topic}/0/0`, `${topic}/0/1`, `${topic}/1/7`].sort());
});

test('skip: the bad record is reported and everything else written', async () => {
  const { db, writes } = fakeDb();
  const result = await target(db, 'skip').applyBatch(batch());
  expect(result.stop).toBeUndefined();
  expect(result.bad.map((b) => b.offset)).toEqual(['2']);
  // 11 records: the bad one and two tombstones are not written.
  expect(writtenIds(writes)).toHaveLength(8);
});
