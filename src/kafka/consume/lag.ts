/**
 * Positions against high watermarks without consuming: what `cdc sink status` (and any status
 * command) shows per partition.
 */
import { createKafka, kafkaError } from '../client';
import type { KafkaSettings } from '../options';
import type { TopicPartition } from './partitions';
import { groupOffsetStore, type OffsetStore } from './store';

export interface PartitionLag extends TopicPartition {
  /** The stored next offset to read; undefined when nothing is stored for the partition. */
  position?: bigint;
  /** First offset still in the log. */
  low: bigint;
  highWatermark: bigint;
  /** Records not handled yet (from the first stored offset when nothing is stored). */
  lag: bigint;
}

/** Reads the positions from `store` (or the group's commits) and the topics' high watermarks. */
export async function readLag(settings: KafkaSettings, topics: readonly string[], from: { store: OffsetStore } | { group: string }): Promise<PartitionLag[]> {
  const admin = (await createKafka(settings, { clientId: 'cdc-status', requestTimeoutMs: 5_000 })).admin();
  try {
    await admin.connect();
    const ranges: Array<TopicPartition & { low: bigint; high: bigint }> = [];
    for (const topic of topics) {
      const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
      for (const p of offsets) ranges.push({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) });
    }
    const store = 'store' in from ? from.store : groupOffsetStore(admin, from.group);
    const stored = await store.read(ranges);
    return ranges.map(({ topic, partition, low, high }) => {
      const position = stored.get({ topic, partition });
      const from = position === undefined || position < low ? low : position;
      return { topic, partition, position, low, highWatermark: high, lag: high > from ? high - from : 0n };
    });
  } catch (err) {
    if (err instanceof Error && err.name.startsWith('KafkaJS')) throw kafkaError(err, settings, 'reading positions and high watermarks');
    throw err;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
