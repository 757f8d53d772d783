/**
 * Typed partition keys. A partition is named by its topic and number everywhere in the consumer
 * core; maps keyed by partitions nest topic → number, so no key is ever a string split by hand.
 */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `topic[partition]`, as Kafka tools print it. For messages only, never parsed back. */
export const partitionName = (tp: TopicPartition): string => `${tp.topic}[${tp.partition}]`;

export class PartitionMap<V> {
  private readonly byTopic = new Map<string, Map<number, V>>();

  get(tp: TopicPartition): V | undefined {
    return this.byTopic.get(tp.topic)?.get(tp.partition);
  }

  has(tp: TopicPartition): boolean {
    return this.byTopic.get(tp.topic)?.has(tp.partition) ?? false;
  }

  set(tp: TopicPartition, value: V): this {
    let partitions = this.byTopic.get(tp.topic);
    if (!partitions) this.byTopic.set(tp.topic, (partitions = new Map<number, V>()));
    partitions.set(tp.partition, value);
    return this;
  }

  delete(tp: TopicPartition): boolean {
    const partitions = this.byTopic.get(tp.topic);
    const deleted = partitions?.delete(tp.partition) ?? false;
    if (partitions?.size === 0) this.byTopic.delete(tp.topic);
    return deleted;
  }

  get size(): number {
    let n = 0;
    for (const partitions of this.byTopic.values()) n += partitions.size;
    return n;
  }

  /** Entries sorted by topic, then partition: stable output for notes and status lines. */
  entries(): Array<[TopicPartition, V]> {
    return [...this.byTopic.keys()]
      .sort()
      .flatMap((topic) =>
        [...this.byTopic.get(topic)!.entries()].sort(([a], [b]) => a - b).map(([partition, v]): [TopicPartition, V] => [{ topic, partition }, v]),
      );
  }

  keys(): TopicPartition[] {
    return this.entries().map(([tp]) => tp);
  }

  values(): V[] {
    return this.entries().map(([, v]) => v);
  }
}

/** kafkajs's shape for a set of partitions: one entry per topic, partitions sorted. */
export function byTopic(partitions: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const map = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = map.get(topic) ?? [];
    if (!list.includes(partition)) list.push(partition);
    map.set(topic, list);
  }
  return [...map.keys()].sort().map((topic) => ({ topic, partitions: map.get(topic)!.sort((a, b) => a - b) }));
}

/** The partitions of kafkajs's `{ topic: [partitions] }` assignment. */
export function fromAssignment(assignment: Record<string, number[]>): TopicPartition[] {
  return Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
}
