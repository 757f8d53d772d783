/**
 * Debezium change events: recognising them and decoding their values. Shared by `cdc parse` and
 * `cdc watch`.
 *
 *   const parseText = createEventTextParser();          // lossless JSON, schema parsed once per table
 *   const record = classifyRecord(parseText(line));      // change | tombstone | heartbeat | transaction | invalid
 *   if (record.kind === 'change') {
 *     const row = decodeRow(record.event.after, record.event.rowSchema);   // { column: Decoded }
 *     formatDecoded(row.amount);                          // '1234.50', '2026-01-02T03:04:05.123456', '(unchanged)'
 *   }
 *
 * Parsed schema objects are shared between events: treat every returned value as read-only.
 */
import { setOwn, stringifyLossless, type JsonObject } from '../json';
import { DecodeError, decodeValue, isUnchanged, type Decoded, type DecodeOptions } from './decode';
import { structSchema, type ConnectSchema } from './schema';

export {
  classifyRecord,
  CHANGE_OPS,
  type ChangeEvent,
  type ChangeOp,
  type DebeziumRecord,
  type EventShape,
  type KafkaCoordinates,
  type TextParser,
} from './event';
export { createEventTextParser, type EventTextParser } from './envelope-text';
export {
  DecodeError,
  decodeValue,
  decimalFromBase64,
  isToastPlaceholder,
  isUnchanged,
  TOAST_PLACEHOLDER,
  UNCHANGED,
  type Decoded,
  type DecodeOptions,
  type Unchanged,
} from './decode';
export { isConnectSchema, memberSchema, structSchema, type ConnectField, type ConnectSchema, type StructSchema } from './schema';
export { isoDate, isoDurationMicros, isoInstantMs, isoTimeOfDay, isoTimestamp, NEGATIVE_INFINITY_TS, POSITIVE_INFINITY_TS } from './time';

/** Columns of a row in schema order (schemaless: the row's key order). */
export function rowColumns(row: JsonObject | null, rowSchema: ConnectSchema | undefined): string[] {
  if (rowSchema?.type === 'struct' && rowSchema.fields) return structSchema(rowSchema).columns;
  return row ? Object.keys(row) : [];
}

/** Decodes every column of a row with the row's schema; throws DecodeError (naming the column) for a value that does not fit. */
export function decodeRow(row: JsonObject | null, rowSchema: ConnectSchema | undefined, options: DecodeOptions = {}): Record<string, Decoded> | null {
  if (!row) return null;
  const byName = rowSchema?.type === 'struct' ? structSchema(rowSchema).byName : undefined;
  const out: Record<string, Decoded> = {};
  for (const column of Object.keys(row)) setOwn(out, column, decodeColumn(row, column, byName?.get(column), options));
  return out;
}

/** One column of a row, decoded; a DecodeError names the column. */
export function decodeColumn(row: JsonObject, column: string, schema: ConnectSchema | undefined, options: DecodeOptions = {}): Decoded {
  try {
    return decodeValue(row[column], schema, options);
  } catch (err) {
    if (err instanceof DecodeError) err.inColumn(column);
    throw err;
  }
}

/** One decoded value as display text: nested values as compact JSON, null as `null`, UNCHANGED as `(unchanged)`. */
export function formatDecoded(value: Decoded): string {
  if (value === null) return 'null';
  if (isUnchanged(value)) return '(unchanged)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return stringifyLossless(value);
}
