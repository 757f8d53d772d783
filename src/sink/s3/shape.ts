/**
 * What one change event becomes in object storage, in three shapes:
 * - flat (the tutorials' Spark job): before_<col> and after_<col> for every column, op, ts_ms,
 *   source table and LSN, and the Kafka coordinates; values decoded as `cdc parse` decodes them;
 * - envelope: Debezium's record as it is, with the Kafka coordinates;
 * - pivot: holding_pivot rows, as `cdc parse` writes them.
 * Each row keeps the raw value and schema of every column beside the decoded one, so the Parquet
 * writer can give columns their real types (decimal, timestamp, int64 …).
 */
import { decodeColumn, rowColumns, structSchema, type ChangeEvent, type ConnectSchema, type Decoded } from '../../debezium';
import { JsonNumber, parseLossless, toBigIntExact, type JsonObject, type JsonValue } from '../../json';
import { DEFAULT_PIVOT_OPTIONS, pivotEvent, type PivotOptions } from '../../parse/pivot';
import type { SinkRecord } from '../record';

export type Shape = 'flat' | 'envelope' | 'pivot';

/** One output column value: decoded for JSON, raw + schema for typed Parquet columns. */
export interface Cell {
  value: Decoded;
  raw?: JsonValue;
  schema?: ConnectSchema;
}

export type ShapedRow = Map<string, Cell>;

export interface Coordinates {
  topic: string;
  partition: number;
  offset: string;
}

// One schema object each, shared by every row: rows written to disk (./spill.ts) store a schema once.
const INT32: ConnectSchema = { type: 'int32' };
const INT64: ConnectSchema = { type: 'int64' };
const JSON_TEXT: ConnectSchema = { type: 'string', name: 'io.debezium.data.Json' };

function coordinates(row: ShapedRow, record: SinkRecord): void {
  row.set('kafka_topic', { value: record.topic });
  row.set('kafka_partition', { value: record.partition, schema: INT32 });
  row.set('kafka_offset', { value: new JsonNumber(record.offset), schema: INT64 });
}

/** Decoded columns of one side of a change, prefixed (before_/after_); absent side: nulls. */
function side(out: ShapedRow, prefix: string, columns: string[], row: JsonObject | null, schema: ConnectSchema | undefined): void {
  const byName = schema?.type === 'struct' ? structSchema(schema).byName : undefined;
  for (const column of columns) {
    const columnSchema = byName?.get(column);
    if (!row || !(column in row)) {
      out.set(prefix + column, { value: null, schema: columnSchema });
      continue;
    }
    out.set(prefix + column, { value: decodeColumn(row, column, columnSchema), raw: row[column], schema: columnSchema });
  }
}

export function flatRow(event: ChangeEvent, record: SinkRecord): ShapedRow {
  const row: ShapedRow = new Map();
  const columns = rowColumns(event.after ?? event.before, event.rowSchema);
  for (const c of rowColumns(event.before, event.rowSchema)) if (!columns.includes(c)) columns.push(c);
  side(row, 'before_', columns, event.before, event.rowSchema);
  side(row, 'after_', columns, event.after, event.rowSchema);
  const source = event.source ?? {};
  row.set('op', { value: event.op });
  row.set('ts_ms', { value: source.ts_ms ?? event.tsMs ?? null, raw: source.ts_ms ?? event.tsMs, schema: INT64 });
  row.set('source_table', {
    value: typeof source.table === 'string' ? `${typeof source.schema === 'string' ? `${source.schema}.` : ''}${source.table}` : null,
  });
  const lsn = toBigIntExact(source.lsn);
  row.set('source_lsn', { value: lsn === undefined ? null : new JsonNumber(lsn.toString()), schema: INT64 });
  coordinates(row, record);
  return row;
}

export function envelopeRow(record: SinkRecord): ShapedRow {
  const row: ShapedRow = new Map();
  coordinates(row, record);
  const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
  const parse = (b: Buffer | null): JsonValue => {
    if (b === null) return null;
    try {
      return parseLossless(b.toString('utf8'));
    } catch {
      return b.toString('utf8');
    }
  };
  // In JSON the key and value stay nested documents; in Parquet they are JSON text columns.
  row.set('key', { value: parse(record.key), raw: text(record.key), schema: JSON_TEXT });
  row.set('value', { value: parse(record.value), raw: text(record.value), schema: JSON_TEXT });
  return row;
}

export function pivotRows(event: ChangeEvent, record: SinkRecord, options: PivotOptions = DEFAULT_PIVOT_OPTIONS): ShapedRow[] | { invalid: string } {
  const result = pivotEvent(event, options);
  if (!result.ok) return { invalid: result.reason };
  return result.rows.map((p) => {
    const row: ShapedRow = new Map();
    options.identity.forEach((name, i) => row.set(name, { value: p.identity[i] ?? null }));
    row.set('change_field', { value: p.field });
    row.set('old_value', { value: p.oldValue });
    row.set('new_value', { value: p.newValue });
    row.set('datetime_created', { value: p.created });
    row.set('datetime_updated', { value: p.updated });
    row.set('datetime_deleted', { value: p.deleted });
    row.set('op', { value: p.op });
    coordinates(row, record);
    return row;
  });
}
