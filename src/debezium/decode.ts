/**
 * Column values from Debezium's JSON encoding to human values, guided by the Kafka Connect schema the
 * event carried. Exact: integers stay JsonNumber/BigInt-backed, decimals become decimal strings.
 */
import { isJsonObject, JsonNumber, parseLossless, setOwn, toBigIntExact, type JsonValue } from '../json';
import { structSchema, type ConnectSchema } from './schema';
import { isoDate, isoDurationMicros, isoTimeOfDay, isoTimestamp, NEGATIVE_INFINITY_TS, POSITIVE_INFINITY_TS, type TimeUnit } from './time';

/** What Debezium writes for an unchanged TOASTed column under REPLICA IDENTITY DEFAULT. */
export const TOAST_PLACEHOLDER = '__debezium_unavailable_value';
const TOAST_BASE64 = Buffer.from(TOAST_PLACEHOLDER).toString('base64');
/**
 * uuid[] columns: Java's UUID.nameUUIDFromBytes of the placeholder (an MD5, version 3 UUID), made
 * on first use: node:crypto is not loaded by every `cdc parse`.
 */
let toastUuid: string | undefined;
/** hstore columns (hstore.handling.mode=json): the map {placeholder: placeholder} as JSON text. */
const TOAST_HSTORE_JSON = JSON.stringify({ [TOAST_PLACEHOLDER]: TOAST_PLACEHOLDER });

function nameUuid(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
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
    if (value.length === 1) {
      const item = value[0];
      // A UUID is 36 characters: the MD5 is made only for such an item.
      return (
        item === TOAST_PLACEHOLDER ||
        item === TOAST_BASE64 ||
        (typeof item === 'string' && item.length === 36 && item === (toastUuid ??= nameUuid(TOAST_PLACEHOLDER)))
      );
    }
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

/**
 * A value that contradicts its schema or what PostgreSQL can hold: not base64, a scale beyond
 * PostgreSQL's limits, a time outside a day, an int64 beyond 64 bits, a Json column that is not
 * JSON. Decoding never guesses: the record is reported as invalid instead. `path` locates the value
 * inside the column (`[3]`, `.wkb`); the caller adds the column.
 */
export class DecodeError extends Error {
  /** Where the value sits inside its column (`[1].wkb`), built on the way out. */
  path = '';
  /** The row column holding the value, once known. */
  column?: string;
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'DecodeError';
  }

  /** Adds an outer step of the path (`[1]`, `.wkb`). */
  at(step: string): this {
    this.path = step + this.path;
    this.message = this.reason;
    return this;
  }

  inColumn(column: string): this {
    this.column ??= column;
    this.message = this.reason;
    return this;
  }

  /** `column "x": detail`, or `column "x"[2].wkb: detail` for a value inside it. */
  get reason(): string {
    if (this.column === undefined) return this.path ? `${this.path}: ${this.detail}` : this.detail;
    return `column ${JSON.stringify(this.column)}${this.path}: ${this.detail}`;
  }
}

/**
 * Decodes one value with its schema; without a schema the value is returned as Debezium wrote it.
 * Throws DecodeError when the value does not fit its schema.
 */
export function decodeValue(value: JsonValue | undefined, schema: ConnectSchema | undefined, options: DecodeOptions = {}): Decoded {
  return decodeAt(value, schema, options, 0);
}

/** Debezium's PostgreSQL schemas nest a few levels (row, array, geometry struct); deeper is hostile. */
const MAX_SCHEMA_DEPTH = 32;

