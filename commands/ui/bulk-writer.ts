/**
 * Writes bulk data to stdout (`cdc watch` replaying a topic into a pipe or a file), one write at a
 * time and in order, each resolving once its bytes are handed to the OS (only then may `--group`
 * commit), unless writes may run ahead (below).
 *
 * When stdout is the process's own pipe, socket or file (not a terminal), a write is one
 * `fs.writev` of the file descriptor, run on libuv's thread pool: the kernel's copy of the bytes
 * happens beside the main thread, which meanwhile decodes the next records, and the per-buffer
 * work of a stream (a write request per value and its newline) is gone. 0.2 CPU-s and ~0.25 s of
 * wall time less per 670 MB replay (BENCHMARKS.md, `cdc watch`).
 *
 * Without offsets to commit (`cdc watch` without `--group`), writes may run ahead: a write resolves
 * once queued, while at most `aheadBytes` wait for the OS, so the main thread fetches and decodes
 * the next records while the thread pool writes these. `flushed()` resolves once everything queued
 * is written; a failed write (EPIPE) drops the writes queued after it.
 *
 * A pipe that Node's stdout stream set non-blocking would make the pool's write fail with EAGAIN
 * once the pipe is full, so the descriptor is made blocking again first (as the shell created it;
 * what Node does for its own stdout on Windows). Where that is not possible, a write that the
 * descriptor takes only in part hands the rest to the stream, which waits for the pipe, and every
 * later write goes through the stream: slower, never out of order or lost.
 */
import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { Context } from '../../src/context';
import type { Output } from '../../src/watch/consume';

export interface BulkWriterTarget {
  stream: Writable;
  /** The descriptor behind `stream`, to write from the thread pool; undefined: the stream only. */
  fd?: number;
  /** Make the descriptor blocking before the first write (false: tests of the fallback). */
  makeBlocking?: boolean;
}

export interface BulkWriter {
  /**
   * Resolves once `data` is handed to the OS, or with write-ahead once it is queued within the
   * bound. Calls must not overlap: each waits for the one before.
   */
  write(data: Output): Promise<void>;
  /** Resolves once every write queued so far is handed to the OS (or dropped after an error). */
  flushed(): Promise<void>;
}

/** The bulk writer for a command's stdout: by descriptor when it is the process's own and not a terminal. */
export function stdoutBulkWriter(ctx: Context, onError: (err: NodeJS.ErrnoException) => void, aheadBytes = 0): BulkWriter {
  const fd = ctx.stdoutIsTTY ? undefined : ctx.stdoutFd;
  return bulkWriter({ stream: ctx.stdout, fd, makeBlocking: true }, onError, aheadBytes);
}

/**
 * A writer of Output to `target`, `aheadBytes` of it allowed to wait for the OS (0: none). The
 * first error goes to `onError`, and the write resolves, as a stream's error would; the writes
 * queued after it are dropped.
 */
export function bulkWriter(target: BulkWriterTarget, onError: (err: NodeJS.ErrnoException) => void, aheadBytes = 0): BulkWriter {
  let failed = false;
  let chain: Promise<void> = Promise.resolve();
  let queuedBytes = 0;
  let onWritten: (() => void) | undefined;
  const writeNow = writerOf(target, (err) => {
    if (failed) return;
    failed = true;
    onError(err);
  });
  return {
    async write(data) {
      const size = byteLength(data);
      const written = chain.then(() => (failed ? undefined : writeNow(data)));
      chain = written;
      if (aheadBytes === 0) return written;
      queuedBytes += size;
      void written.then(() => {
        queuedBytes -= size;
        onWritten?.();
      });
      while (queuedBytes > aheadBytes) await new Promise<void>((resolve) => (onWritten = resolve));
      onWritten = undefined;
    },
    flushed: () => chain,
  };
}

function byteLength(data: Output): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (!Array.isArray(data)) return data.length;
  let n = 0;
  for (const part of data) n += part.length;
  return n;
}

/** One write at a time to `target`: by descriptor while it takes whole writes, else through the stream. */
function writerOf(target: BulkWriterTarget, onError: (err: NodeJS.ErrnoException) => void): (data: Output) => Promise<void> {
  let byDescriptor = target.fd !== undefined;
  let blockingSet = false;
  const viaStream = (parts: Output, done: (err?: Error | null) => void) => {
    const stream = target.stream;
    if (!Array.isArray(parts)) {
      stream.write(parts, done);
      return;
    }
    if (parts.length === 0) return done();
    // Corked, the parts leave in one writev; the callback of the last comes once all are written.
    stream.cork();
    for (let i = 0; i < parts.length - 1; i++) stream.write(parts[i]);
    stream.write(parts[parts.length - 1], done);
    stream.uncork();
  };
  return (data) =>
    new Promise<void>((resolve) => {
      const done = (err?: Error | null) => {
        if (err) onError(err);
        resolve();
      };
      if (!byDescriptor) return viaStream(data, done);
      const parts = typeof data === 'string' ? [Buffer.from(data)] : Array.isArray(data) ? data : [data];
      const total = byteLength(parts);
      if (total === 0) return resolve();
      if (!blockingSet && target.makeBlocking) {
        blockingSet = true;
        setBlocking(target.stream);
      }
      fs.writev(target.fd!, parts, (err, written) => {
        if (!err && written === total) return resolve();
        if (err && err.code !== 'EAGAIN') return done(err);
        // A non-blocking descriptor that is full: the stream waits for room, from here on.
        byDescriptor = false;
        viaStream(rest(parts, err ? 0 : written), done);
      });
    });
}

/** `parts` without their first `written` bytes. */
function rest(parts: Buffer[], written: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = written;
  for (const part of parts) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    out.push(skip > 0 ? part.subarray(skip) : part);
    skip = 0;
  }
  return out;
}

/** Undoes libuv's O_NONBLOCK on a pipe or socket stream's descriptor, where the handle offers it. */
function setBlocking(stream: Writable): void {
  const handle = (stream as Writable & { _handle?: { setBlocking?(blocking: boolean): number } })._handle;
  try {
    handle?.setBlocking?.(true);
  } catch {
    // Left non-blocking: a full pipe then sends the rest through the stream (see above).
  }
}
