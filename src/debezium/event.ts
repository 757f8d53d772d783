/**
 * What a record is: a Debezium change event (in any of the shapes consumers meet), a tombstone, a
 * heartbeat, a transaction marker, or not an event at all — decided per record, never per stream.
 *
 * Shapes: `{"schema":…,"payload":…}` (JsonConverter, schemas.enable=true); the bare payload
 * (schemas.enable=false); kcat -J envelopes (`payload` is the value as an escaped string); rows
 * flattened by ExtractNewRecordState (`__op`, `__deleted`, `__table`, `__source_ts_ms`, …).
 */
import { isJsonObject, parseLossless, setOwn, type JsonObject, type JsonValue } from '../json';
import { isConnectSchema, memberSchema, type ConnectSchema } from './schema';

export type EventShape = 'envelope' | 'payload' | 'kcat' | 'unwrapped';
export const CHANGE_OPS = ['c', 'u', 'd', 'r', 't', 'm'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

export interface ChangeEvent {
  shape: EventShape;
  op: ChangeOp;
  before: JsonObject | null;
  after: JsonObject | null;
  /** `source` block (version, connector, ts_ms = commit time, snapshot, db, schema, table, lsn, …). */
  source: JsonObject | null;
  /** Top-level `ts_ms`: when the connector processed the change. */
  tsMs: JsonValue | undefined;
  transaction: JsonObject | null;
  /** Schema of the `before`/`after` rows when the record carried one; undefined when schemaless. */
  rowSchema: ConnectSchema | undefined;
  /** The whole payload as received. */
  payload: JsonObject;
  /** kcat -J only: topic, partition, offset and key of the Kafka record. */
  kafka?: KafkaCoordinates;
}

export interface KafkaCoordinates {
  topic?: string;
  partition?: number;
  offset?: JsonValue;
  key?: JsonValue;
}

export type DebeziumRecord =
  | { kind: 'change'; event: ChangeEvent }
  | { kind: 'tombstone'; kafka?: KafkaCoordinates }
  | { kind: 'heartbeat'; tsMs: JsonValue | undefined; kafka?: KafkaCoordinates }
  | { kind: 'transaction'; status: string; id: JsonValue | undefined; kafka?: KafkaCoordinates }
  | { kind: 'invalid'; reason: string };

/** Parses JSON text (e.g. a kcat payload string). Defaults to the lossless parser. */
export type TextParser = (text: string) => JsonValue;

/** A record inside a record (a JSON string holding the event, a kcat envelope's payload) nests this deep at most. */
const MAX_WRAPPING = 4;

/** Classifies one parsed record. Never throws: anything unusable is `{kind: 'invalid', reason}`. */
export function classifyRecord(value: JsonValue, parseText: TextParser = parseLossless): DebeziumRecord {
  return classifyAt(value, parseText, 0);
}

function classifyAt(value: JsonValue, parseText: TextParser, wrapping: number): DebeziumRecord {
  if (wrapping > MAX_WRAPPING) return { kind: 'invalid', reason: `not a Debezium event: wrapped in more than ${MAX_WRAPPING} envelopes or strings` };
  if (value === null) return { kind: 'tombstone' };
  if (typeof value === 'string') {
    // A value that was JSON-encoded twice (a string holding the event).
    const trimmed = value.trimStart();
    if (trimmed.startsWith('{') || trimmed === 'null') {
      const inner = tryParse(value, parseText);
      if (inner.ok) return classifyAt(inner.value, parseText, wrapping + 1);
    }
    return { kind: 'invalid', reason: 'not a Debezium event: a JSON string' };
  }
  if (!isJsonObject(value)) {
    return { kind: 'invalid', reason: `not a Debezium event: a JSON ${Array.isArray(value) ? 'array' : typeof value === 'object' ? 'number' : typeof value}` };
  }
  if (isKcatEnvelope(value)) return classifyKcat(value, parseText, wrapping);
  if ('payload' in value && ('schema' in value || Object.keys(value).length === 1)) {
    const schema = isConnectSchema(value.schema) ? value.schema : undefined;
    return classifyPayload(value.payload, schema, schema ? 'envelope' : 'payload');
  }
  return classifyPayload(value, undefined, 'payload');
}

function classifyPayload(payload: JsonValue, schema: ConnectSchema | undefined, shape: EventShape): DebeziumRecord {
  if (payload === null) return { kind: 'tombstone' };
  if (!isJsonObject(payload)) return { kind: 'invalid', reason: 'not a Debezium event: payload is not an object' };
  if ('op' in payload && ('after' in payload || 'before' in payload || 'source' in payload)) {
    const op = payload.op;
    if (typeof op !== 'string' || !(CHANGE_OPS as readonly string[]).includes(op)) {
      return { kind: 'invalid', reason: `unknown op ${JSON.stringify(op)} (expected one of ${CHANGE_OPS.join(', ')})` };
    }
    const before = payload.before ?? null;
    const after = payload.after ?? null;
    if ((before !== null && !isJsonObject(before)) || (after !== null && !isJsonObject(after))) {
      return { kind: 'invalid', reason: 'not a Debezium event: before/after is not an object' };
    }
    return {
      kind: 'change',
      event: {
        shape,
        op: op as ChangeOp,
        before,
        after,
        source: isJsonObject(payload.source) ? payload.source : null,
        tsMs: payload.ts_ms,
        transaction: isJsonObject(payload.transaction) ? payload.transaction : null,
        rowSchema: memberSchema(schema, 'after') ?? memberSchema(schema, 'before'),
        payload,
      },
    };
  }
  if (typeof payload.status === 'string' && (payload.status === 'BEGIN' || payload.status === 'END') && 'id' in payload) {
    return { kind: 'transaction', status: payload.status, id: payload.id };
  }
  const keys = Object.keys(payload);
  if (keys.length === 1 && keys[0] === 'ts_ms') return { kind: 'heartbeat', tsMs: payload.ts_ms };
  if ('__op' in payload || '__deleted' in payload) return { kind: 'change', event: unwrappedEvent(payload, schema) };
  // A row schema (`<prefix>.<schema>.<table>.Value`, not `….Envelope`) marks an unwrapped row even
  // when ExtractNewRecordState added no metadata fields.
  if (schema?.type === 'struct' && typeof schema.name === 'string' && schema.name.endsWith('.Value')) {
    return { kind: 'change', event: unwrappedEvent(payload, schema) };
  }
  return {
    kind: 'invalid',
    reason: `not a Debezium event: an object without op/payload (keys: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''})`,
  };
}

/** An ExtractNewRecordState row: data columns plus `__`-prefixed metadata. */
function unwrappedEvent(row: JsonObject, schema: ConnectSchema | undefined): ChangeEvent {
  const data: JsonObject = {};
  for (const key of Object.keys(row)) if (!key.startsWith('__')) setOwn(data, key, row[key]);
  const deleted = row.__deleted === 'true' || row.__deleted === true;
  const declared = typeof row.__op === 'string' && (CHANGE_OPS as readonly string[]).includes(row.__op) ? (row.__op as ChangeOp) : undefined;
  // Without __op a row is an upsert: pivoted as a create unless __deleted says otherwise.
  const op: ChangeOp = deleted ? 'd' : (declared ?? 'c');
  const source: JsonObject = {};
  if (row.__source_ts_ms !== undefined) source.ts_ms = row.__source_ts_ms;
  if (row.__table !== undefined) source.table = row.__table;
  if (row.__lsn !== undefined) source.lsn = row.__lsn;
  return {
    shape: 'unwrapped',
    op,
    before: op === 'd' ? data : null,
    after: op === 'd' ? null : data,
    source: Object.keys(source).length ? source : null,
    tsMs: row.__ts_ms,
    transaction: null,
    rowSchema: schema,
    payload: row,
  };
}

function isKcatEnvelope(value: JsonObject): boolean {
  // The payload is usually the value as an escaped string; a pipeline step such as
  // `jq '.payload |= fromjson'` leaves it as the JSON value itself.
  return (
    'topic' in value &&
    'partition' in value &&
    'offset' in value &&
    'payload' in value &&
    (typeof value.payload === 'string' || value.payload === null || isJsonObject(value.payload))
  );
}

function classifyKcat(value: JsonObject, parseText: TextParser, wrapping: number): DebeziumRecord {
  const kafka: KafkaCoordinates = {
    topic: typeof value.topic === 'string' ? value.topic : undefined,
    partition: typeof value.partition === 'number' ? value.partition : undefined,
    offset: value.offset,
    key: value.key,
  };
  const payload = value.payload as string | JsonObject | null;
  if (payload === null || (typeof payload === 'string' && payload.trim() === '')) return { kind: 'tombstone', kafka };
  const inner = typeof payload === 'string' ? tryParse(payload, parseText) : { ok: true as const, value: payload };
  if (!inner.ok) return { kind: 'invalid', reason: `kcat envelope: payload is not JSON (${inner.error})` };
  const record = classifyAt(inner.value, parseText, wrapping + 1);
  if (record.kind === 'change') return { kind: 'change', event: { ...record.event, shape: 'kcat', kafka } };
  if (record.kind === 'invalid') return record;
  return { ...record, kafka };
}

function tryParse(text: string, parseText: TextParser): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: parseText(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
