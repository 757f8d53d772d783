/**
 * The consumer core shared by `cdc watch` and the sinks.
 *
 * Usage (a sink that writes rows and offsets in one transaction):
 *
 *   const store: OffsetStore = { read: (partitions) => offsetsTable.read(group, partitions) };
 *   const summary = await consume(settings, {
 *     topics, group, start: { kind: 'beginning' }, store, exitAtEnd, maxBatchRecords: 5000,
 *   }, {
 *     handle: async (batch) => db.transaction(async (tx) => {
 *       await apply(tx, batch.records);
 *       await offsetsTable.write(tx, group, batch, batch.next);   // the position after this batch
 *     }),
 *     onProgress: (progress) => statusLine(progress),            // position, high watermark, lag
 *   }, ctx.signal);
 *
 * Guarantees: on every assignment the partitions are paused, the store is read, the consumer seeks
 * there and only then resumes; the handler never sees a record below the stored position; batches
 * are per partition, in offset order, at most maxBatchRecords; the next batch of a partition comes
 * only after the handler resolved; with a group the position is then committed to Kafka (for lag
 * tools; the store stays the truth), overlapping the next handler call, so at most two handled
 * batches are uncommitted; a rebalance waits for the batch in flight (up to the
 * 60 s rebalance timeout); an abort finishes the batch in flight, commits it and leaves the group.
 * A handler that throws ends the run with its error (nothing of that batch is committed); one that
 * handled part of a batch returns { handledUntil, error? }.
 */
export { consume } from './consumer';
export type { ConsumeHooks, ConsumeOptions, ConsumeStop, ConsumeSummary, PartialBatch, RecordBatch } from './consumer';
export { RecordError } from './errors';
export { readLag, type PartitionLag } from './lag';
export { PartitionMap, partitionName, type TopicPartition } from './partitions';
export type { StartPosition } from './positions';
export type { KafkaRecord } from './record';
export { groupOffsetStore, type OffsetStore } from './store';
export type { PartitionProgress } from './tracker';
