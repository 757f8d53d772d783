/**
 * A faster decoder of Kafka record batches (magic 2) for kafkajs, giving exactly what kafkajs's own
 * `protocol/recordBatch/v0/decoder` gives. Why it exists: replaying a topic, kafkajs spent most of
 * its time there (BENCHMARKS.md, `cdc watch`): a Decoder object and a Buffer slice per record, the
 * offset and timestamp of every record computed as 64-bit Long objects parsed from strings, and
 * the headers folded into an object by copying it once per header (quadratic; Debezium sends 4).
 * kafkajs offers no hook for its decoding, so `installRecordBatchDecoder` puts this module in
 * Node's module cache under the path kafkajs requires, before kafkajs is loaded; the files in
 * node_modules stay untouched, and anything that loads kafkajs another way (jest's module
 * registry) simply gets kafkajs's own decoder, with the same results.
 *
 * Differences, none for a well-formed batch: a record whose fields run past its own length is an
 * error here, where kafkajs would read zeros or the next record's bytes; and a header named like
 * an Object.prototype member (`constructor`) is that header's value, where kafkajs made it an array
 * with the inherited function in it.
 */
import Module from 'node:module';
import { isKnownKafkajs, kafkajsPath, requireKafkajs } from './kafkajs-internals';

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;
/** From the partition leader epoch to the record count, included. */
const BATCH_HEADER_BYTES = 49;
/** Checked by test/unit against kafkajs's own; any other kafkajs version keeps its own decoder: slower, never wrong. */
const RECORD_BATCH_FILE = 'src/protocol/recordBatch/v0/decoder.js';

/** The part of kafkajs's Decoder this reads (the fetch response it is handed). */
interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
}

interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}

interface Kafkajs {
  lookupCodecByAttributes(attributes: number): Codec | null;
  PartialMessageError: new (message: string) => Error;
}

export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
}

/** What kafkajs's decoder gives for a record (the fields of its KafkaMessage). */
export interface DecodedRecord {
  readonly magicByte: number;
  readonly attributes: number;
  readonly timestamp: string;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | null | Array<Buffer | null>>;
  readonly isControlRecord: boolean;
  readonly batchContext: BatchContext & { magicByte: number };
}

let kafkajs: Kafkajs | undefined;

/** kafkajs's codecs (so registered ones, e.g. snappy, work) and its error type, loaded on first use. */
function kafkajsParts(): Kafkajs {
  if (!kafkajs) {
    const compression = requireKafkajs<Pick<Kafkajs, 'lookupCodecByAttributes'>>('src/protocol/message/compression');
    const errors = requireKafkajs<{ KafkaJSPartialMessageError: Kafkajs['PartialMessageError'] }>('src/errors');
    kafkajs = { lookupCodecByAttributes: compression.lookupCodecByAttributes, PartialMessageError: errors.KafkaJSPartialMessageError };
  }
  return kafkajs;
}

/**
 * Makes kafkajs decode record batches with decodeRecordBatch. Must run before kafkajs is first
 * required; returns false when that is too late (kafkajs keeps its own decoder then).
 */
export function installRecordBatchDecoder(): boolean {
  if (!isKnownKafkajs()) return false;
  const file = kafkajsPath(RECORD_BATCH_FILE);
  const cache = require.cache as Record<string, NodeJS.Module | undefined>;
  const present = cache[file];
  if (present) return present.exports === decodeRecordBatch;
  const entry = new Module(file, module);
  entry.filename = file;
  entry.loaded = true;
  entry.exports = decodeRecordBatch;
  cache[file] = entry;
  return true;
}

