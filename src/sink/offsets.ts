/**
 * The offsets-store contract between the consumer and a sink target. Exactly once needs the
 * consumed offsets to live where the rows live, committed in the same transaction: so the target
 * stores them (never Kafka), the consumer asks it where to start when partitions are assigned, and
 * a batch hands its records to the target, which applies them and their offsets together.
 */
import type { BadRecordError } from './errors';
import type { SinkRecord } from './record';
import type { SinkCounts } from './summary';

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read (int64 as a decimal string). */
  nextOffset: string;
}

export interface SinkOffsetStore {
  /** Where the group stopped, per partition of these topics; partitions never applied are absent. */
  storedOffsets(group: string, topics: readonly string[]): Promise<PartitionOffset[]>;
}

export interface BadRecord {
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  hint?: string;
}

export interface BatchResult {
  counts: SinkCounts;
  /** Bad records skipped (--on-error skip) or the one that stopped the sink (stop). */
  bad: BadRecord[];
  /** Next offsets stored by this batch. */
  committed: PartitionOffset[];
  /** With --on-error stop: what stopped the sink, after the records before it were committed. */
  stop?: BadRecordError;
}

/** Where a batch sits in its partition: a target that buffers (S3) flushes when it has caught up. */
export interface BatchPosition {
  /** The offset after the batch's last record. */
  next: bigint;
  /** The partition's high watermark when the batch was fetched. */
  highWatermark: bigint;
}

export interface SinkTarget<Result = BatchResult> extends SinkOffsetStore {
  /**
   * Optional: the part of applying a batch that needs only its records (decoding, planning), run
   * while the batch before it is still being applied; applyBatch gets the result back. It must not
   * throw (keep an error for applyBatch to raise, so the batches before it are applied first).
   */
  prepareBatch?(records: readonly SinkRecord[]): unknown;
  /**
   * Applies one batch (records of any topics and partitions, each partition's in offset order) and
   * stores next offsets in the same transaction. Records below a partition's stored offset were
   * applied by another member (a rebalance) and are skipped.
   */
  applyBatch(group: string, records: readonly SinkRecord[], position?: BatchPosition, prepared?: unknown): Promise<Result>;
  close(): Promise<void>;
}

/** The next offset after each partition's last record in a batch. */
export function nextOffsets(records: readonly SinkRecord[]): PartitionOffset[] {
  const last = new Map<string, PartitionOffset>();
  for (const r of records) {
    const id = `${r.topic}\u0000${r.partition}`;
    const next = (BigInt(r.offset) + 1n).toString();
    const seen = last.get(id);
    if (!seen || BigInt(seen.nextOffset) < BigInt(next)) last.set(id, { topic: r.topic, partition: r.partition, nextOffset: next });
  }
  return [...last.values()];
}
