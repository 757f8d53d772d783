/** One Kafka record as the consumer core hands it out: bytes untouched, offsets as strings. */
import type { KafkaMessage } from 'kafkajs';

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

export function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    // Read from the message when asked: the record batch decoder (src/kafka/record-batch.ts)
    // decodes them only then, and replaying a topic as JSON lines never asks.
    get key() {
      return message.key ?? null;
    },
    value: message.value ?? null,
    get headers() {
      return message.headers ?? {};
    },
  };
}
