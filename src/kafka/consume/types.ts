/** What a caller of the consumer core gives and gets back (see index.ts for the contract). */
import type { KafkaLog } from '../client';
import type { TopicPartition } from './partitions';
import type { StartPosition } from './positions';
import type { KafkaRecord } from './record';
import type { OffsetStore } from './store';
import type { PartitionProgress } from './tracker';

export interface ConsumeOptions {
  topics: string[];
  /** Consume as this consumer group: members share the partitions; commits after each handled batch. */
  group?: string;
  /** Without a group: only these partitions of every topic (default: all). */
  partitions?: number[];
  /** Where a partition starts when nothing is stored for it. */
  start: StartPosition;
  /** The truth for positions (a sink's offsets table). Default: the group's commits, if any. */
  store?: OffsetStore;
  /** Stop once every assigned partition reached the high watermark it had when the run started. */
  exitAtEnd?: boolean;
  /** At most this many records per handler call (default 500); with a group, at most two handled batches are ever uncommitted. */
  maxBatchRecords?: number;
  /**
   * The longest a partial batch (fewer than maxBatchRecords) waits for more records before it is
   * handled, in ms (default 0: whatever one fetch brought is handled at once). With exitAtEnd a
   * batch that reaches the end is handled at once.
   */
  maxWaitMs?: number;
  /** Partitions handled at the same time (default 1). */
  concurrency?: number;
  /** How long a lost connection is retried mid-stream before giving up (default 120 s). */
  reconnectForMs?: number;
  clientId?: string;
  /**
   * A member silent this long leaves the group (default 30 s): the time a killed member holds its
   * partitions. Heartbeats go at least three times per session, also while the handler works.
   */
  sessionTimeoutMs?: number;
}

/** Records of one partition, in offset order. */
export interface RecordBatch extends TopicPartition {
  records: KafkaRecord[];
  /** The offset after the last record: the position to store once the batch is durably handled. */
  next: bigint;
  highWatermark: bigint;
}

/** A handler's answer when it handled only part of a batch; the run then ends. */
export interface PartialBatch {
  /** Records below this offset are durably handled: the position moves (and is committed) here. */
  handledUntil: bigint;
  /** Why it stopped; without one the run ends as 'stopped' (e.g. watch's --max-messages). */
  error?: Error;
}

export interface ConsumeHooks<Prepared = unknown> {
  /**
   * Optional work on a batch that needs nothing but its records (decoding), run as soon as the
   * batch closes, while the batch before it is still being handled; handle() gets the result.
   * It must not depend on earlier batches having been handled. Async work that yields now and then
   * lets the handler of the batch before progress meanwhile. Throwing (rejecting) ends the run.
   */
  prepare?(batch: RecordBatch): Prepared | Promise<Prepared>;
  /** Resolves once the records are durably handled; throwing ends the run with that error, nothing of the batch committed. */
  handle(batch: RecordBatch, prepared: Prepared | undefined): Promise<void | PartialBatch>;
  log?: KafkaLog;
  /** After each (re)assignment, once the positions of the partitions this process holds are known. */
  onAssigned?(assigned: PartitionProgress[]): void;
  /** After each handled batch: positions and lag of every partition. */
  onProgress?(progress: PartitionProgress[]): void;
  /** The connection dropped and is being re-established. */
  onReconnecting?(message: string): void;
}

export type ConsumeStop = 'end' | 'stopped' | 'interrupted';

export interface ConsumeSummary {
  reason: ConsumeStop;
  /** Records handled. */
  handled: number;
  /** Partitions planned. */
  partitions: number;
  elapsedMs: number;
  progress: PartitionProgress[];
}
