/**
 * src/kafka/record-batch.ts must decode exactly as kafkajs's own record batch decoder does: both
 * decode the same batches (made by kafkajs's encoder), and every field must match.
 */
import { decodeRecordBatch } from '../../src/kafka/record-batch';

const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { buffer: Buffer; offset: number };
const kafkajsDecode = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<Decoded>;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (options: object) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (options: object) => unknown;
const { Types: Compression } = require('kafkajs/src/protocol/message/compression') as { Types: Record<string, number> };

interface Decoded {
  records: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
  timestampDelta?: number;
}

async function batch(messages: Message[], options: { firstOffset?: bigint; compression?: number; attributes?: number } = {}): Promise<Buffer> {
  const records = messages.map((m, i) =>
    Record({ key: m.key ?? null, value: m.value, headers: m.headers ?? {}, timestampDelta: m.timestampDelta ?? i * 7, offsetDelta: i }),
  );
  const firstTimestamp = 1_764_000_000_000;
  const encoded = (
    await RecordBatch({
      compression: options.compression ?? Compression.None,
      firstOffset: options.firstOffset ?? 42n,
      firstTimestamp,
      maxTimestamp: firstTimestamp + 5000,
      lastOffsetDelta: messages.length - 1,
      records,
    })
  ).buffer;
  // Attributes the encoder cannot set (log append time, control batches): flipped in place.
  if (options.attributes) encoded.writeInt16BE(encoded.readInt16BE(21) | options.attributes, 21);
  return encoded;
}

/** The record as plain data: every field kafkajs gives, read through getters where ours has them. */
function plain(record: Record<string, unknown>): Record<string, unknown> {
  const fields = ['magicByte', 'attributes', 'timestamp', 'offset', 'key', 'value', 'headers', 'isControlRecord', 'batchContext'];
  return Object.fromEntries(fields.map((f) => [f, record[f]]));
}

async function both(bytes: Buffer): Promise<{ ours: Decoded; theirs: Decoded; oursAt: number; theirsAt: number }> {
  const a = new Decoder(bytes);
  const b = new Decoder(bytes);
  const ours = (await decodeRecordBatch(a)) as unknown as Decoded;
  const theirs = await kafkajsDecode(b);
  return { ours, theirs, oursAt: a.offset, theirsAt: b.offset };
}

async function expectSame(bytes: Buffer): Promise<Decoded> {
  const { ours, theirs, oursAt, theirsAt } = await both(bytes);
  const { records: ourRecords, ...ourContext } = ours;
  const { records: theirRecords, ...theirContext } = theirs;
  expect(ourContext).toEqual(theirContext);
  expect(ourRecords.map(plain)).toEqual(theirRecords.map(plain));
  expect(oursAt).toBe(theirsAt);
  return ours;
}

const debeziumHeaders = {
  '__debezium.context.connectorLogicalName': 'dbserver1',
  '__debezium.context.taskId': '0',
  '__debezium.context.connectorName': 'postgresql',
};

describe('record batch decoder: the same records as kafkajs', () => {
  it('keys, values, tombstones, empty values and headers (repeated names folded into arrays)', async () => {
    const decoded = await expectSame(
      await batch([
        { key: '{"id":1}', value: '{"op":"c"}', headers: debeziumHeaders },
        { key: null, value: null },
        { key: '', value: '' },
        { key: 'k', value: Buffer.from([0, 255, 10, 13]), headers: { dup: ['a', 'b', 'c'], single: 'x', ünï: 'çödé' } },
        { value: 'v', timestampDelta: -3 },
      ]),
    );
    expect(decoded.records.map((r) => r.offset)).toEqual(['42', '43', '44', '45', '46']);
    expect(decoded.records[0].headers).toEqual({
      '__debezium.context.connectorLogicalName': Buffer.from('dbserver1'),
      '__debezium.context.taskId': Buffer.from('0'),
      '__debezium.context.connectorName': Buffer.from('postgresql'),
    });
  });

  it('offsets beyond 2^53 stay exact', async () => {
    const decoded = await expectSame(await batch([{ value: 'a' }, { value: 'b' }], { firstOffset: 2n ** 62n + 1n }));
    expect(decoded.records[1].offset).toBe((2n ** 62n + 2n).toString());
  });

  it('64-bit batch fields at the edges of exact doubles and of int64 (offset, timestamps, producer id)', async () => {
    // Where each field sits in the encoded batch: first offset, first and max timestamp, producer id.
    const fields = { firstOffset: 0, firstTimestamp: 27, maxTimestamp: 35, producerId: 43 };
    const edges = [
      0n,
      1n,
      -1n,
      2n ** 32n - 1n,
      2n ** 32n,
      -(2n ** 32n),
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      -(2n ** 53n) + 1n,
      -(2n ** 53n),
      -(2n ** 53n) - 1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      1_764_000_000_000n,
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 40; i++) edges.push(BigInt.asIntN(64, (BigInt(random()) << 33n) ^ BigInt(random()) ^ (BigInt(random() % 64) << 56n)));
    for (const value of edges) {
      for (const at of Object.values(fields)) {
        const bytes = await batch([{ value: 'a' }, { key: 'k', value: 'b', timestampDelta: 3 }]);
        bytes.writeBigInt64BE(value, at);
        await expectSame(bytes);
      }
    }
  });

  it('gzip-compressed batches', async () => {
    await expectSame(await batch([{ key: 'k', value: 'x'.repeat(5000), headers: debeziumHeaders }, { value: null }], { compression: Compression.GZIP }));
  });

  it('log-append-time batches (every record gets the batch time) and control or transactional flags', async () => {
    const decoded = await expectSame(await batch([{ value: 'a' }, { value: 'b' }], { attributes: 0x08 }));
    expect(decoded.records.map((r) => r.timestamp)).toEqual([String(1_764_000_005_000), String(1_764_000_005_000)]);
    await expectSame(await batch([{ value: 'a' }], { attributes: 0x10 | 0x20 }));
  });

  it('a batch cut off by the fetch size: the same partial-batch error, at the same place', async () => {
    const whole = Buffer.concat([await batch([{ value: 'first' }]), await batch([{ value: 'second, cut off' }])]);
    const cut = whole.subarray(0, whole.length - 5);
    const a = new Decoder(cut);
    const b = new Decoder(cut);
    await expectSame(cut);
    await decodeRecordBatch(a);
    await kafkajsDecode(b);
    await expect(decodeRecordBatch(a)).rejects.toMatchObject({ name: 'KafkaJSPartialMessageError' });
    await expect(kafkajsDecode(b)).rejects.toMatchObject({ name: 'KafkaJSPartialMessageError' });
  });

  it('a record whose fields run past its length is an error, not the next record read as this one', async () => {
    const bytes = await batch([{ key: 'k', value: 'value' }]);
    // The record starts after the 61-byte batch header: its length varint (zigzag) shrinks by two bytes.
    bytes[61] -= 4;
    await expect(decodeRecordBatch(new Decoder(bytes))).rejects.toThrow(/corrupt/);
  });
});
