/**
 * One Kafka record as the sink sees it, and what it means for the target: a change of one row of
 * one source table (with its key, source position and commit time), a truncate, something to skip
 * (tombstones, heartbeats, transaction markers, logical messages) or a bad record that says why.
 * Decoding reuses src/debezium: the sink never has its own idea of what an event is.
 */
import { classifyRecord, type ChangeEvent, type ConnectSchema, type EventTextParser } from '../debezium';
import { isJsonObject, JsonNumber, toBigIntExact, type JsonObject, type JsonValue } from '../json';

/** Bytes as the consumer got them; offsets are int64 decimal strings. */
export interface SinkRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  /** null (or empty) is a tombstone. */
  value: Buffer | null;
}

/** What `--op` of the document and object sinks chooses from: the four row changes and truncate. */
export type SinkOp = 'c' | 'r' | 'u' | 'd' | 't';

export interface SourceTable {
  schema: string;
  table: string;
}

/**
 * Where an event sits in the source's history. Per key, changes are totally ordered by LSN
 * (a row lock orders any two transactions that touch one row). A snapshot read can carry the very
 * LSN of the first streamed change after it, so at equal LSNs the snapshot row comes first.
 */
export interface SourcePosition {
  lsn: bigint;
  snapshot: boolean;
}

export interface SinkChange {
  kind: 'change';
  record: SinkRecord;
  table: SourceTable;
  op: 'c' | 'r' | 'u' | 'd';
  position: SourcePosition;
  /** Commit time in µs since the epoch (source.ts_us, else ts_ns / 1000, else ts_ms × 1000). */
  timeUs: bigint;
  txId: bigint | null;
  /** Primary-key columns, in the order of the Kafka key. */
  keyColumns: string[];
  /** Canonical text of the key values: equal keys, equal text. */
  keyText: string;
  /** `after` for c/r/u, `before` for d. */
  row: JsonObject;
  rowSchema: ConnectSchema;
}

export interface SinkTruncate {
  kind: 'truncate';
  record: SinkRecord;
  table: SourceTable;
  position: SourcePosition;
  timeUs: bigint;
  txId: bigint | null;
}

export type SinkItem =
  | SinkChange
  | SinkTruncate
  | { kind: 'skip'; record: SinkRecord; what: 'tombstone' | 'heartbeat' | 'transaction' | 'message' }
  | { kind: 'bad'; record: SinkRecord; reason: string; hint?: string };

export function decodeSinkRecord(record: SinkRecord, parseText: EventTextParser): SinkItem {
  if (record.value === null || record.value.length === 0) return { kind: 'skip', record, what: 'tombstone' };
  const bad = (reason: string, hint?: string): SinkItem => ({ kind: 'bad', record, reason, hint });
  let value: JsonValue;
  try {
    // As bytes: a schema seen before is compared as bytes and only the payload becomes text.
    value = parseText.bytes(record.value);
  } catch (err) {
    return bad(`not JSON: ${(err as Error).message}`);
  }
  const classified = classifyRecord(value, parseText);
  switch (classified.kind) {
    case 'tombstone':
      return { kind: 'skip', record, what: 'tombstone' };
    case 'heartbeat':
      return { kind: 'skip', record, what: 'heartbeat' };
    case 'transaction':
      return { kind: 'skip', record, what: 'transaction' };
    case 'invalid':
      return bad(classified.reason);
    default:
      break;
  }
  const event = classified.event;
  if (event.op === 'm') return { kind: 'skip', record, what: 'message' };
  if (event.shape === 'unwrapped') {
    return bad(
      'a flattened row (ExtractNewRecordState), not a change event: it has no source position to order by',
      "sink the connector's own topics, without the unwrap transform",
    );
  }
  const source = event.source;
  if (!source || typeof source.table !== 'string') return bad('the event has no source.table');
  const table = { schema: typeof source.schema === 'string' ? source.schema : 'public', table: source.table };
  const position = sourcePosition(source, event.op === 'r');
  if (!position)
    return bad('the event has no source.lsn (nor source.sequence): the sink orders changes by LSN', "the sink reads the PostgreSQL connector's events");
  const timeUs = commitTimeUs(source);
  if (timeUs === undefined) return bad('the event has no commit time (source.ts_ms)');
  const txId = toBigIntExact(source.txId) ?? null;
  if (event.op === 't') return { kind: 'truncate', record, table, position, timeUs, txId };
  return changeOf(record, event, table, position, timeUs, txId, parseText);
}

