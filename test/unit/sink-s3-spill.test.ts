/**
 * Issue 11: "bounded memory however many partitions are open". The S3 sink keeps open windows'
 * rows within one budget (--buffer-memory) and writes the rest to temp files (src/sink/s3/spill.ts).
 * Proved here: a row goes to disk and comes back exactly (every kind of value a ShapedRow holds);
 * the objects are the same bytes whether rows were spilled or not — every format × shape, with
 * partial windows uploaded and rewritten; memory stays within the budget whatever the number of
 * partitions; the temp folder is private and gone after close.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNCHANGED, type ConnectSchema } from '../../src/debezium';
import { JsonNumber, stringifyLossless, type JsonObject } from '../../src/json';
import type { SinkRecord } from '../../src/sink';
import type { ObjectFormat } from '../../src/sink/s3/encode';
import type { PartitionBy } from '../../src/sink/s3/naming';
import type { Shape, ShapedRow } from '../../src/sink/s3/shape';
import { LISTED_UPLOADS, S3Sink } from '../../src/sink/s3/sink';
import { RowStore } from '../../src/sink/s3/spill';
import type { Bucket } from '../../src/sink/s3/store';
import { fixtureRecords } from './sink-records';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-spill-test-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spillDirs = () => fs.readdirSync(tmp).filter((name) => name.startsWith('cdc-sink-s3-'));

async function readAll(source: { chunks(): AsyncIterable<readonly ShapedRow[]> }): Promise<ShapedRow[]> {
  const out: ShapedRow[] = [];
  for await (const chunk of source.chunks()) out.push(...chunk);
  return out;
}

describe('a row on disk comes back exactly', () => {
  const decimal: ConnectSchema = {
    type: 'bytes',
    name: 'org.apache.kafka.connect.data.Decimal',
    parameters: { scale: '2', 'connect.decimal.precision': '12' },
  };
  const nested = (): JsonObject => {
    const doc: JsonObject = { z: 1, a: [new JsonNumber('12345678901234567890'), 2.5, null, true, 'x'], '10': 'int-like key', '': '' };
    Object.defineProperty(doc, '__proto__', { value: { own: new JsonNumber('-0.000') }, enumerable: true, writable: true, configurable: true });
    return doc;
  };
  const row = (i: number): ShapedRow =>
    new Map([
      ['amount', { value: `${i}.50`, raw: 'AfQ=', schema: decimal }],
      ['big', { value: new JsonNumber('-9223372036854775808'), raw: new JsonNumber('-9223372036854775808'), schema: { type: 'int64' } }],
      ['toast', { value: UNCHANGED, raw: '__debezium_unavailable_value', schema: { type: 'string' } }],
      ['unchanged_lookalike', { value: { unchanged: true } }],
      ['doc', { value: nested(), raw: '{"z":1}', schema: { type: 'string', name: 'io.debezium.data.Json' } }],
      ['negzero', { value: -0 }],
      ['float', { value: 0.1 + 0.2 }],
      ['text', { value: 'ünïcødé \u0000 \ud83d\ude00 line\nbreak' }],
      ['nothing', { value: null, schema: decimal }],
      ['raw_undefined', { value: 1, raw: undefined }],
      ['bytes', { value: '\\x00ff', raw: 'AP8=', schema: { type: 'bytes' } }],
    ]);

  it('values, raw values, schemas, key order, JsonNumber, UNCHANGED; schemas stay shared', async () => {
    const store = new RowStore(0, tmp);
    const buffer = store.buffer();
    const rows = [row(1), row(2), row(3)];
    for (const r of rows) {
      buffer.push(r);
      await store.spill();
    }
    expect({ spilled: buffer.spilledRows, memory: store.memoryBytes }).toEqual({ spilled: 3, memory: 0 });
    const back = await readAll(buffer);
    expect(back).toEqual(rows);
    for (let i = 0; i < rows.length; i++) {
      const [a, b] = [rows[i], back[i]];
      expect([...b.keys()]).toEqual([...a.keys()]);
      expect(b.get('toast')!.value).toBe(UNCHANGED);
      expect(b.get('unchanged_lookalike')!.value).not.toBe(UNCHANGED);
      expect(b.get('big')!.value).toBeInstanceOf(JsonNumber);
      expect(Object.is(b.get('negzero')!.value, -0)).toBe(true);
      expect('raw' in b.get('raw_undefined')!).toBe(true);
      expect('raw' in b.get('nothing')!).toBe(false);
      const doc = b.get('doc')!.value as JsonObject;
      expect(Object.keys(doc)).toEqual(Object.keys(a.get('doc')!.value as JsonObject));
      expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
      expect(stringifyLossless(doc)).toBe(stringifyLossless(a.get('doc')!.value as JsonObject));
    }
    // One Decimal schema object for every row that shared one.
    expect(back[2].get('amount')!.schema).toBe(back[0].get('nothing')!.schema);
    await store.close();
  });

  it('rows spilled in several rounds, then some in memory, come back in the order added', async () => {
    const store = new RowStore(1, tmp);
    const buffer = store.buffer();
    const rows = Array.from({ length: 600 }, (_, i) => row(i));
    for (const [i, r] of rows.entries()) {
      buffer.push(r);
      if (i % 100 === 0 || i > 590) continue; // some rows stay in memory between spills
      await store.spill();
    }
    expect(buffer.spilledRows).toBeGreaterThan(500);
    expect(buffer.count).toBe(600);
    // Read twice (Parquet reads three times): the same rows each time.
    expect((await readAll(buffer)).map((r) => r.get('amount')!.value)).toEqual(rows.map((r) => r.get('amount')!.value));
    expect(await readAll(buffer)).toEqual(rows);
    await store.close();
  });

  it('the spill folder is private, named for cdc, and gone after discard and close', async () => {
    const store = new RowStore(0, tmp);
    const a = store.buffer();
    const b = store.buffer();
    a.push(row(1));
    b.push(row(2));
    await store.spill();
    const [dir] = spillDirs();
    expect(dir).toMatch(/^cdc-sink-s3-/);
    expect(fs.statSync(path.join(tmp, dir)).mode & 0o077).toBe(0);
    expect(fs.readdirSync(path.join(tmp, dir))).toHaveLength(2);
    await a.discard();
    expect(fs.readdirSync(path.join(tmp, dir))).toHaveLength(1);
    await store.close();
    expect(spillDirs()).toEqual([]);
  });

  it('a store that never spills makes no folder', async () => {
    const store = new RowStore(1 << 30, tmp);
    store.buffer().push(row(1));
    await store.spill();
    await store.close();
    expect(spillDirs()).toEqual([]);
  });
});

/** A bucket in memory: every put in order (a rewrite is a second put of the same key). */
function memoryBucket() {
  const puts: Array<{ key: string; body: Buffer }> = [];
  const objects = new Map<string, Buffer>();
  const bucket = {
    puts,
    async put(key: string, body: Buffer) {
      puts.push({ key, body });
      objects.set(key, body);
    },
    async get(key: string) {
      return objects.get(key)?.toString('utf8');
    },
    async list(prefix: string) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix));
    },
    close() {},
  };
  return bucket;
}

