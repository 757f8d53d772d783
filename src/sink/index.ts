/**
 * Sinks: Debezium change events from Kafka into a store, exactly once. The core here is shared by
 * every target: decoding records (record.ts), planning a batch per table in source order
 * (batch.ts), the offsets-store contract (offsets.ts) and the counts a run reports (summary.ts).
 * Targets live beside it: postgres/ (SCD2 history tables).
 */
export {
  decodeSinkRecord,
  type SinkOp,
  comparePositions,
  type SinkChange,
  type SinkItem,
  type SinkRecord,
  type SinkTruncate,
  type SourcePosition,
  type SourceTable,
} from './record';
export { planBatch, type StagedEvent, type TablePlan, type TableSegment } from './batch';
export { nextOffsets, type BadRecord, type BatchPosition, type BatchResult, type PartitionOffset, type SinkOffsetStore, type SinkTarget } from './offsets';
export { runSink, type SinkRunOptions, type SinkRunHooks, type SinkRunSummary, type SinkFrom } from './run';
export { addCounts, emptyCounts, type SinkCounts, type TableCounts } from './summary';
export { BadRecordError, SinkSchemaError, recordAt } from './errors';
