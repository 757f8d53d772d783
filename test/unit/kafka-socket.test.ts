/**
 * src/kafka/socket.ts cuts what a socket reads into whole responses, each in a buffer of its own,
 * and installWholeResponses makes kafkajs's own Connection.processData decode a response from the
 * buffer it arrived in. Fed by the reader, or by arbitrary chunks (kafkajs's TLS sockets), with
 * and without that change, kafkajs must hand out every response intact, in order.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { FrameReader, installWholeResponses } from '../../src/kafka/socket';

type ConnectionClass = new (options: object) => {
  processData(data: Buffer): void;
  requestQueue: { fulfillRequest(response: { correlationId: number; payload: Buffer }): void };
};
const Connection = require('kafkajs/src/network/connection') as ConnectionClass;
/** kafkajs's processData as it ships, before installWholeResponses replaces it on the prototype. */
const shippedProcessData = (Connection.prototype as { processData(data: Buffer): void }).processData;

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

function connection(patched: boolean): { processData(data: Buffer): void; received: Array<{ correlationId: number; payload: Buffer }> } {
  const c = new Connection({ host: 'test', port: 1, logger, socketFactory: () => undefined, requestTimeout: 1000, connectionTimeout: 1000 });
  const received: Array<{ correlationId: number; payload: Buffer }> = [];
  c.requestQueue.fulfillRequest = ({ correlationId, payload }) => received.push({ correlationId, payload });
  const processData = patched ? c.processData.bind(c) : shippedProcessData.bind(c);
  return { processData, received };
}

const SIZES = [300_000, 10, 0, 200_000, 65_536, 65_529, 1_000_000, 3, 250_000];

beforeAll(() => {
  expect(installWholeResponses()).toBe(true);
  expect(installWholeResponses()).toBe(true); // once only: not wrapped twice
});

describe.each([true, false])('responses into kafkajs (installWholeResponses: %s)', (patched) => {
  it('from the FrameReader: every response whole and intact, in order', () => {
    const { processData, received } = connection(patched);
    const emitted: Buffer[] = [];
    const reader = new FrameReader((data) => {
      emitted.push(data);
      processData(data);
    });
    const responses = SIZES.map((length, i) => response(i + 1, length));
    // Reads of 1 byte split the size prefix; 70,001 bytes span responses.
    feed(reader, Buffer.concat(responses.map((r) => r.bytes)), [1, 2, 70_001, 5, 65_536, 3]);
    expect(received.map((r) => r.correlationId)).toEqual(SIZES.map((_, i) => i + 1));
    received.forEach((r, i) => expect(r.payload.equals(responses[i].payload)).toBe(true));
    // Installed, each response is a view of the buffer it was read into: no copy. As shipped,
    // every response after the first is copied (the first finds no leftover chunk). Responses
    // under 4 KB share Node's buffer pool, so only the larger ones tell.
    received.forEach((r, i) => {
      if (i > 0 && r.payload.length > 4096) expect(r.payload.buffer === emitted[i].buffer).toBe(patched);
    });
  });

  it('from arbitrary chunks (TLS): responses split across chunks and several in one chunk', () => {
    const { processData, received } = connection(patched);
    const responses = SIZES.map((length, i) => response(i + 1, length));
    const stream = Buffer.concat(responses.map((r) => r.bytes));
    const cuts = [1, 3, 7, 65_536, 2, 300_100, 17, 1_000_000, 4];
    for (let at = 0, i = 0; at < stream.length; i++) {
      const next = Math.min(stream.length, at + cuts[i % cuts.length]);
      processData(Buffer.from(stream.subarray(at, next)));
      at = next;
    }
    expect(received.map((r) => r.correlationId)).toEqual(SIZES.map((_, i) => i + 1));
    received.forEach((r, i) => expect(r.payload.equals(responses[i].payload)).toBe(true));
  });
});

it('a size no response has: the bytes pass through as read', () => {
  const got: Buffer[] = [];
  const reader = new FrameReader((data) => got.push(data));
  const stream = Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3]);
  feed(reader, stream, [5, 2]);
  expect(Buffer.concat(got).equals(stream)).toBe(true);
});

describe('primeAllocator', () => {
  // What a replay does to malloc: responses of about 1 MB, written into, then freed by the garbage
  // collector several at a time. Counted in a process of its own (the built module), with and
  // without priming; the minor page faults are the pages the kernel had to map again.
  const SOCKET_MODULE = path.resolve(__dirname, '../../dist/src/kafka/socket.js');
  const script = `
    if (process.argv[1] === 'primed') { require(${JSON.stringify(SOCKET_MODULE)}).primeAllocator(); global.gc(); }
    const before = process.resourceUsage().minorPageFault;
    for (let round = 0; round < 50; round++) {
      let responses = [];
      for (let i = 0; i < 8; i++) responses.push(Buffer.allocUnsafe(1024 * 1024 + i * 4096).fill(round));
      responses = null;
      global.gc();
    }
    process.stdout.write(String(process.resourceUsage().minorPageFault - before));
  `;
  const faults = (mode: string): number => {
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', script, mode], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return Number(run.stdout);
  };
  const glibc =
    process.platform === 'linux' && Boolean((process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime);

  (glibc ? it : it.skip)('under glibc, freed responses are reused: fewer than half the page faults', () => {
    const plain = faults('plain');
    const primed = faults('primed');
    // 400 MB written in all (102,400 pages): the first round's 8 MB must be mapped either way.
    expect(primed).toBeLessThan(plain / 2);
  });
});
