/**
 * Column values as MongoDB documents want them, from the schema the event carries: decimals as
 * Decimal128 (exact), dates and timestamps as BSON dates, integers beyond 2^53 as Int64, bytes as
 * binary, JSON columns as nested documents. Everything else as `cdc parse` decodes it.
 */
import type { Binary, Decimal128, Long } from 'mongodb';
import { decodeValue, isUnchanged, structSchema, type ConnectSchema, type Decoded } from '../../debezium';
import { JsonNumber, type JsonObject, type JsonValue } from '../../json';

export interface Bson {
  Decimal128: typeof Decimal128;
  Long: typeof Long;
  Binary: typeof Binary;
}

export type MongoValue = unknown;

/** A row as a document; TOAST columns whose value is not in the event are left out (listed in `unchanged`). */
export function rowDocument(bson: Bson, row: JsonObject, rowSchema: ConnectSchema): { doc: Record<string, MongoValue>; unchanged: string[] } {
  const byName = structSchema(rowSchema).byName;
  const doc: Record<string, MongoValue> = {};
  const unchanged: string[] = [];
  for (const column of Object.keys(row)) {
    const schema = byName.get(column);
    const decoded = decodeValue(row[column], schema);
    if (isUnchanged(decoded)) {
      unchanged.push(column);
      continue;
    }
    doc[column] = toMongo(bson, decoded, row[column], schema);
  }
  return { doc, unchanged };
}

const DATE_NAMES = new Set(['io.debezium.time.Date', 'org.apache.kafka.connect.data.Date']);
const TIMESTAMP_NAMES = new Set([
  'io.debezium.time.Timestamp',
  'org.apache.kafka.connect.data.Timestamp',
  'io.debezium.time.MicroTimestamp',
  'io.debezium.time.NanoTimestamp',
  'io.debezium.time.ZonedTimestamp',
]);
const DECIMAL_NAMES = new Set(['org.apache.kafka.connect.data.Decimal', 'io.debezium.data.VariableScaleDecimal']);

export function toMongo(bson: Bson, decoded: Decoded, raw: JsonValue | undefined, schema: ConnectSchema | undefined): MongoValue {
  if (decoded === null || decoded === undefined) return null;
  const name = schema?.name;
  if (name && typeof decoded === 'string') {
    if (DECIMAL_NAMES.has(name) && /^-?\d+(\.\d+)?(E[+-]?\d+)?$/i.test(decoded)) return bson.Decimal128.fromString(decoded);
    if (DATE_NAMES.has(name)) return asDate(`${decoded}T00:00:00Z`, decoded);
    // Timestamps without a zone are the source's wall clock, stored as UTC (as Debezium encodes them).
    if (TIMESTAMP_NAMES.has(name)) return asDate(/(Z|[+-]\d{2}:?\d{2})$/.test(decoded) ? decoded : `${decoded}Z`, decoded);
  }
  if (schema?.type === 'bytes' && !name && typeof raw === 'string') return new bson.Binary(Buffer.from(raw, 'base64'));
  if (decoded instanceof JsonNumber) return numberOf(bson, decoded);
  if (typeof decoded === 'bigint') return bson.Long.fromBigInt(decoded);
  if (Array.isArray(decoded)) {
    const items = schema?.type === 'array' ? schema.items : undefined;
    return decoded.map((item, i) => toMongo(bson, item, Array.isArray(raw) ? raw[i] : undefined, items));
  }
  if (typeof decoded === 'object') {
    const out: Record<string, MongoValue> = {};
    for (const [key, value] of Object.entries(decoded as Record<string, Decoded>)) out[key] = toMongo(bson, value, undefined, undefined);
    return out;
  }
  return decoded;
}

/** An exact number: a safe integer as a number, a larger one as Int64, a fraction as Decimal128. */
function numberOf(bson: Bson, value: JsonNumber): MongoValue {
  if (value.isInteger) {
    const big = value.toBigInt();
    if (big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(big);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return bson.Long.fromBigInt(big);
  }
  return bson.Decimal128.fromString(value.text);
}

/** Out-of-range times (PostgreSQL's infinity) keep their text rather than becoming an invalid date. */
function asDate(iso: string, text: string): MongoValue {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? text : date;
}
