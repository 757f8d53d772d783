/**
 * Column values from Debezium's JSON encoding to human values, guided by the Kafka Connect schema the
 * event carried. Exact: integers stay JsonNumber/BigInt-backed, decimals become decimal strings.
 */
import { createHash } from 'node:crypto';
import { isJsonObject, parseLossless, toBigIntExact, type JsonValue } from '../json';
import { structSchema, type ConnectSchema } from './schema';
import { isoDate, isoDurationMicros, isoTimeOfDay, isoTimestamp } from './time';

/** What Debezium writes for an unchanged TOASTed column under REPLICA IDENTITY DEFAULT. */
export const TOAST_PLACEHOLDER = '__debezium_unavailable_value';
const TOAST_BASE64 = Buffer.from(TOAST_PLACEHOLDER).toString('base64');
/** uuid[] columns: Java's UUID.nameUUIDFromBytes of the placeholder (an MD5, version 3 UUID). */
const TOAST_UUID = nameUuid(TOAST_PLACEHOLDER);
/** hstore columns (hstore.handling.mode=json): the map {placeholder: placeholder} as JSON text. */
const TOAST_HSTORE_JSON = JSON.stringify({ [TOAST_PLACEHOLDER]: TOAST_PLACEHOLDER });

function nameUuid(name: string): string {
  const md5 = createHash('md5').update(name).digest();
  md5[6] = (md5[6] & 0x0f) | 0x30;
  md5[8] = (md5[8] & 0x3f) | 0x80;
  const hex = md5.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An unchanged TOASTed column: its value is not in the event. Never a value to write downstream. */
export const UNCHANGED: { readonly unchanged: true } = Object.freeze({ unchanged: true as const });
export type Unchanged = typeof UNCHANGED;

/**
 * A decoded value: JSON-like, where strings carry ISO dates, decimal digits, `\x…` bytes and bit
 * strings, Json columns are nested values, and UNCHANGED marks a TOAST placeholder.
 */
export type Decoded = JsonValue | Unchanged | Decoded[] | { [key: string]: Decoded };

export function isUnchanged(value: unknown): value is Unchanged {
  return value === UNCHANGED;
}

/**
 * True when a raw value is the TOAST placeholder in any of the encodings Debezium's PostgreSQL
 * connector uses (UnchangedToastedPlaceholder): text, bytes (base64), hstore (map or JSON text),
 * int[]/bigint[] (the placeholder's byte values), text[]/bytea[]/uuid[] (a one-element array).
 */
export function isToastPlaceholder(value: JsonValue | undefined): boolean {
  if (typeof value === 'string') return value === TOAST_PLACEHOLDER || value === TOAST_BASE64 || value === TOAST_HSTORE_JSON;
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0] === TOAST_PLACEHOLDER || value[0] === TOAST_BASE64 || value[0] === TOAST_UUID;
    return value.length === TOAST_PLACEHOLDER.length && value.every((item, i) => item === TOAST_PLACEHOLDER.charCodeAt(i));
  }
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 1 && keys[0] === TOAST_PLACEHOLDER && value[TOAST_PLACEHOLDER] === TOAST_PLACEHOLDER;
  }
  return false;
}

export interface DecodeOptions {
  /** Keep Debezium's encoding (base64 decimals, epoch numbers); only the TOAST placeholder is still UNCHANGED. */
  raw?: boolean;
}

/** Decodes one value with its schema; without a schema the value is returned as Debezium wrote it. */
export function decodeValue(value: JsonValue | undefined, schema: ConnectSchema | undefined, options: DecodeOptions = {}): Decoded {
  if (value === undefined || value === null) return null;
  if (isToastPlaceholder(value)) return UNCHANGED;
  if (!schema || options.raw) return value;
  try {
    return decodeWithSchema(value, schema, options);
  } catch {
    // A value that does not fit its schema is shown as written rather than guessed at.
    return value;
  }
}

function decodeWithSchema(value: JsonValue, schema: ConnectSchema, options: DecodeOptions): Decoded {
  switch (schema.name) {
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return isoDate(int(value));
    case 'io.debezium.time.Time':
    case 'org.apache.kafka.connect.data.Time':
      return isoTimeOfDay(int(value), 'ms');
    case 'io.debezium.time.MicroTime':
      return isoTimeOfDay(int(value), 'us');
    case 'io.debezium.time.NanoTime':
      return isoTimeOfDay(int(value), 'ns');
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
      return isoTimestamp(int(value), 'ms');
    case 'io.debezium.time.MicroTimestamp':
      return isoTimestamp(int(value), 'us');
    case 'io.debezium.time.NanoTimestamp':
      return isoTimestamp(int(value), 'ns');
    case 'io.debezium.time.MicroDuration':
      return isoDurationMicros(int(value));
    case 'org.apache.kafka.connect.data.Decimal':
      // decimal.handling.mode=double|string writes numbers/strings under plain schemas, so a name
      // here means base64 bytes; anything else is passed through.
      return typeof value === 'string' ? decimalFromBase64(value, Number(schema.parameters?.scale ?? 0)) : value;
    case 'io.debezium.data.VariableScaleDecimal':
      if (isJsonObject(value) && typeof value.value === 'string') return decimalFromBase64(value.value, Number(int(value.scale)));
      return value;
    case 'io.debezium.data.Json':
      return typeof value === 'string' ? parseJsonColumn(value) : value;
    case 'io.debezium.data.Bits':
      return typeof value === 'string' ? bitString(value, Number(schema.parameters?.length ?? 0)) : value;
    default:
      break;
  }
  if (schema.type === 'bytes' && typeof value === 'string') return '\\x' + Buffer.from(value, 'base64').toString('hex');
  if (schema.type === 'array' && Array.isArray(value)) return value.map((item) => decodeValue(item, schema.items, options));
  if (schema.type === 'struct' && isJsonObject(value)) {
    const struct = structSchema(schema);
    const out: { [key: string]: Decoded } = {};
    for (const key of Object.keys(value)) out[key] = decodeValue(value[key], struct.byName.get(key), options);
    return out;
  }
  return value;
}

/** Base64 of a big-endian two's-complement unscaled integer, with the point `scale` digits from the right. */
export function decimalFromBase64(base64: string, scale: number): string {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) return '0';
  let unscaled = BigInt('0x' + bytes.toString('hex'));
  if (bytes[0] & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  return placePoint(unscaled, scale);
}

function placePoint(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale < 0) digits += '0'.repeat(-scale);
  else if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (negative ? '-' : '') + digits;
}

/** BIT(n): little-endian bytes to an n-character bit string. */
function bitString(base64: string, length: number): string {
  const bytes = Buffer.from(base64, 'base64');
  let bits = '';
  for (let i = bytes.length - 1; i >= 0; i--) bits += bytes[i].toString(2).padStart(8, '0');
  return length > 0 ? bits.slice(-length).padStart(length, '0') : bits.replace(/^0+(?=.)/, '');
}

function parseJsonColumn(text: string): Decoded {
  try {
    return parseLossless(text);
  } catch {
    return text;
  }
}

function int(value: JsonValue | undefined): bigint {
  const n = toBigIntExact(value);
  if (n === undefined) throw new TypeError('not an integer');
  return n;
}

