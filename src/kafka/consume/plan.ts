/**
 * Before consuming: checks that the topics and partitions exist and records, per partition, what
 * it holds and where reading starts when nothing is stored.
 */
import type { Admin } from 'kafkajs';
import { NotFoundError, UsageError } from '../../errors';
import { kafkaError } from '../client';
import type { KafkaSettings } from '../options';
import { startOffset, type PartitionRange, type StartPosition } from './positions';
import { similarTopics } from './topics';
import type { PartitionTracker } from './tracker';

export interface PlanRequest {
  topics: readonly string[];
  /** Only these partitions of every topic (a fixed assignment). */
  partitions?: readonly number[];
  start: StartPosition;
}

export async function planPartitions(admin: Admin, settings: KafkaSettings, request: PlanRequest, tracker: PartitionTracker): Promise<void> {
  await checkTopics(admin, settings, request.topics);
  try {
    for (const topic of request.topics) {
      const ranges: PartitionRange[] = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: p.low, high: p.high }));
      const wanted = request.partitions ? pick(topic, ranges, request.partitions) : ranges;
      const byTime = request.start.kind === 'time' ? await admin.fetchTopicOffsetsByTimestamp(topic, request.start.ms) : [];
      for (const range of wanted) {
        const timeOffset = byTime.find((t) => t.partition === range.partition)?.offset;
        const start = startOffset(request.start, range, timeOffset);
        tracker.add({ topic, partition: range.partition }, { low: BigInt(range.low), high: BigInt(range.high), start: BigInt(start) });
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw kafkaError(err, settings, 'reading partition offsets');
  }
}

async function checkTopics(admin: Admin, settings: KafkaSettings, topics: readonly string[]): Promise<void> {
  let existing: string[];
  try {
    existing = await admin.listTopics();
  } catch (err) {
    throw kafkaError(err, settings, 'listing topics');
  }
  for (const topic of topics) {
    if (existing.includes(topic)) continue;
    const similar = similarTopics(topic, existing);
    throw new NotFoundError(
      `topic '${topic}' does not exist on ${settings.brokers.value.join(',')}`,
      similar.length > 0
        ? `did you mean: ${similar.join(', ')}?`
        : "Debezium creates a table's topic with its first event (<topic.prefix>.<schema>.<table>); check the connector with `cdc connector status`",
    );
  }
}

function pick(topic: string, ranges: PartitionRange[], partitions: readonly number[]): PartitionRange[] {
  const known = new Set(ranges.map((r) => r.partition));
  const unknown = partitions.filter((p) => !known.has(p));
  if (unknown.length > 0) {
    throw new UsageError(`topic '${topic}' has no partition ${unknown.join(', ')}`, `its partitions are 0–${ranges.length - 1}`);
  }
  return ranges.filter((r) => partitions.includes(r.partition));
}