function changeOf(
  record: SinkRecord,
  event: ChangeEvent,
  table: SourceTable,
  position: SourcePosition,
  timeUs: bigint,
  txId: bigint | null,
  parseText: EventTextParser,
): SinkItem {
  const bad = (reason: string, hint?: string): SinkItem => ({ kind: 'bad', record, reason, hint });
  const op = event.op as SinkChange['op'];
  const row = op === 'd' ? event.before : event.after;
  if (!row) return bad(`a '${op}' event without ${op === 'd' ? 'before' : 'after'}`);
  if (!event.rowSchema || event.rowSchema.type !== 'struct') {
    return bad(
      'the event carries no schema, so the column types are unknown',
      'let the connector write schemas: value.converter.schemas.enable=true (the default)',
    );
  }
  const key = keyPayload(record.key, parseText);
  if (!key || Object.keys(key).length === 0) {
    return bad(
      `table ${table.schema}.${table.table} has no primary key: its events have no Kafka key, so versions cannot be told apart`,
      `add a primary key to the source table, or name key columns in the connector: message.key.columns=${table.schema}.${table.table}:col1,col2 (with REPLICA IDENTITY FULL for deletes)`,
    );
  }
  const keyColumns = Object.keys(key);
  for (const column of keyColumns) {
    if (!(column in row)) return bad(`key column ${column} is not in the row`);
  }
  return { kind: 'change', record, table, op, position, timeUs, txId, keyColumns, keyText: keyTextOf(keyColumns, key), row, rowSchema: event.rowSchema };
}

function keyPayload(key: Buffer | null, parseText: EventTextParser): JsonObject | null {
  if (!key || key.length === 0) return null;
  let parsed: JsonValue;
  try {
    parsed = parseText.bytes(key);
  } catch {
    return null;
  }
  if (isJsonObject(parsed) && 'payload' in parsed && ('schema' in parsed || Object.keys(parsed).length === 1)) parsed = parsed.payload;
  return isJsonObject(parsed) ? parsed : null;
}

function keyTextOf(columns: string[], key: JsonObject): string {
  // One key column (most tables): no array per event.
  if (columns.length === 1) {
    const v = key[columns[0]];
    return v instanceof JsonNumber ? v.text : JSON.stringify(v);
  }
  return columns
    .map((c) => {
      const v = key[c];
      return v instanceof JsonNumber ? v.text : JSON.stringify(v);
    })
    .join('\u0000');
}

/** source.lsn, or the second element of source.sequence (`["<last commit lsn>","<lsn>"]`). */
export function sourcePosition(source: JsonObject, snapshot: boolean): SourcePosition | undefined {
  let lsn = toBigIntExact(source.lsn);
  if (lsn === undefined && typeof source.sequence === 'string') {
    try {
      const sequence = JSON.parse(source.sequence) as unknown;
      if (Array.isArray(sequence) && typeof sequence[1] === 'string' && /^\d+$/.test(sequence[1])) lsn = BigInt(sequence[1]);
    } catch {
      lsn = undefined;
    }
  }
  return lsn === undefined ? undefined : { lsn, snapshot };
}

/** Commit time in µs: the most precise of ts_us, ts_ns and ts_ms that the source block carries. */
export function commitTimeUs(source: JsonObject): bigint | undefined {
  const us = toBigIntExact(source.ts_us);
  if (us !== undefined) return us;
  const ns = toBigIntExact(source.ts_ns);
  if (ns !== undefined) return ns / 1000n;
  const ms = toBigIntExact(source.ts_ms);
  return ms === undefined ? undefined : ms * 1000n;
}

/** -1, 0, 1: source order of two positions (snapshot rows first at equal LSNs). */
export function comparePositions(a: SourcePosition, b: SourcePosition): number {
  if (a.lsn !== b.lsn) return a.lsn < b.lsn ? -1 : 1;
  if (a.snapshot !== b.snapshot) return a.snapshot ? -1 : 1;
  return 0;
}