function decodeAt(value: JsonValue | undefined, schema: ConnectSchema | undefined, options: DecodeOptions, depth: number): Decoded {
  if (value === undefined || value === null) return null;
  if (isToastPlaceholder(value)) return UNCHANGED;
  if (!schema || options.raw) return value;
  if (depth > MAX_SCHEMA_DEPTH) throw new DecodeError(`schema nested more than ${MAX_SCHEMA_DEPTH} levels deep`);
  if (schema.name !== undefined) {
    const semantic = decodeSemantic(value, schema);
    if (semantic !== undefined) return semantic;
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      // A safe integer within the type's bits needs no BigInt (int64 holds every safe integer).
      if (!(Number.isSafeInteger(value) && fitsBits(value as number, schema.type))) integer(value, schema.type, schema.type);
      return value;
    case 'float32':
    case 'float64':
      // Jackson writes NaN and the infinities as strings.
      if (typeof value === 'number' || value instanceof JsonNumber || value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
      throw mismatch(value, schema.type);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw mismatch(value, 'boolean');
    case 'string':
      if (typeof value === 'string') return value;
      throw mismatch(value, 'string');
    case 'bytes':
      return '\\x' + base64Bytes(value, 'bytes').toString('hex');
    case 'array':
      if (!Array.isArray(value)) throw mismatch(value, 'array');
      return value.map((item, i) => within(`[${i}]`, () => decodeAt(item, schema.items, options, depth + 1)));
    case 'struct': {
      if (!isJsonObject(value)) throw mismatch(value, 'struct');
      const struct = structSchema(schema);
      const out: { [key: string]: Decoded } = {};
      for (const key of Object.keys(value)) {
        setOwn(
          out,
          key,
          within(`.${key}`, () => decodeAt(value[key], struct.byName.get(key), options, depth + 1)),
        );
      }
      return out;
    }
    case 'map':
      // JsonConverter writes maps with string keys as objects, others as [key, value] pairs.
      if (isJsonObject(value) || Array.isArray(value)) return value;
      throw mismatch(value, 'map');
    default:
      return value;
  }
}

/** The decoded value of a semantic type this module knows; undefined for the others (decoded by type). */
function decodeSemantic(value: JsonValue, schema: ConnectSchema): Decoded | undefined {
  switch (schema.name) {
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return isoDate(inRange(integer(value, 'int32', 'Date'), DATE_MIN_DAYS, DATE_MAX_DAYS, 'Date', 'days'));
    case 'io.debezium.time.Time':
    case 'org.apache.kafka.connect.data.Time':
      return isoTimeOfDay(timeOfDay(integer(value, 'int32', 'Time'), 'ms', 'Time'), 'ms');
    case 'io.debezium.time.MicroTime':
      return isoTimeOfDay(timeOfDay(integer(value, 'int64', 'MicroTime'), 'us', 'MicroTime'), 'us');
    case 'io.debezium.time.NanoTime':
      return isoTimeOfDay(timeOfDay(integer(value, 'int64', 'NanoTime'), 'ns', 'NanoTime'), 'ns');
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
      // The common case without BigInt: a safe integer within PostgreSQL's range.
      if (Number.isSafeInteger(value) && (value as number) >= TIMESTAMP_MIN_MS && (value as number) < TIMESTAMP_END_MS)
        return isoTimestamp(value as number, 'ms');
      return isoTimestamp(timestamp(integer(value, 'int64', 'Timestamp'), 'ms', 'Timestamp'), 'ms');
    case 'io.debezium.time.MicroTimestamp':
      // Every safe integer of µs is within PostgreSQL's range (±285 years of 1970 against 4713 BC – 294276 AD).
      if (Number.isSafeInteger(value)) return isoTimestamp(value as number, 'us');
      return isoTimestamp(timestamp(integer(value, 'int64', 'MicroTimestamp'), 'us', 'MicroTimestamp'), 'us');
    case 'io.debezium.time.NanoTimestamp':
      return isoTimestamp(integer(value, 'int64', 'NanoTimestamp'), 'ns');
    case 'io.debezium.time.MicroDuration':
      return isoDurationMicros(integer(value, 'int64', 'MicroDuration'));
    case 'org.apache.kafka.connect.data.Decimal': {
      // decimal.handling.mode=double|string writes plain float64/string schemas: this name means base64 bytes.
      if (typeof value !== 'string') throw mismatch(value, 'Decimal (base64)');
      const scale = schemaInteger(schema.parameters?.scale, 'Decimal scale', DECIMAL_MIN_SCALE, DECIMAL_MAX_SCALE);
      const precisionText = schema.parameters?.['connect.decimal.precision'];
      const precision = precisionText === undefined ? undefined : schemaInteger(precisionText, 'Decimal precision', 1, DECIMAL_MAX_PRECISION);
      return decimalText(value, scale, precision, 'Decimal');
    }
    case 'io.debezium.data.VariableScaleDecimal': {
      if (!isJsonObject(value) || typeof value.value !== 'string') throw mismatch(value, 'VariableScaleDecimal {scale, value}');
      const scale = inRange(
        integer(value.scale ?? null, 'int32', 'VariableScaleDecimal scale'),
        BigInt(DECIMAL_MIN_SCALE),
        BigInt(VALUE_MAX_SCALE),
        'VariableScaleDecimal scale',
        '',
      );
      return decimalText(value.value, Number(scale), undefined, 'VariableScaleDecimal');
    }
    case 'io.debezium.data.Json':
      if (typeof value !== 'string') throw mismatch(value, 'Json (JSON text)');
      try {
        return parseLossless(value);
      } catch (err) {
        throw new DecodeError(`Json value is not JSON text (${(err as Error).message})`);
      }
    case 'io.debezium.data.Bits':
      return bitString(base64Bytes(value, 'Bits'), schema.parameters?.length);
    default:
      return undefined;
  }
}

// PostgreSQL's limits (numeric: precision ≤ 1000, typmod scale −1000…1000, a value's own scale up to
// 16383 and at most 131072 digits before the point; dates 4713 BC – 5874897 AD;
// timestamps 4713 BC – 294276 AD). Beyond them a value cannot have come from PostgreSQL.
const DECIMAL_MIN_SCALE = -1000;
const DECIMAL_MAX_SCALE = 1000;
const DECIMAL_MAX_PRECISION = 1000;
const VALUE_MAX_SCALE = 16383;
/** 131072 + 16383 decimal digits need 61,230 bytes of two's complement. */
const DECIMAL_MAX_BYTES = 61_240;
/** Debezium's length for VARBIT without a limit (PostgreSQL's own BIT(n) limit is 83886080). */
const BITS_MAX_LENGTH = 2_147_483_647;
const MAX_BIT_PADDING = 64;
const DATE_MIN_DAYS = -2_440_588n; // 4714-11-24 BC
const DATE_MAX_DAYS = 2_145_042_905n; // 5874897-12-31
const TIMESTAMP_MIN_US = -210_866_803_200_000_000n; // 4714-11-24 00:00 BC
const TIMESTAMP_END_US = 9_224_318_016_000_000_000n; // 294277-01-01 00:00
const TIMESTAMP_MIN_MS = Number(TIMESTAMP_MIN_US / 1000n);
const TIMESTAMP_END_MS = Number(TIMESTAMP_END_US / 1000n);
const INT_BITS: Record<string, bigint> = { int8: 7n, int16: 15n, int32: 31n, int64: 63n };
const PER_SECOND: Record<TimeUnit, bigint> = { ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };

const INT_LIMITS: Record<string, number> = { int8: 2 ** 7, int16: 2 ** 15, int32: 2 ** 31, int64: 2 ** 63 };

function fitsBits(n: number, type: string): boolean {
  const limit = INT_LIMITS[type];
  return n >= -limit && n < limit;
}

/** An integer that fits the Connect type; throws DecodeError otherwise. */
function integer(value: JsonValue, type: keyof typeof INT_BITS, what: string): bigint {
  const bits = INT_BITS[type];
  let n: bigint | undefined;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) n = BigInt(value);
  } else if (value instanceof JsonNumber && value.text.length <= 20) {
    n = toBigIntExact(value);
  }
  if (n === undefined || n < -(1n << bits) || n >= 1n << bits) throw mismatch(value, what === type ? type : `${what} (${type})`);
  return n;
}

