/** One Kafka record as `cdc watch` passes it around: the consumer core's record. */
import type { KafkaRecord } from '../kafka/consume/record';

export type WatchRecord = KafkaRecord;

export function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(headerText).join(',');
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}
