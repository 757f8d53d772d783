/**
 * Records captured from the real stack (Debezium 3.4.3, JsonConverter with schemas): a snapshot read,
 * an update, a create, a delete and its tombstone of table wdev.holding, whose row holds a
 * NUMERIC(12,4), a bigint beyond 2^53, a jsonb, timestamps, and text with an ESC and a BEL.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WatchRecord } from '../../src/watch/record';

interface Captured {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
}

export function capturedRecords(): WatchRecord[] {
  const file = path.join(__dirname, 'fixtures', 'watch-records.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const c = JSON.parse(line) as Captured;
      return {
        topic: c.topic,
        partition: c.partition,
        offset: c.offset,
        timestamp: c.timestamp,
        key: c.key === null ? null : Buffer.from(c.key),
        value: c.value === null ? null : Buffer.from(c.value),
        headers: { '__debezium.context.connectorLogicalName': Buffer.from('wdev') },
      };
    });
}

/** The same records by op: read, update, create, delete, tombstone. */
export function byOp(): Record<'r' | 'u' | 'c' | 'd' | 'tombstone', WatchRecord> {
  const [r, u, c, d, tombstone] = capturedRecords();
  return { r, u, c, d, tombstone };
}
