/**
 * Change events to holding_pivot rows: one row per tracked field per event.
 *
 *   c / r  old empty,        new = after.f,  datetime_created = after.<created column>
 *   u      old = before.f,   new = after.f,  datetime_updated = event time
 *   d      old = before.f,   new empty,      datetime_deleted = event time
 *
 * Event time is the commit time (`source.ts_ms`), else the connector's `ts_ms`. Identity columns come
 * from `after` (from `before` for deletes). A TOAST placeholder in `after` means "unchanged": the new
 * value is the old one when the event has it, and is never the placeholder.
 */
import { decodeColumn, DecodeError, isUnchanged, rowColumns, structSchema, type ChangeEvent, type ConnectSchema, type Decoded } from '../debezium';
import { isoInstantMs } from '../debezium/time';
import { isJsonObject, JsonNumber, stringifyLossless, toBigIntExact, type JsonObject, type JsonValue } from '../json';

export interface PivotOptions {
  /** Columns that identify the row (default holding_id, user_id). */
  identity: string[];
  /** Tracked columns, or '*' for every non-identity column. */
  fields: string[] | '*';
  /** Column holding the row's creation time (default datetime_created). */
  createdColumn: string;
  changedOnly: boolean;
  rawValues: boolean;
}

export const DEFAULT_PIVOT_OPTIONS: PivotOptions = {
  identity: ['holding_id', 'user_id'],
  fields: ['holding_stock', 'holding_quantity'],
  createdColumn: 'datetime_created',
  changedOnly: false,
  rawValues: false,
};

/** The columns after the identity columns, in output order. */
export const PIVOT_TAIL_COLUMNS = [
  'change_field',
  'old_value',
  'new_value',
  'datetime_created',
  'datetime_updated',
  'datetime_deleted',
  'datetime_inserted',
  'op',
] as const;

/** identity values…, change_field, old, new, created, updated, deleted, op (datetime_inserted is added when written). */
export interface PivotRow {
  identity: Decoded[];
  field: string;
  oldValue: Decoded;
  newValue: Decoded;
  created: Decoded;
  updated: Decoded;
  deleted: Decoded;
  op: string;
}

/** Things worth saying once per run (the caller de-duplicates by key). */
export type PivotNote = 'before-missing' | 'flattened-update' | 'before-keys-only' | 'toast-unknown' | 'schemaless';

export type PivotResult = { ok: true; rows: PivotRow[]; notes: PivotNote[] } | { ok: false; reason: string };

/** Rows of one event, or why the event is invalid (a missing column, a value that does not fit its schema). */
export function pivotEvent(event: ChangeEvent, options: PivotOptions): PivotResult {
  try {
    return pivotRows(event, options);
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: err.reason };
    throw err;
  }
}

/** Decode options per --raw-values, made once (pivotRows is the hot path of `cdc parse`). */
const DECODE_RAW = { raw: true };
const DECODE_VALUES = { raw: false };

function pivotRows(event: ChangeEvent, options: PivotOptions): PivotResult {
  const notes: PivotNote[] = [];
  const { op, before, after } = event;
  const image = op === 'd' ? before : after;
  if (!image) {
    return {
      ok: false,
      reason:
        op === 'd'
          ? 'delete event without `before`: the deleted row cannot be identified (REPLICA IDENTITY NOTHING?)'
          : `${op === 'u' ? 'update' : op === 'r' ? 'snapshot read' : 'create'} event without \`after\``,
    };
  }
  if (!event.rowSchema && !options.rawValues) notes.push('schemaless');
  const byName = event.rowSchema?.type === 'struct' ? structSchema(event.rowSchema).byName : undefined;
  const decodeOptions = options.rawValues ? DECODE_RAW : DECODE_VALUES;
  const decode = (row: JsonObject | null, column: string): Decoded => (row ? decodeColumn(row, column, byName?.get(column), decodeOptions) : null);

  // Own columns only: `--identity constructor` must not find Object.prototype's.
  if (!hasAll(image, options.identity)) {
    const missingIdentity = options.identity.filter((column) => !Object.hasOwn(image, column));
    return { ok: false, reason: missingColumns('identity', missingIdentity, image, '--identity') };
  }
  // ExtractNewRecordState's schema lists its `__op`, `__deleted`, … fields; they are metadata, not columns.
  const fields =
    options.fields === '*'
      ? rowColumns(image, event.rowSchema).filter((c) => !options.identity.includes(c) && !(c.startsWith('__') && !Object.hasOwn(image, c)))
      : options.fields;
  if (!hasAll(image, fields)) {
    const missingFields = fields.filter((column) => !Object.hasOwn(image, column));
    return { ok: false, reason: missingColumns('tracked', missingFields, image, '--fields') };
  }

  const identity: Decoded[] = [];
  for (const column of options.identity) identity.push(decode(image, column));
  const eventTime = op === 'u' || op === 'd' ? eventTimeOf(event, options.rawValues) : null;
  const created = op === 'c' || op === 'r' ? decode(after, options.createdColumn) : null;
  // Flattened rows (no `op` in the payload) never carry `before`, whatever the replica identity.
  if (op === 'u' && !before) notes.push('op' in event.payload ? 'before-missing' : 'flattened-update');
  const keysOnly = op === 'd' && onlyIdentity(before!, options.identity, byName);
  if (keysOnly) notes.push('before-keys-only');

  const rows: PivotRow[] = [];
  for (const field of fields) {
    // A keys-only `before` holds fillers (null, 0, '', the column default), not the deleted values.
    const oldValue = op === 'c' || op === 'r' || keysOnly ? null : decode(before, field);
    let newValue = op === 'd' ? null : decode(after, field);
    if (isUnchanged(newValue)) {
      // Unchanged TOASTed column: never a change; its value is the old one if the event carries it.
      if (options.changedOnly) continue;
      if (oldValue === null || isUnchanged(oldValue)) notes.push('toast-unknown');
      newValue = isUnchanged(oldValue) ? null : oldValue;
    }
    if (options.changedOnly && op === 'u' && before && sameValue(oldValue, newValue)) continue;
    rows.push({
      identity,
      field,
      oldValue: isUnchanged(oldValue) ? null : oldValue,
      newValue,
      created,
      updated: op === 'u' ? eventTime : null,
      deleted: op === 'd' ? eventTime : null,
      op,
    });
  }
  return { ok: true, rows, notes };
}

