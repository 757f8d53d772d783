/**
 * src/kafka/socket.ts cuts what a socket reads into whole responses and reuses the memory of large
 * ones: kafkajs's own Connection.processData, fed by it, must still hand out every response intact
 * after later responses were read into the same memory.
 */
import { FrameReader } from '../../src/kafka/socket';

const Connection = require('kafkajs/src/network/connection') as new (options: object) => {
  processData(data: Buffer): void;
  requestQueue: { fulfillRequest(response: { correlationId: number; payload: Buffer }): void };
};

const logger: Record<string, unknown> = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
logger.namespace = () => logger;

/** A broker response: size, correlation id, then `length` bytes of a pattern of its own. */
function response(correlationId: number, length: number): { bytes: Buffer; payload: Buffer } {
  const payload = Buffer.alloc(length);
  for (let i = 0; i < length; i++) payload[i] = (i * 31 + correlationId * 7) & 0xff;
  const bytes = Buffer.alloc(8 + length);
  bytes.writeInt32BE(4 + length, 0);
  bytes.writeInt32BE(correlationId, 4);
  payload.copy(bytes, 8);
  return { bytes, payload };
}

/** Feeds the stream to the reader as a socket would: into the buffer it offers, in reads of varying size. */
function feed(reader: FrameReader, stream: Buffer, readSizes: number[]): void {
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const target = reader.target();
    const read = Math.min(readSizes[i % readSizes.length], target.length, stream.length - at);
    stream.copy(target, 0, at, at + read);
    at += read;
    reader.filled(read, target);
  }
}

describe.each([true, false])('FrameReader into kafkajs (reusing bodies: %s)', (reuse) => {
  it('every response reaches kafkajs whole and stays intact after later ones reused the memory', () => {
    const connection = new Connection({ host: 'test', port: 1, logger, socketFactory: () => undefined, requestTimeout: 1000, connectionTimeout: 1000 });
    const received: Array<{ correlationId: number; payload: Buffer }> = [];
    connection.requestQueue.fulfillRequest = ({ correlationId, payload }) => received.push({ correlationId, payload });
    const reader = new FrameReader((data) => connection.processData(data), reuse);
    const sizes = [300_000, 10, 0, 200_000, 65_536, 65_529, 1_000_000, 3, 250_000];
    const responses = sizes.map((length, i) => response(i + 1, length));
    // Reads of 1 byte split the size prefix; 70,001 bytes span responses.
    feed(reader, Buffer.concat(responses.map((r) => r.bytes)), [1, 2, 70_001, 5, 65_536, 3]);
    expect(received.map((r) => r.correlationId)).toEqual(sizes.map((_, i) => i + 1));
    received.forEach((r, i) => expect(r.payload.equals(responses[i].payload)).toBe(true));
  });
});

it('a size no response has: the bytes pass through as read', () => {
  const got: Buffer[] = [];
  const reader = new FrameReader((data) => got.push(data), true);
  const stream = Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3]);
  feed(reader, stream, [5, 2]);
  expect(Buffer.concat(got).equals(stream)).toBe(true);
});
