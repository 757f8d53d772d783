/**
 * The sockets kafkajs talks to brokers through (its public `socketFactory` option). With its own,
 * every 64 KB the socket reads is a new buffer, kept until the response is complete and then copied
 * into one: replaying a topic allocated each byte twice, and the garbage collector, run by that
 * much external memory, took a fifth of the time (BENCHMARKS.md, `cdc watch`). Here a plain TCP
 * socket reads into a reused scratch buffer until a response's size (its first 4 bytes) is known,
 * then the rest straight into a reused buffer of that size. Everything a broker sends is such a
 * size-prefixed response (the SASL exchange too), so kafkajs gets whole responses.
 *
 * A response larger than the scratch buffer is handed over in two parts, its size and then its
 * body: kafkajs 2.2's Connection.processData must then copy the two into one buffer (it needs the
 * response contiguous), so the body buffer is free for the next response once the 'data' event
 * returns. test/unit/kafka-socket.test.ts checks that against kafkajs itself; any other kafkajs
 * version gets a fresh buffer per response. TLS sockets are kafkajs's own.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** As kafkajs's socket factory. */
const KEEP_ALIVE_DELAY_MS = 60_000;
const SCRATCH_BYTES = 64 * 1024;
/** Larger than any response kafkajs asks for (fetches are ≤ 64 MB): beyond it, the bytes pass through as read. */
const MAX_FRAME_BYTES = 1024 * 1024 * 1024;
/** The kafkajs whose processData is known to copy a response that arrives in two parts. */
const COPYING_KAFKAJS = '2.2.4';

export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  let socket: net.Socket;
  if (ssl) {
    socket = tls.connect(Object.assign({ host, port }, !net.isIP(host) ? { servername: host } : {}, ssl), onConnect);
  } else {
    const frames = new FrameReader((data) => socket.emit('data', data), reusesBodies());
    const onread = { buffer: () => frames.target(), callback: (read: number, buffer: Uint8Array) => frames.filled(read, buffer) };
    socket = net.connect({ host, port, onread }, onConnect);
  }
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  return socket;
};

let reuse: boolean | undefined;

function reusesBodies(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  reuse ??= (require('kafkajs/package.json') as { version: string }).version === COPYING_KAFKAJS;
  return reuse;
}

/** Cuts the bytes a socket reads into whole size-prefixed responses (prefix included). */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** The size prefix read so far, when it was split between reads. */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  /** The response being read (a view of `body` when bodies are reused). */
  private frame?: Buffer;
  private frameBytes = 0;
  /** The frame is a view of `body`: handed over in two parts. */
  private frameInBody = false;
  private body?: Buffer;
  /** A size no response has: everything is passed on as read, and kafkajs decides. */
  private passThrough = false;

  /**
   * @param emit receives each response; when `reuseBodies`, a large one in two calls (size, then
   *   body), and the body's memory is reused once the second call returns.
   */
  constructor(
    private readonly emit: (data: Buffer) => void,
    private readonly reuseBodies: boolean,
  ) {}

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
        this.frame = this.allocate(4 + size);
        this.head.copy(this.frame, 0);
        this.frameBytes = 4;
      }
      const take = Math.min(this.frame.length - this.frameBytes, bytes.length - at);
      bytes.copy(this.frame, this.frameBytes, at, at + take);
      at += take;
      this.advance(take);
    }
  }

  private allocate(length: number): Buffer {
    this.frameInBody = this.reuseBodies && length > SCRATCH_BYTES;
    if (!this.frameInBody) return Buffer.allocUnsafe(length);
    if (!this.body || this.body.length < length) this.body = Buffer.allocUnsafe(length);
    return this.body.subarray(0, length);
  }

  private advance(read: number): void {
    this.frameBytes += read;
    if (!this.frame || this.frameBytes < this.frame.length) return;
    const frame = this.frame;
    this.frame = undefined;
    this.frameBytes = 0;
    if (this.frameInBody) {
      this.emit(Buffer.from(frame.subarray(0, 4)));
      this.emit(frame.subarray(4));
    } else {
      this.emit(frame);
    }
  }
}