/** The commit time (`source.ts_ms`, else `ts_ms`) as ISO-8601; throws DecodeError when it is not an int64 count of ms. */
function eventTimeOf(event: ChangeEvent, raw: boolean): Decoded {
  const fromSource = event.source?.ts_ms;
  const value: JsonValue | undefined = fromSource ?? event.tsMs;
  if (value === undefined || value === null || raw) return value ?? null;
  // A safe integer is an int64: no BigInt needed.
  if (Number.isSafeInteger(value)) return isoInstantMs(value as number);
  const ms = value instanceof JsonNumber && value.text.length > 20 ? undefined : toBigIntExact(value);
  if (ms === undefined || ms < INT64_MIN || ms > INT64_MAX) {
    const text = stringifyLossless(value);
    throw new DecodeError(
      `${fromSource === undefined || fromSource === null ? 'ts_ms' : 'source.ts_ms'} ${text.length > 48 ? text.slice(0, 45) + '…' : text} is not a time in epoch milliseconds (an int64)`,
    );
  }
  return isoInstantMs(ms);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * A delete under REPLICA IDENTITY DEFAULT: PostgreSQL sends only the key, and Debezium fills every
 * other column with null, or — for a NOT NULL column — its default or the type's zero (0, '', false,
 * [], zero bytes, epoch 0, as Debezium 3.4.3 writes them). A FULL delete of a row made only of such
 * values looks the same; that is rare, and the note says what was assumed.
 */
function onlyIdentity(row: JsonObject, identity: string[], byName: Map<string, ConnectSchema> | undefined): boolean {
  let others = 0;
  for (const column of Object.keys(row)) {
    if (identity.includes(column)) continue;
    others++;
    const value = row[column];
    if (value !== null && !isFiller(value, byName?.get(column))) return false;
  }
  return others > 0;
}

function isFiller(value: JsonValue, schema: ConnectSchema | undefined): boolean {
  if (!schema || schema.optional !== false) return false;
  if (schema.default !== undefined && schema.default !== null) return stringifyLossless(value) === stringifyLossless(schema.default);
  if (value === 0 || value === '' || value === false) return true;
  if (value instanceof JsonNumber) return /^-?0(\.0*)?$/.test(value.text);
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'string') {
    if (schema.type === 'bytes') return isZeroBytes(value);
    if (schema.name === 'io.debezium.time.ZonedTimestamp') return /^1970-01-01T00:00:00(\.0+)?Z$/.test(value);
    if (schema.name === 'io.debezium.time.ZonedTime') return /^00:00:00(\.0+)?Z$/.test(value);
    return false;
  }
  // NUMERIC without a scale (VariableScaleDecimal): {"scale":0,"value":"AA=="}
  return isJsonObject(value) && typeof value.value === 'string' && isZeroBytes(value.value);
}

function isZeroBytes(base64: string): boolean {
  return Buffer.from(base64, 'base64').every((b) => b === 0);
}

function sameValue(a: Decoded, b: Decoded): boolean {
  if (a === b) return true;
  if (a === null || b === null || isUnchanged(a) || isUnchanged(b)) return false;
  return stringifyLossless(a) === stringifyLossless(b);
}

/** True when the row has every one of these columns as its own. */
function hasAll(row: JsonObject, columns: readonly string[]): boolean {
  for (let k = 0; k < columns.length; k++) if (!Object.hasOwn(row, columns[k])) return false;
  return true;
}

function missingColumns(kind: string, missing: string[], row: JsonObject, option: string): string {
  const columns = Object.keys(row);
  const shown = columns.slice(0, 8).join(', ') + (columns.length > 8 ? ', …' : '');
  return `no ${kind} column ${missing.join(', ')} in the row (columns: ${shown}); name this table's columns with ${option}`;
}
