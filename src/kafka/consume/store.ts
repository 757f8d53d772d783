/**
 * Where positions are kept between runs. A sink that writes its rows and its offsets in one
 * transaction (an offsets table in the target database) is the truth for where it stopped; it
 * hands the core an OffsetStore, and the core seeks there on every assignment. Without one, a
 * consumer group's Kafka commits are the store.
 */
import type { Admin } from 'kafkajs';
import { PartitionMap, type TopicPartition } from './partitions';

export interface OffsetStore {
  /**
   * The next offset to read for each of these partitions that has one stored (absent: nothing
   * stored yet, the start position applies). Called on every assignment, before any record of
   * those partitions reaches the handler.
   */
  read(partitions: readonly TopicPartition[]): Promise<PartitionMap<bigint>>;
}

/** A consumer group's committed offsets, read through the admin client. */
export function groupOffsetStore(admin: Admin, groupId: string): OffsetStore {
  return {
    async read(partitions) {
      const out = new PartitionMap<bigint>();
      const topics = [...new Set(partitions.map((p) => p.topic))];
      if (topics.length === 0) return out;
      for (const { topic, partitions: offsets } of await admin.fetchOffsets({ groupId, topics })) {
        for (const { partition, offset } of offsets) {
          // -1: the group never committed this partition.
          if (BigInt(offset) >= 0n) out.set({ topic, partition }, BigInt(offset));
        }
      }
      return out;
    },
  };
}