/** kafkajs's record batch decoder: reads one batch from the fetch response at its offset. */
export async function decodeRecordBatch(fetchDecoder: KafkajsDecoder): Promise<BatchContext & { records: DecodedRecord[] }> {
  const fetched = fetchDecoder.buffer;
  const at = fetchDecoder.offset;
  const length = fetched.readInt32BE(at + 8);
  fetchDecoder.offset = at + 12 + length;
  const start = at + 12;
  const end = Math.min(start + length, fetched.length);
  if (length < BATCH_HEADER_BYTES) throw new Error(`corrupt Kafka record batch: ${length} bytes long, shorter than its header`);
  if (end - start < length) {
    throw new (kafkajsParts().PartialMessageError)(`Tried to decode a partial record batch: remainingBytes(${end - start}) < recordBatchLength(${length})`);
  }
  const buf = fetched;
  const partitionLeaderEpoch = buf.readInt32BE(start);
  const magicByte = buf.readInt8(start + 4);
  // start + 5: the CRC, which kafkajs does not check either (the broker did).
  const attributes = buf.readInt16BE(start + 9);
  const lastOffsetDelta = buf.readInt32BE(start + 11);
  const firstOffsetNumber = int64Number(buf, at);
  const firstTimestampNumber = int64Number(buf, start + 15);
  const firstOffsetText = int64Text(buf, at, firstOffsetNumber);
  const firstTimestampText = int64Text(buf, start + 15, firstTimestampNumber);
  const maxTimestamp = int64Text(buf, start + 23, int64Number(buf, start + 23));
  const producerId = int64Text(buf, start + 31, int64Number(buf, start + 31));
  const producerEpoch = buf.readInt16BE(start + 39);
  const firstSequence = buf.readInt32BE(start + 41);
  const inTransaction = (attributes & TRANSACTIONAL_FLAG_MASK) > 0;
  const isControlBatch = (attributes & CONTROL_FLAG_MASK) > 0;
  const timestampType = (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME;
  // Literals, not spreads of one another: a spread's copy gets a map of its own, and every batch
  // (one per 4 Debezium events) then added its fields on V8's slow path (BENCHMARKS.md, `cdc watch`).
  const recordContext = {
    firstOffset: firstOffsetText,
    firstTimestamp: firstTimestampText,
    partitionLeaderEpoch,
    inTransaction,
    isControlBatch,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
    magicByte,
  };
  const base: Base = {
    offsetNumber: firstOffsetNumber,
    timestampNumber: firstTimestampNumber,
    // As kafkajs: with LOG_APPEND_TIME every record carries the batch's max timestamp.
    fixedTimestamp: timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : undefined,
    context: recordContext,
  };
  const records = await decodeRecords(buf, start + 45, end, attributes, base);
  return {
    firstOffset: firstOffsetText,
    firstTimestamp: firstTimestampText,
    partitionLeaderEpoch,
    inTransaction,
    isControlBatch,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
    records,
  };
}

/** The signed 64-bit big-endian integer at `at` as a number, when that is exact (|n| < 2^53); else undefined. */
function int64Number(buf: Buffer, at: number): number | undefined {
  const high = buf.readInt32BE(at);
  // high · 2^32 + low is exact in a double for high in [-2^21, 2^21).
  return high >= -0x200000 && high < 0x200000 ? high * 0x100000000 + buf.readUInt32BE(at + 4) : undefined;
}

/** The signed 64-bit integer at `at` in decimal, as kafkajs gives it (`number`: int64Number's reading). */
function int64Text(buf: Buffer, at: number, number: number | undefined): string {
  return number !== undefined ? String(number) : buf.readBigInt64BE(at).toString();
}

interface Base {
  /** The batch's first offset and first timestamp as numbers while exact (in decimal: the context's). */
  offsetNumber: number | undefined;
  timestampNumber: number | undefined;
  fixedTimestamp: string | undefined;
  context: BatchContext & { magicByte: number };
}

async function decodeRecords(buf: Buffer, pos: number, end: number, attributes: number, base: Base): Promise<DecodedRecord[]> {
  const codec = kafkajsParts().lookupCodecByAttributes(attributes);
  const count = buf.readInt32BE(pos);
  pos += 4;
  if (!codec) {
    if (count === -1) return [];
    return readRecords(buf, pos, end, count, base);
  }
  if (count <= 0) return [];
  const decompressed = await codec.decompress(buf.subarray(pos, end));
  return readRecords(decompressed, 0, decompressed.length, count, base);
}

function readRecords(buf: Buffer, pos: number, end: number, count: number, base: Base): DecodedRecord[] {
  const records = new Array<DecodedRecord>(count);
  const cursor = { buf, pos, end };
  for (let i = 0; i < count; i++) records[i] = readRecord(cursor, base);
  return records;
}

interface Cursor {
  buf: Buffer;
  pos: number;
  /** Where the record (or the batch, between records) ends. */
  end: number;
}

function readRecord(c: Cursor, base: Base): DecodedRecord {
  const outerEnd = c.end;
  const length = varInt(c);
  const recordEnd = c.pos + length;
  if (length < 0 || recordEnd > outerEnd) throw corrupt();
  c.end = recordEnd;
  const attributes = c.buf.readInt8(c.pos);
  c.pos += 1;
  const timestampDelta = varLong(c);
  const offsetDelta = varInt(c);
  const keyAt = c.pos;
  skipBytes(c);
  const value = bytes(c);
  const record = new Message(
    base,
    attributes,
    timestampDelta,
    sum(base.context.firstOffset, base.offsetNumber, offsetDelta),
    value,
    c.buf,
    keyAt,
    c.pos,
    recordEnd,
  );
  c.pos = recordEnd;
  c.end = outerEnd;
  return record;
}

/**
 * A record as kafkajs decodes it, except that its timestamp, key and headers are computed when
 * first read (`cdc watch` in a pipe reads none of them; decoding them was a third of the decoder's
 * time) and the fields every record of a batch shares are read from the batch's.
 */
class Message implements DecodedRecord {
  private decodedKey?: Buffer | null;
  private decodedHeaders?: DecodedRecord['headers'];

  constructor(
    private readonly base: Base,
    readonly attributes: number,
    private readonly timestampDelta: number | bigint,
    readonly offset: string,
    readonly value: Buffer | null,
    private readonly buf: Buffer,
    private readonly keyAt: number,
    private readonly headersAt: number,
    private readonly end: number,
  ) {}

  get batchContext(): BatchContext & { magicByte: number } {
    return this.base.context;
  }

  get magicByte(): number {
    return this.base.context.magicByte;
  }

  get isControlRecord(): boolean {
    return this.base.context.isControlBatch;
  }

  get timestamp(): string {
    const { fixedTimestamp, timestampNumber, context } = this.base;
    return fixedTimestamp ?? sum(context.firstTimestamp, timestampNumber, this.timestampDelta);
  }

  get key(): Buffer | null {
    if (this.decodedKey === undefined) this.decodedKey = bytes({ buf: this.buf, pos: this.keyAt, end: this.end });
    return this.decodedKey;
  }

  get headers(): DecodedRecord['headers'] {
    if (!this.decodedHeaders) {
      const c: Cursor = { buf: this.buf, pos: this.headersAt, end: this.end };
      const headers: DecodedRecord['headers'] = {};
      const count = varInt(c);
      for (let i = 0; i < count; i++) {
        const name = text(c);
        addHeader(headers, String(name), bytes(c));
      }
      this.decodedHeaders = headers;
    }
    return this.decodedHeaders;
  }
}

/** kafkajs folds repeated header names into an array, in order. */
function addHeader(headers: DecodedRecord['headers'], name: string, value: Buffer | null): void {
  const had = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
  const next = had === undefined ? value : Array.isArray(had) ? had.concat([value]) : [had, value];
  // Defined, not assigned: a header named __proto__ is a header, as in kafkajs's object spread.
  if (name === '__proto__') Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true, configurable: true });
  else headers[name] = next;
}