const HOLDINGS = fs
  .readFileSync(path.join(__dirname, '../../fixtures/holding-events.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => Buffer.from(line));

/**
 * PARTITIONS partitions of one topic, each with every type of the types fixture (decimals, big
 * integers, dates before 1970, bytes, jsonb, TOAST placeholders, tombstones) and the holdings
 * events (for the pivot shape), repeated: RECORDS records per partition.
 */
const PARTITIONS = 3;
const RECORDS = 60;
function partitionRecords(partition: number): SinkRecord[] {
  const types = fixtureRecords();
  const values = [...types.map((r) => ({ key: r.key, value: r.value })), ...HOLDINGS.map((value) => ({ key: null, value }))];
  return Array.from({ length: RECORDS }, (_, i) => ({
    topic: 'db.public.everything',
    partition,
    offset: String(i),
    ...values[(i * 7 + partition) % values.length],
  }));
}

/** Batches of 7, partitions interleaved; every third batch of a partition is "caught up", so partial windows go up and are rewritten. */
async function runSink(
  format: ObjectFormat,
  shape: Shape,
  partitionBy: PartitionBy,
  bufferMemory: number,
): Promise<{ puts: Array<{ key: string; body: Buffer }>; maxMemory: number }> {
  const bucket = memoryBucket();
  const sink = new S3Sink(bucket as unknown as Bucket, {
    prefix: 'p',
    format,
    shape,
    partitionBy,
    flushSize: 20,
    ops: new Set(['c', 'r', 'u', 'd', 't']),
    onError: 'skip',
    bufferMemory,
    tmpDir: tmp,
    now: () => 0,
  });
  const records = Array.from({ length: PARTITIONS }, (_, p) => partitionRecords(p));
  let maxMemory = 0;
  try {
    for (let at = 0, n = 0; at < RECORDS; at += 7) {
      for (let p = 0; p < PARTITIONS; p++, n++) {
        const batch = records[p].slice(at, at + 7);
        const next = BigInt(at + batch.length);
        await sink.applyBatch('g', batch, { next, highWatermark: n % 3 === 0 ? next : BigInt(RECORDS) });
        maxMemory = Math.max(maxMemory, sink.memoryBytes);
      }
    }
  } finally {
    await sink.close();
  }
  return { puts: bucket.puts, maxMemory };
}

describe('the same objects, byte for byte, whether rows were spilled or not', () => {
  const formats: ObjectFormat[] = ['jsonl', 'jsonl.gz', 'parquet'];
  const shapes: Shape[] = ['flat', 'envelope', 'pivot'];
  const cases = formats.flatMap((format) => shapes.map((shape) => [format, shape] as const));

  it.each(cases)('%s, %s', async (format, shape) => {
    for (const partitionBy of [{ kind: 'none' }, { kind: 'hour' }] as PartitionBy[]) {
      const reference = await runSink(format, shape, partitionBy, 1 << 30);
      const runs = { 'all on disk': await runSink(format, shape, partitionBy, 0) };
      if (partitionBy.kind === 'none') Object.assign(runs, { '4 KiB': await runSink(format, shape, partitionBy, 4096) });
      const keys = reference.puts.map((p) => p.key).filter((k) => !k.includes('/_cdc/'));
      // Windows completed (PARTITIONS × RECORDS/20 objects at least), partial ones rewritten.
      expect(new Set(keys).size).toBeGreaterThanOrEqual(PARTITIONS * (RECORDS / 20));
      expect(keys.length).toBeGreaterThan(new Set(keys).size);
      expect(reference.maxMemory).toBeGreaterThan(4096);
      for (const [name, run] of Object.entries(runs)) {
        expect({ name, maxMemory: run.maxMemory <= (name === '4 KiB' ? 4096 : 0) }).toEqual({ name, maxMemory: true });
        expect(run.puts.map((p) => p.key)).toEqual(reference.puts.map((p) => p.key));
        run.puts.forEach((put, i) => {
          if (!put.body.equals(reference.puts[i].body)) throw new Error(`${format} ${shape} ${partitionBy.kind} ${name}: ${put.key} (put ${i}) differs`);
        });
      }
      expect(spillDirs()).toEqual([]);
    }
  });
});

/** A jsonl sink over the memory bucket, every op, no partition-by. */
function jsonlSink(bucket: ReturnType<typeof memoryBucket>, options: { shape: Shape; flushSize: number; bufferMemory: number }): S3Sink {
  return new S3Sink(bucket as unknown as Bucket, {
    prefix: 'p',
    format: 'jsonl',
    partitionBy: { kind: 'none' },
    ops: new Set(['c', 'r', 'u', 'd', 't']),
    onError: 'skip',
    tmpDir: tmp,
    ...options,
  });
}

describe('memory is bounded, not multiplied by partitions', () => {
  it('200 partitions with open windows stay within a 64 KiB budget; the rest is on disk', async () => {
    const bucket = memoryBucket();
    const budget = 64 * 1024;
    const sink = jsonlSink(bucket, { shape: 'flat', flushSize: 10_000, bufferMemory: budget });
    const types = fixtureRecords().filter((r) => r.value !== null);
    let held = 0;
    let maxMemory = 0;
    for (let p = 0; p < 200; p++) {
      const batch = Array.from({ length: 20 }, (_, i) => ({ ...types[i % types.length], partition: p, offset: String(i) }));
      await sink.applyBatch('g', batch, { next: 20n, highWatermark: 1000n });
      held += 20;
      maxMemory = Math.max(maxMemory, sink.memoryBytes);
    }
    expect(maxMemory).toBeLessThanOrEqual(budget);
    expect(bucket.puts.filter((p) => !p.key.includes('/_cdc/'))).toEqual([]);
    const [dir] = spillDirs();
    expect(fs.readdirSync(path.join(tmp, dir)).length).toBeGreaterThan(100);
    await sink.close();
    expect(spillDirs()).toEqual([]);
    expect(held).toBe(4000);
  });
});

describe('a long run does not grow with its uploads', () => {
  it('counts every upload but names only the latest LISTED_UPLOADS', async () => {
    const bucket = memoryBucket();
    const sink = jsonlSink(bucket, { shape: 'envelope', flushSize: 1, bufferMemory: 1 << 30 });
    const value = HOLDINGS[0];
    const total = LISTED_UPLOADS + 25;
    const records: SinkRecord[] = Array.from({ length: total }, (_, i) => ({ topic: 'db.bank.holding', partition: 0, offset: String(i), key: null, value }));
    try {
      for (let at = 0; at < total; at += 100) {
        const batch = records.slice(at, at + 100);
        await sink.applyBatch('g', batch, { next: BigInt(at + batch.length), highWatermark: BigInt(total) });
      }
    } finally {
      await sink.close();
    }
    const dataPuts = bucket.puts.filter((p) => !p.key.includes('/_cdc/'));
    expect(sink.uploaded).toEqual({ objects: dataPuts.length, bytes: dataPuts.reduce((sum, p) => sum + p.body.length, 0), rows: total });
    expect(dataPuts.length).toBe(total);
    expect(sink.recentUploads.map((u) => u.key)).toEqual(dataPuts.slice(-LISTED_UPLOADS).map((p) => p.key));
  });
});
