/**
 * What `cdc watch` needs to know about one record to filter and show it, classified with the same
 * code as `cdc parse` (src/debezium). Parsed losslessly, once, and only when needed: piping raw
 * values without filters never parses at all.
 */
import { classifyRecord, createEventTextParser, type DebeziumRecord } from '../debezium';
import { isJsonObject, parseLossless, type JsonValue } from '../json';
import type { WatchRecord } from './record';

export interface WatchEvent {
  /** What the value is: change event, tombstone, heartbeat, transaction marker, or invalid. */
  record: DebeziumRecord;
  /** The whole parsed value (envelope with schema, if any); undefined for tombstones and non-JSON. */
  value?: JsonValue;
  /** `c u d r t m` for change events, `tombstone` for a null value. */
  op?: string;
  /** `schema.table` from `source` (or `__table` of a flattened row). */
  table?: string;
  /** Commit time in the database (source.ts_ms), ms since epoch. */
  commitMs?: number;
  /** The key's payload, e.g. `{"holding_id":1000}`. */
  key?: JsonValue;
}

// One schema cache for the process: events of a table repeat the same schema text.
const parseText = createEventTextParser();
const cache = new WeakMap<WatchRecord, WatchEvent>();

export function eventOf(record: WatchRecord): WatchEvent {
  let event = cache.get(record);
  if (!event) {
    event = describe(record);
    cache.set(record, event);
  }
  return event;
}

function describe(record: WatchRecord): WatchEvent {
  const key = keyPayload(record.key);
  if (record.value === null || record.value.length === 0) {
    return { record: { kind: 'tombstone' }, op: 'tombstone', key };
  }
  let value: JsonValue;
  try {
    value = parseText(record.value.toString('utf8'));
  } catch (err) {
    return { record: { kind: 'invalid', reason: `not JSON: ${(err as Error).message}` }, key };
  }
  const classified = classifyRecord(value, parseText);
  const event: WatchEvent = { record: classified, value, key };
  if (classified.kind === 'tombstone') event.op = 'tombstone';
  if (classified.kind === 'change') {
    const { op, source } = classified.event;
    event.op = op;
    if (source) {
      if (typeof source.table === 'string') {
        event.table = typeof source.schema === 'string' ? `${source.schema}.${source.table}` : source.table;
      }
      const ts = Number(source.ts_ms);
      if (source.ts_ms !== undefined && source.ts_ms !== null && Number.isFinite(ts)) event.commitMs = ts;
    }
  }
  return event;
}

/** The key's payload: `{"schema":…,"payload":{…}}` unwrapped; schemaless keys as they are. */
function keyPayload(bytes: Buffer | null): JsonValue | undefined {
  if (bytes === null || bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  try {
    const key = parseLossless(text);
    if (isJsonObject(key) && 'payload' in key && 'schema' in key) return key.payload;
    return key;
  } catch {
    return text;
  }
}
