/**
 * Rows → object bytes: JSON lines, gzip'd JSON lines, or Parquet with column types from the event
 * schema. The same rows always give the same bytes (gzip without a timestamp, Parquet without a
 * creation time), so an object rewritten after a crash is identical to the one it replaces.
 */
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isUnchanged, type ConnectSchema, type Decoded } from '../../debezium';
import { JsonNumber, stringifyLossless, type JsonValue } from '../../json';
import type { Cell, ShapedRow } from './shape';

export type ObjectFormat = 'jsonl' | 'jsonl.gz' | 'parquet';

export const EXTENSION: Record<ObjectFormat, string> = { jsonl: 'jsonl', 'jsonl.gz': 'jsonl.gz', parquet: 'parquet' };
export const CONTENT_TYPE: Record<ObjectFormat, string> = {
  jsonl: 'application/x-ndjson',
  'jsonl.gz': 'application/gzip',
  parquet: 'application/vnd.apache.parquet',
};

function jsonValue(value: Decoded): unknown {
  // A TOASTed column the event does not carry: say so rather than invent a value.
  return isUnchanged(value) ? { unchanged: true } : value;
}

/**
 * Rows to encode: an array, or a buffer of rows partly on disk (./spill.ts) read a chunk at a time,
 * once per pass (Parquet makes three). Either way the same rows give the same bytes.
 */
export type RowSource = readonly ShapedRow[] | { chunks(): AsyncIterable<readonly ShapedRow[]> };

async function* chunksOf(rows: RowSource): AsyncGenerator<readonly ShapedRow[]> {
  if ('chunks' in rows) yield* rows.chunks();
  else yield rows;
}

function jsonLine(row: ShapedRow): string {
  const out: Record<string, unknown> = {};
  for (const [name, cell] of row) out[name] = jsonValue(cell.value);
  return stringifyLossless(out);
}

async function jsonLines(rows: RowSource): Promise<Buffer> {
  const lines: string[] = [];
  for await (const chunk of chunksOf(rows)) for (const row of chunk) lines.push(jsonLine(row));
  return Buffer.from(lines.length ? lines.join('\n') + '\n' : '', 'utf8');
}

export async function encodeRows(rows: RowSource, format: ObjectFormat): Promise<Buffer> {
  switch (format) {
    case 'jsonl':
      return jsonLines(rows);
    case 'jsonl.gz':
      return gzipSync(await jsonLines(rows), { level: 6 });
    case 'parquet':
      return parquet(rows);
  }
}

/** A Parquet column: its type in parquetjs' terms and how a cell becomes its value. */
interface ParquetColumn {
  field: { type: string; optional: true; precision?: number; scale?: number; typeLength?: number };
  /** The type's identity, to tell when rows of one object disagree (a schema change). */
  id: string;
  convert(cell: Cell): unknown;
}

const TEXT: ParquetColumn = {
  field: { type: 'UTF8', optional: true },
  id: 'UTF8',
  convert: (cell) =>
    cell.value === null || cell.value === undefined ? null : typeof cell.value === 'string' ? cell.value : stringifyLossless(jsonValue(cell.value)),
};

const MAX_DECIMAL_PRECISION = 38;

function exactInt(raw: JsonValue | undefined): bigint | null {
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  if (raw instanceof JsonNumber && raw.isInteger) return raw.toBigInt();
  return null;
}

/** Microseconds since the epoch from an ISO-8601 instant with zone (a ZonedTimestamp). */
function isoMicros(text: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0').slice(0, 6) || '0');
}