function inRange(n: bigint, min: bigint, max: bigint, what: string, unit: string): bigint {
  if (n < min || n > max) throw new DecodeError(`${what} ${n}${unit ? ' ' + unit : ''} is beyond PostgreSQL's range (${min} to ${max})`);
  return n;
}

function timeOfDay(n: bigint, unit: TimeUnit, what: string): bigint {
  // PostgreSQL accepts 24:00:00 as a time of day.
  const day = PER_SECOND[unit] * 86_400n;
  if (n < 0n || n > day) throw new DecodeError(`${what} ${n} is not a time of day (0 to ${day} ${unit})`);
  return n;
}

function timestamp(n: bigint, unit: 'ms' | 'us', what: string): bigint {
  if (n === POSITIVE_INFINITY_TS || n === NEGATIVE_INFINITY_TS) return n;
  const per = unit === 'ms' ? 1000n : 1n;
  if (n < TIMESTAMP_MIN_US / per || n >= TIMESTAMP_END_US / per) {
    throw new DecodeError(`${what} ${n} ${unit} is beyond PostgreSQL's timestamp range (4713 BC to 294276 AD)`);
  }
  return n;
}

/** A schema parameter that must be an integer within PostgreSQL's limits. */
function schemaInteger(text: string | undefined, what: string, min: number, max: number): number {
  if (typeof text !== 'string' || !/^-?\d{1,12}$/.test(text))
    throw new DecodeError(`${what} ${text === undefined ? 'is missing' : `${show(text)} is not an integer`} in the schema`);
  const n = Number(text);
  if (n < min || n > max) throw new DecodeError(`${what} ${n} is beyond PostgreSQL's limits (${min} to ${max})`);
  return n;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of a base64 value, as Java's encoder writes it (padded, no line breaks); throws DecodeError otherwise. */
function base64Bytes(value: JsonValue, what: string): Buffer {
  if (typeof value !== 'string') throw mismatch(value, `${what} (base64)`);
  if (!BASE64.test(value)) throw new DecodeError(`${what} value ${show(value)} is not base64`);
  return Buffer.from(value, 'base64');
}

function decimalText(base64: string, scale: number, precision: number | undefined, what: string): string {
  const bytes = base64Bytes(base64, what);
  if (bytes.length === 0) throw new DecodeError(`${what} value is empty (no unscaled integer)`);
  if (bytes.length > DECIMAL_MAX_BYTES) throw new DecodeError(`${what} value has ${bytes.length} bytes: more digits than PostgreSQL's numeric holds`);
  const digits = unscaledDigits(bytes);
  // The unscaled integer's digits are the value's significant digits (0 counts as one).
  if (precision !== undefined && digits.length > Math.max(precision, 1))
    throw new DecodeError(`${what} value has ${digits.length} digits, more than its precision ${precision}`);
  return placePoint((bytes[0] & 0x80) !== 0, digits, scale);
}

/** Base64 of a big-endian two's-complement unscaled integer, with the point `scale` digits from the right. */
export function decimalFromBase64(base64: string, scale: number): string {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) return '0';
  return placePoint((bytes[0] & 0x80) !== 0, unscaledDigits(bytes), scale);
}

