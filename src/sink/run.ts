/**
 * A sink run: the consumer core (src/kafka/consume) reading the topics, a target applying each
 * batch with its offsets in one transaction, the target's offsets table as the consumer's offset
 * store (so every assignment seeks to where the rows are), and running counts for the live line
 * and the summary.
 */
import type { KafkaLog } from '../kafka/client';
import { consume, PartitionMap, type ConsumeStop, type OffsetStore, type PartitionProgress } from '../kafka/consume';
import type { KafkaSettings } from '../kafka/options';
import { NotFoundError } from '../errors';
import type { BadRecord, SinkTarget } from './offsets';
import { addCounts, emptyCounts, type SinkCounts } from './summary';

/** Where partitions without a stored offset start; `stored` refuses to start without any. */
export type SinkFrom = 'beginning' | 'end' | 'stored';

export interface SinkRunOptions {
  topics: string[];
  group: string;
  from: SinkFrom;
  exitAtEnd: boolean;
  batchSize: number;
  /** The longest a partial batch waits for more records before it is applied (ms; default 0: at once). */
  maxWaitMs?: number;
  reconnectForMs?: number;
  /** How long a silent (killed) member of the group keeps its partitions (default 30 s). */
  sessionTimeoutMs?: number;
}

export interface SinkRunHooks {
  /** After each batch: running counts and every partition's position and lag. */
  onProgress?(counts: SinkCounts, partitions: PartitionProgress[]): void;
  onAssigned?(partitions: PartitionProgress[]): void;
  /** A record skipped with --on-error skip. */
  onSkipped?(bad: BadRecord): void;
  onReconnecting?(message: string): void;
  log?: KafkaLog;
}

export interface SinkRunSummary {
  reason: ConsumeStop;
  counts: SinkCounts;
  elapsedMs: number;
  partitions: PartitionProgress[];
}

export async function runSink(
  settings: KafkaSettings,
  target: SinkTarget,
  options: SinkRunOptions,
  hooks: SinkRunHooks,
  signal: AbortSignal,
): Promise<SinkRunSummary> {
  if (options.from === 'stored') {
    const stored = await target.storedOffsets(options.group, options.topics);
    if (stored.length === 0) {
      throw new NotFoundError(
        `group ${options.group} has no stored offsets for ${options.topics.join(', ')} in the target`,
        'start it with --from beginning (or end) once; `cdc sink status` lists the groups the target knows',
      );
    }
  }
  const store: OffsetStore = {
    async read(partitions) {
      const out = new PartitionMap<bigint>();
      const wanted = new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
      for (const p of await target.storedOffsets(options.group, [...new Set(partitions.map((q) => q.topic))])) {
        if (wanted.has(`${p.topic}\u0000${p.partition}`)) out.set({ topic: p.topic, partition: p.partition }, BigInt(p.nextOffset));
      }
      return out;
    },
  };
  const counts = emptyCounts();
  const startedAt = Date.now();
  let latest: PartitionProgress[] = [];
  const summary = await consume(
    settings,
    {
      topics: options.topics,
      group: options.group,
      start: { kind: options.from === 'end' ? 'end' : 'beginning' },
      store,
      exitAtEnd: options.exitAtEnd,
      maxBatchRecords: options.batchSize,
      maxWaitMs: options.maxWaitMs,
      reconnectForMs: options.reconnectForMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
      clientId: 'cdc-sink',
    },
    {
      prepare: target.prepareBatch ? (batch) => target.prepareBatch!(batch.records) : undefined,
      handle: async (batch, prepared) => {
        const result = await target.applyBatch(options.group, batch.records, { next: batch.next, highWatermark: batch.highWatermark }, prepared);
        addCounts(counts, result.counts);
        if (!result.stop) for (const bad of result.bad) hooks.onSkipped?.(bad);
        // --on-error stop: what precedes the bad record is committed; the run ends with it.
        if (result.stop) return { handledUntil: BigInt(result.stop.record.offset), error: result.stop };
        return undefined;
      },
      onProgress: (progress) => {
        latest = progress;
        hooks.onProgress?.(counts, progress);
      },
      onAssigned: (assigned) => hooks.onAssigned?.(assigned),
      onReconnecting: hooks.onReconnecting,
      log: hooks.log,
    },
    signal,
  );
  return { reason: summary.reason, counts, elapsedMs: Date.now() - startedAt, partitions: summary.progress.length ? summary.progress : latest };
}
