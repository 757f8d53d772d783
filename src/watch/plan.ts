/**
 * Before consuming: checks that the topics and partitions exist and works out, per partition, the
 * first offset to read and the end that --exit-at-end stops at.
 */
import type { Admin } from 'kafkajs';
import { NotFoundError, UsageError } from '../errors';
import { kafkaError } from '../kafka/client';
import type { KafkaSettings } from '../kafka/options';
import type { WatchPlan } from './consume';
import { startOffset, type PartitionRange } from './positions';
import { similarTopics } from './topics';

export interface PartitionState {
  start: string;
  /** High watermark when the watch started: where --exit-at-end stops. */
  end: string;
  /** Next offset to read. */
  next: string;
}

export const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Checks the topics and partitions, and fills `states` with where each partition starts and ends. */
export async function planPartitions(
  admin: Admin,
  settings: KafkaSettings,
  plan: WatchPlan,
  states: Map<string, PartitionState>,
): Promise<void> {
  let existing: string[];
  try {
    existing = await admin.listTopics();
  } catch (err) {
    throw kafkaError(err, settings, 'listing topics');
  }
  for (const topic of plan.topics) {
    if (!existing.includes(topic)) {
      const similar = similarTopics(topic, existing);
      throw new NotFoundError(
        `topic '${topic}' does not exist on ${settings.brokers.value.join(',')}`,
        similar.length > 0
          ? `did you mean: ${similar.join(', ')}?`
          : 'Debezium creates a table\'s topic with its first event (<topic.prefix>.<schema>.<table>); check the connector with `cdc connector status`',
      );
    }
  }
  try {
    const committed = plan.group ? await admin.fetchOffsets({ groupId: plan.group, topics: plan.topics }) : [];
    for (const topic of plan.topics) {
      const ranges: PartitionRange[] = (await admin.fetchTopicOffsets(topic)).map((p) => ({
        partition: p.partition, low: p.low, high: p.high,
      }));
      let wanted = ranges;
      if (plan.partitions) {
        const known = new Set(ranges.map((r) => r.partition));
        const unknown = plan.partitions.filter((p) => !known.has(p));
        if (unknown.length > 0) {
          throw new UsageError(
            `topic '${topic}' has no partition ${unknown.join(', ')}`,
            `its partitions are 0–${ranges.length - 1}`,
          );
        }
        wanted = ranges.filter((r) => plan.partitions!.includes(r.partition));
      }
      const byTime = plan.start.kind === 'time' ? await admin.fetchTopicOffsetsByTimestamp(topic, plan.start.ms) : [];
      const groupOffsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const range of wanted) {
        let start: string;
        const stored = groupOffsets.find((g) => g.partition === range.partition)?.offset;
        if (plan.group && stored !== undefined && BigInt(stored) >= 0n) {
          start = stored;
        } else {
          const timeOffset = byTime.find((t) => t.partition === range.partition)?.offset;
          start = startOffset(plan.start, range, timeOffset);
        }
        states.set(key(topic, range.partition), { start, end: range.high, next: start });
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw kafkaError(err, settings, 'reading partition offsets');
  }
}
