/** One Kafka record as `cdc watch` passes it around: bytes untouched, offsets as strings. */
export interface WatchRecord {
  topic: string;
  partition: number;
  /** int64 offset as a decimal string. */
  offset: string;
  /** Record timestamp (ms since epoch, as a decimal string), usually when Connect produced it. */
  timestamp: string;
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  /** As kafkajs decoded them (Buffer, string or arrays of those); see headerText(). */
  headers: Record<string, unknown>;
}

export function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(headerText).join(',');
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}