/** The decimal digits of the absolute value of a big-endian two's-complement integer. */
function unscaledDigits(bytes: Buffer): string {
  // Up to 6 bytes (48 bits) a double holds it exactly: no BigInt (most decimals, e.g. numeric(10,2)).
  if (bytes.length <= 6) {
    const n = bytes.readIntBE(0, bytes.length);
    return String(n < 0 ? -n : n);
  }
  let unscaled = BigInt('0x' + bytes.toString('hex'));
  if (bytes[0] & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  return (unscaled < 0n ? -unscaled : unscaled).toString();
}

function placePoint(negative: boolean, digits: string, scale: number): string {
  if (scale < 0) digits += '0'.repeat(-scale);
  else if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (negative ? '-' : '') + digits;
}

/**
 * BIT(n): little-endian bytes to an n-character bit string. Debezium pads the bytes to ⌈n/8⌉ (a
 * single byte may come unpadded); more bytes, or bits set beyond n, would be silently cut. VARBIT
 * comes with n = 2^31−1 ("unbounded") and only the bytes of the value: padding is added only when
 * it is short (≤ 64 bits), so a schema cannot make one byte into megabytes of zeros.
 */
function bitString(bytes: Buffer, lengthText: string | undefined): string {
  let bits = '';
  for (let i = bytes.length - 1; i >= 0; i--) bits += bytes[i].toString(2).padStart(8, '0');
  const significant = bits.replace(/^0+(?=.)/, '');
  if (lengthText === undefined) return significant;
  const length = schemaInteger(lengthText, 'Bits length', 1, BITS_MAX_LENGTH);
  if (bytes.length > Math.ceil(length / 8)) throw new DecodeError(`Bits value has ${bytes.length} bytes, more than BIT(${length}) holds`);
  if (bits.length >= length) {
    if (bits.slice(0, bits.length - length).includes('1')) throw new DecodeError(`Bits value sets bits beyond BIT(${length})`);
    return bits.slice(bits.length - length);
  }
  return length - bits.length <= MAX_BIT_PADDING ? bits.padStart(length, '0') : significant;
}

/** Runs a nested decode, adding where the failing value sits to its DecodeError. */
function within<T>(step: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DecodeError) err.at(step);
    throw err;
  }
}

function mismatch(value: JsonValue, expected: string): DecodeError {
  return new DecodeError(`${show(value)} is not a valid ${expected}`);
}

/** A value as shown in a reason: JSON, cut to a readable length. */
function show(value: JsonValue | string): string {
  const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : value instanceof JsonNumber ? value.text : stringifyShort(value);
  return text.length > 48 ? text.slice(0, 45) + '…' : text;
}

function stringifyShort(value: JsonValue): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isJsonObject(value)) return 'an object';
  return String(value);
}
