/**
 * The consumer core shared by `cdc watch` and the sinks.
 *
 * Usage (a sink that writes rows and offsets in one transaction):
 *
 *   const store: OffsetStore = { read: (partitions) => offsetsTable.read(group, partitions) };
 *   const summary = await consume(settings, {
 *     topics, group, start: { kind: 'beginning' }, store, exitAtEnd, maxBatchRecords: 5000, maxWaitMs: 1000,
 *   }, {
 *     prepare: (batch) => decode(batch.records),                  // while the previous batch is written
 *     handle: async (batch, decoded) => db.transaction(async (tx) => {
 *       await apply(tx, decoded);
 *       await offsetsTable.write(tx, group, batch, batch.next);   // the position after this batch
 *     }),
 *     onProgress: (progress) => statusLine(progress),            // position, high watermark, lag
 *   }, ctx.signal);
 *
 * Guarantees: on every assignment the partitions are paused, the store is read, the consumer seeks
 * there and only then resumes; the handler never sees a record below the stored position; batches
 * are per partition, in offset order, at most maxBatchRecords, closed when full or once the oldest
 * record waited maxWaitMs; batches are handled one at a time, in order: the next is prepared, and
 * the next records fetched, while one is handled (at most one handled, one prepared, one fetch
 * collected); with a group the position is then committed to Kafka (for lag tools; the store stays
 * the truth), overlapping the next handler call, so at most two handled batches are uncommitted;
 * a rebalance waits for the batch in flight (up to the 60 s rebalance timeout; batches.ts says when
 * it cannot: a fetch slower than the heartbeat interval, a batch a maxWaitMs timer closed — a store
 * must then serialise its writers, as the sinks' transactions do); an abort finishes the batch in
 * flight, commits it and leaves the group, dropping what was fetched but not handled.
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