function corrupt(): Error {
  return new Error('corrupt Kafka record: its fields run past its length');
}

/** first + delta as a decimal string (`first` in decimal, and as a number while exact), in doubles while that is exact. */
function sum(first: string, firstNumber: number | undefined, delta: number | bigint): string {
  if (firstNumber !== undefined && typeof delta === 'number') {
    const total = firstNumber + delta;
    if (Number.isSafeInteger(total)) return String(total);
  }
  return (BigInt(first) + BigInt(delta)).toString();
}

/** A zigzag varint, computed as kafkajs computes it. */
function varInt(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= c.end) throw corrupt();
    byte = buf[pos++];
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  c.pos = pos;
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong: a number while it fits 49 bits (any real timestamp delta), else a bigint. */
function varLong(c: Cursor): number | bigint {
  const buf = c.buf;
  const from = c.pos;
  let pos = from;
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= c.end || shift > 63) throw corrupt();
    byte = buf[pos++];
    if (shift >= 49) return varLongBig(c, from);
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte >= 0x80);
  c.pos = pos;
  // zigzag: even → n / 2, odd → -(n + 1) / 2 (exact in doubles below 2^53).
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

function varLongBig(c: Cursor, from: number): bigint {
  let pos = from;
  let result = 0n;
  let shift = 0n;
  let byte: number;
  do {
    if (pos >= c.end || shift > 63n) throw corrupt();
    byte = c.buf[pos++];
    result += BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte >= 0x80);
  c.pos = pos;
  const n = BigInt.asUintN(64, result);
  return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
}

function bytes(c: Cursor): Buffer | null {
  const length = varInt(c);
  if (length === -1) return null;
  if (length < 0 || c.pos + length > c.end) throw corrupt();
  const out = c.buf.subarray(c.pos, c.pos + length);
  c.pos += length;
  return out;
}

function skipBytes(c: Cursor): void {
  const length = varInt(c);
  if (length === -1) return;
  if (length < 0 || c.pos + length > c.end) throw corrupt();
  c.pos += length;
}

function text(c: Cursor): string | null {
  const length = varInt(c);
  if (length === -1) return null;
  if (length < 0 || c.pos + length > c.end) throw corrupt();
  const out = c.buf.toString('utf8', c.pos, c.pos + length);
  c.pos += length;
  return out;
}