function columnFor(schema: ConnectSchema | undefined): ParquetColumn {
  if (!schema) return TEXT;
  const params = schema.parameters ?? {};
  switch (schema.name) {
    case 'org.apache.kafka.connect.data.Decimal': {
      const precision = Number(params['connect.decimal.precision']);
      const scale = Number(params.scale);
      if (!Number.isInteger(precision) || precision < 1 || precision > MAX_DECIMAL_PRECISION || !Number.isInteger(scale) || scale < 0 || scale > precision)
        return TEXT;
      // Debezium's bytes are the unscaled value, big-endian two's complement: Parquet's own encoding,
      // stored as fixed-length bytes (sign-extended) at every precision. (The writer's INT64 path
      // would scale a JavaScript number itself: inexact, and it refuses BigInts.)
      const length = Math.ceil((precision * Math.log2(10) + 1) / 8);
      return {
        field: { type: 'DECIMAL', optional: true, precision, scale, typeLength: length },
        id: `DECIMAL(${precision},${scale})`,
        convert: (cell) => {
          if (typeof cell.raw !== 'string') return null;
          const bytes = Buffer.from(cell.raw, 'base64');
          if (bytes.length === 0 || bytes.length > length) return null;
          const out = Buffer.alloc(length, bytes[0] & 0x80 ? 0xff : 0x00);
          bytes.copy(out, length - bytes.length);
          return out;
        },
      };
    }
    case 'io.debezium.time.MicroTimestamp':
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
    case 'io.debezium.time.NanoTimestamp': {
      const factor = schema.name === 'io.debezium.time.MicroTimestamp' ? 1n : schema.name === 'io.debezium.time.NanoTimestamp' ? -1000n : 1000n;
      return {
        field: { type: 'TIMESTAMP_MICROS', optional: true },
        id: 'TIMESTAMP_MICROS',
        convert: (cell) => {
          const v = exactInt(cell.raw);
          return v === null ? null : factor < 0n ? v / -factor : v * factor;
        },
      };
    }
    case 'io.debezium.time.ZonedTimestamp':
      return {
        field: { type: 'TIMESTAMP_MICROS', optional: true },
        id: 'TIMESTAMP_MICROS',
        convert: (cell) => (typeof cell.raw === 'string' ? isoMicros(cell.raw) : null),
      };
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return {
        field: { type: 'DATE', optional: true },
        id: 'DATE',
        convert: (cell) => {
          const v = exactInt(cell.raw);
          return v === null ? null : Number(v);
        },
      };
    case 'io.debezium.data.Json':
      // The exact JSON text, as UTF8: the writer's JSON type would JSON.stringify the text again (a
      // string literal, not the document), and parsing it first would round integers beyond 2^53.
      return { field: { type: 'UTF8', optional: true }, id: 'JSON', convert: (cell) => (typeof cell.raw === 'string' ? cell.raw : TEXT.convert(cell)) };
    default:
      break;
  }
  if (schema.name) return TEXT;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return {
        field: { type: 'INT32', optional: true },
        id: 'INT32',
        convert: (cell) => {
          const v = exactInt(cell.raw ?? cell.value);
          return v === null ? null : Number(v);
        },
      };
    case 'int64':
      return { field: { type: 'INT64', optional: true }, id: 'INT64', convert: (cell) => exactInt(cell.raw ?? cell.value) };
    case 'float32':
      return {
        field: { type: 'FLOAT', optional: true },
        id: 'FLOAT',
        convert: (cell) => (typeof cell.value === 'number' ? cell.value : cell.value instanceof JsonNumber ? Number(cell.value.text) : null),
      };
    case 'float64':
      return {
        field: { type: 'DOUBLE', optional: true },
        id: 'DOUBLE',
        convert: (cell) => (typeof cell.value === 'number' ? cell.value : cell.value instanceof JsonNumber ? Number(cell.value.text) : null),
      };
    case 'boolean':
      return { field: { type: 'BOOLEAN', optional: true }, id: 'BOOLEAN', convert: (cell) => (typeof cell.value === 'boolean' ? cell.value : null) };
    case 'bytes':
      return {
        field: { type: 'BYTE_ARRAY', optional: true },
        id: 'BYTE_ARRAY',
        convert: (cell) => (typeof cell.raw === 'string' ? Buffer.from(cell.raw, 'base64') : null),
      };
    default:
      return TEXT;
  }
}

/** Columns of an object: the union over its rows in order of appearance; disagreeing types become text. */
async function parquetColumns(rows: RowSource): Promise<Map<string, ParquetColumn>> {
  const columns = new Map<string, ParquetColumn>();
  for await (const chunk of chunksOf(rows)) {
    for (const row of chunk) {
      for (const [name, cell] of row) {
        const candidate = columnFor(cell.schema);
        const seen = columns.get(name);
        if (!seen) columns.set(name, candidate);
        else if (seen.id !== candidate.id && cell.schema) columns.set(name, TEXT);
      }
    }
  }
  // This writer cannot store a date or an instant before 1970 (negative values): in an object that
  // has one, that column is written as text, so nothing is lost or shifted.
  const timeColumns = [...columns].filter(([, column]) => column.id === 'TIMESTAMP_MICROS' || column.id === 'DATE');
  if (timeColumns.length === 0) return columns;
  const negative = (v: unknown) => (typeof v === 'bigint' && v < 0n) || (typeof v === 'number' && v < 0);
  const asText = new Set<string>();
  for await (const chunk of chunksOf(rows)) {
    for (const row of chunk) {
      for (const [name, column] of timeColumns) {
        if (asText.has(name)) continue;
        const cell = row.get(name);
        if (cell && negative(column.convert(cell))) asText.add(name);
      }
    }
  }
  for (const name of asText) columns.set(name, TEXT);
  return columns;
}

async function parquet(rows: RowSource): Promise<Buffer> {
  const { ParquetSchema, ParquetWriter } = await import('@dsnp/parquetjs');
  const columns = await parquetColumns(rows);
  const schema = new ParquetSchema(Object.fromEntries([...columns].map(([name, c]) => [name, c.field])) as never);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const writer = await ParquetWriter.openStream(schema, sink as never, { rowGroupSize: 10_000 });
  for await (const chunk of chunksOf(rows)) {
    for (const row of chunk) {
      const out: Record<string, unknown> = {};
      for (const [name, column] of columns) {
        const cell = row.get(name);
        const value = cell ? column.convert(cell) : null;
        if (value !== null && value !== undefined) out[name] = value;
      }
      await writer.appendRow(out);
    }
  }
  await writer.close();
  return Buffer.concat(chunks);
}
