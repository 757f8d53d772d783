/**
 * The sockets kafkajs talks to brokers through (its public `socketFactory` option), and what lets
 * kafkajs decode a response from the buffer it was read into.
 *
 * With kafkajs's own socket every 64 KB read is a new buffer, kept until the response is complete
 * and then copied into one. Here a plain TCP socket reads into a reused scratch buffer until a
 * response's size (its first 4 bytes) is known, then the rest straight into a buffer of that
 * size, handed to kafkajs whole. Everything a broker sends is such a size-prefixed response (the
 * SASL exchange too). TLS sockets are kafkajs's own.
 *
 * kafkajs 2.2's Connection.processData would still copy every response: it keeps what followed
 * the last response, an empty buffer, as the first chunk of the next, and concatenates. For a
 * replay that is a second copy of every byte fetched, 0.25-0.3 s of the main thread per 670 MB
 * (BENCHMARKS.md, `cdc watch`). `installWholeResponses` (called where kafkajs is loaded) drops
 * that empty chunk first, so a response that arrives in one piece is decoded where it lies; any
 * other kafkajs version is left as it is, and copies. test/unit/kafka-socket.test.ts checks both
 * against kafkajs's own Connection.
 *
 * The first socket also primes the allocator (primeAllocator below), so that those response
 * buffers reuse memory instead of faulting in new pages.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { isKnownKafkajs, requireKafkajs } from './kafkajs-internals';

/** As kafkajs's socket factory. */
const KEEP_ALIVE_DELAY_MS = 60_000;
const SCRATCH_BYTES = 64 * 1024;
/** Larger than any response kafkajs asks for (fetches are ≤ 64 MB): beyond it, the bytes pass through as read. */
const MAX_FRAME_BYTES = 1024 * 1024 * 1024;
/** The Connection whose processData installWholeResponses knows (checked by test/unit). */
const CONNECTION_FILE = 'src/network/connection.js';
const PATCHED = Symbol.for('cdc.wholeResponses');
/** Just under the ceiling of glibc's dynamic mmap threshold (32 MiB on 64-bit). */
const ALLOCATOR_PRIMER_BYTES = 31 * 1024 * 1024;
let allocatorPrimed = false;

export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  primeAllocator();
  let socket: net.Socket;
  if (ssl) {
    socket = tls.connect(Object.assign({ host, port }, !net.isIP(host) ? { servername: host } : {}, ssl), onConnect);
  } else {
    const frames = new FrameReader((data) => socket.emit('data', data));
    const onread = { buffer: () => frames.target(), callback: (read: number, buffer: Uint8Array) => frames.filled(read, buffer) };
    socket = net.connect({ host, port, onread }, onConnect);
  }
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  return socket;
};

/**
 * Makes malloc keep the memory of freed responses for the next ones. glibc's malloc serves a
 * request above its mmap threshold (128 KiB at first) with new pages, and gives memory freed at the
 * top of its heap back to the OS beyond a trim threshold (twice the mmap threshold). Responses of
 * about 1 MB, freed by the garbage collector several at a time, kept landing on pages the kernel
 * had to fault in again: a replay of 670 MB faulted 40,000-81,000 pages, and priming saved about
 * 1.1 of its 4 CPU-s on these VMs (BENCHMARKS.md, `cdc watch`). glibc raises both thresholds when
 * it frees a chunk it had mmapped, to that chunk's size and twice that (up to 32 MiB): one
 * untouched 31 MiB buffer, dropped at once and freed by the next collection, raises them to 31 and
 * 62 MiB. The price: up to 62 MiB of freed memory may stay with the process (measured: 5-10 MB
 * more at the peak). Under another allocator this costs one map and unmap of memory nobody touches.
 */
export function primeAllocator(): void {
  if (allocatorPrimed) return;
  allocatorPrimed = true;
  try {
    Buffer.allocUnsafeSlow(ALLOCATOR_PRIMER_BYTES);
  } catch {
    // No address space to spare (a strict overcommit limit): the allocator stays as it was.
  }
}

interface KafkajsConnection {
  chunks: Buffer[];
  processData(data: Buffer): unknown;
}

/**
 * Makes kafkajs's connections decode a response that arrives in one piece from that piece (see
 * above). Returns false for a kafkajs version it does not know (left as it is).
 */
export function installWholeResponses(): boolean {
  if (!isKnownKafkajs()) return false;
  const Connection = requireKafkajs<{ prototype: KafkajsConnection & { [PATCHED]?: true } }>(CONNECTION_FILE);
  const proto = Connection.prototype;
  if (proto[PATCHED]) return true;
  const processData = proto.processData;
  proto.processData = function (this: KafkajsConnection, data: Buffer) {
    // What followed the last response: when nothing did, the new data is all there is.
    if (this.chunks.length === 1 && this.chunks[0].length === 0) this.chunks = [];
    return processData.call(this, data);
  };
  proto[PATCHED] = true;
  return true;
}

/** Cuts the bytes a socket reads into whole size-prefixed responses (prefix included). */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** The size prefix read so far, when it was split between reads. */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  /** The response being read, in a buffer of its own. */
  private frame?: Buffer;
  private frameBytes = 0;
  /** A size no response has: everything is passed on as read, and kafkajs decides. */
  private passThrough = false;

  /** @param emit receives each response whole, in a buffer of its own that is never reused. */
  constructor(private readonly emit: (data: Buffer) => void) {}

  /** Where the next read goes: the rest of the response being read, or the scratch buffer. */
  target(): Buffer {
    return this.frame && !this.passThrough ? this.frame.subarray(this.frameBytes) : this.scratch;
  }

  /** `read` bytes arrived at the start of `buffer` (what target() returned); true: read on. */
  filled(read: number, buffer: Uint8Array): boolean {
    if (read <= 0) return true;
    if (buffer === this.scratch) this.consume(this.scratch.subarray(0, read));
    else this.advance(read);
    return true;
  }

  private consume(bytes: Buffer): void {
    if (this.passThrough) {
      this.emit(Buffer.from(bytes));
      return;
    }
    let at = 0;
    while (at < bytes.length) {
      if (!this.frame) {
        const take = Math.min(4 - this.headBytes, bytes.length - at);
        bytes.copy(this.head, this.headBytes, at, at + take);
        this.headBytes += take;
        at += take;
        if (this.headBytes < 4) return;
        this.headBytes = 0;
        const size = this.head.readInt32BE(0);
        if (size < 0 || size > MAX_FRAME_BYTES) {
          this.passThrough = true;
          this.emit(Buffer.concat([this.head, bytes.subarray(at)]));
          return;
        }
        this.frame = Buffer.allocUnsafe(4 + size);
        this.head.copy(this.frame, 0);
        this.frameBytes = 4;
      }
      const take = Math.min(this.frame.length - this.frameBytes, bytes.length - at);
      bytes.copy(this.frame, this.frameBytes, at, at + take);
      at += take;
      this.advance(take);
    }
  }

  private advance(read: number): void {
    this.frameBytes += read;
    if (!this.frame || this.frameBytes < this.frame.length) return;
    const frame = this.frame;
    this.frame = undefined;
    this.frameBytes = 0;
    this.emit(frame);
  }
}
