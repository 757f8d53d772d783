/** One Kafka record as the consumer core hands it out: bytes untouched, offsets as strings. */
import type { KafkaMessage } from 'kafkajs';

/** What the consumer core hands out (toRecord: timestamp, key and headers are getters there). */
export interface KafkaRecord {
  topic: string;
  partition: number;
  /** int64 offset as a decimal string. */
  offset: string;
  /** Record timestamp (ms since epoch, as a decimal string), usually when Connect produced it. */
  timestamp: string;
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  /** As kafkajs decoded them (Buffer, string or arrays of those). */
  headers: Record<string, unknown>;
}

/**
 * The record over kafkajs's message. Its timestamp, key and headers are getters, read from the
 * message when asked: the record batch decoder (src/kafka/record-batch.ts) computes them only then,
 * replaying a topic as JSON lines never asks, and a class with getters is what costs least per
 * record (a literal with getters was 7 % of a replay's CPU). So `{ ...record }` copies none of the
 * three: name them (`{ ...record, key: record.key }`) when copying one.
 */
class MessageRecord implements KafkaRecord {
  readonly offset: string;
  readonly value: Buffer | null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly message: KafkaMessage,
  ) {
    this.offset = message.offset;
    this.value = message.value ?? null;
  }

  get timestamp(): string {
    return this.message.timestamp;
  }

  get key(): Buffer | null {
    return this.message.key ?? null;
  }

  get headers(): Record<string, unknown> {
    return this.message.headers ?? {};
  }
}

export function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return new MessageRecord(topic, partition, message);
}
