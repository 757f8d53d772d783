/**
 * Large files on every core: the main thread reads line-aligned chunks, hands each to a worker
 * thread with room for it, parses the others itself in between, and writes the results in input
 * order. The workers start with the run (a pool for all its files), so their start-up overlaps the
 * first reads; they share nothing with the main thread but the chunks and results they move.
 *
 * Byte-identical to one thread: the same code parses each chunk (chunk.ts), problems and notes get
 * their lines shifted by the lines before the chunk, notes are said once in input order, the CSV
 * header is written here once. A chunk holding a multi-line value or a line near the record limit
 * hands the rest of the file to the one-thread path, from that chunk on.
 *
 * Memory: at most 4 chunks per worker (1 MiB each, more only for a longer line, up to 8 MiB) and
 * the results of 16 more chunks are held at a time, whatever the file's size; worker heaps are capped.
 */
import * as fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { CdcError } from '../errors';
import { createChunkParser, type ChunkResult, type ChunkTask } from './chunk';
import { freeCores, IDLE_WINDOW_MS, sampleCpu, workersFor, type CpuSample } from './idle-cores';
import { DEFAULT_MAX_RECORD_BYTES, RecordSplitter } from './records';
import { parseStream, type Note, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary, type RunState } from './run';
import type { ParallelPlan } from './threads';

const CHUNK_BYTES = 1024 * 1024;
/**
 * Chunks a worker holds at once: one it parses and three waiting. The main thread hands out chunks
 * only between the chunks it parses itself, so a worker must have more than one chunk of work queued
 * to last until then (with two it waited for the main thread for a fifth of its time).
 */
const PER_WORKER = 4;
/**
 * Chunks the main thread may parse ahead of the oldest one a worker still holds: it keeps parsing
 * while a worker starts (its first chunks are slow) or is descheduled. Their buffers are reused at
 * once; only their results wait to be written in order.
 */
const AHEAD = 16;
const READ_BLOCK = 1024 * 1024;
/** A worker that runs out of heap anyway fails, and its chunks go to the one-thread path. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 192 };

/** The workers of one run, started once, given chunks while they have room. */
export class ParsePool {
  private readonly workers: { worker: Worker; inFlight: number; failed: boolean }[];
  /** Automatic mode, until decided: the reading the free cores are measured from. */
  private since: CpuSample | undefined;
  private readonly waiting = new Map<number, { resolve: (result: ChunkResult) => void; worker: number }>();
  /** The main thread's own chunk parser, for the chunks no worker has room for. */
  readonly parseHere: (task: ChunkTask) => ChunkResult;
  private nextId = 0;

  constructor(plan: ParallelPlan, options: ParseRunOptions, WorkerThread: typeof Worker) {
    this.since = plan.since;
    const { now: _now, ...plain } = options;
    this.workers = Array.from({ length: plan.threads - 1 }, (_, index) => {
      const entry = { worker: new WorkerThread(plan.script, { workerData: { options: plain }, resourceLimits: WORKER_LIMITS }), inFlight: 0, failed: false };
      entry.worker.on('message', (result: ChunkResult) => this.settle(result));
      // A worker that fails leaves its chunks to the one-thread path. (Workers are only ever removed
      // from the end, before any has a chunk: a kept worker's index stays its own.)
      entry.worker.on('error', () => {
        entry.failed = true;
        for (const [id, waiting] of this.waiting) if (waiting.worker === index) this.settle({ id, sequential: true });
      });
      return entry;
    });
    this.parseHere = createChunkParser(plain);
  }

  /** Threads parsing: the main thread and the workers kept (only the main thread while the automatic mode measures). */
  get threads(): number {
    return this.since ? 1 : this.workers.length + 1;
  }

  /**
   * Gives the chunk to the least busy worker with room; undefined when none has, or while the
   * automatic mode is still measuring whether cores are free for them.
   */
  offer(bytes: Buffer, atStart: boolean, insertedAt: string): Promise<ChunkResult> | undefined {
    if (this.since && !this.decide()) return undefined;
    let chosen = -1;
    for (let k = 0; k < this.workers.length; k++) {
      const w = this.workers[k];
      if (!w.failed && w.inFlight < PER_WORKER && (chosen < 0 || w.inFlight < this.workers[chosen].inFlight)) chosen = k;
    }
    if (chosen < 0) return undefined;
    const id = this.nextId++;
    const task: ChunkTask = { id, bytes, atStart, insertedAt };
    this.workers[chosen].inFlight++;
    const result = new Promise<ChunkResult>((resolve) => this.waiting.set(id, { resolve, worker: chosen }));
    // The chunk starts its ArrayBuffer and nothing after it is used again: move it (no copy).
    this.workers[chosen].worker.postMessage(task, [bytes.buffer as ArrayBuffer]);
    return result;
  }

  /**
   * Chunks held at once: the workers' and a lead for the main thread, so that a worker slowed down
   * (a busy machine) holds up the writing, not the parsing, for up to AHEAD chunks.
   */
  get capacity(): number {
    return this.workers.length * PER_WORKER + AHEAD;
  }

  terminate(): void {
    for (const { worker } of this.workers) void worker.terminate();
  }

  /**
   * Automatic mode: once the window has passed, keeps a worker per free core and stops the others
   * (none has been given a chunk yet). False while the window lasts.
   */
  private decide(): boolean {
    // Asked before every chunk: the clock first, the CPU reading (os.cpus()) only once it is due.
    if (performance.now() - this.since!.atMs < IDLE_WINDOW_MS) return false;
    const keep = workersFor(freeCores(this.since!, sampleCpu()), this.workers.length);
    this.since = undefined;
    for (const { worker } of this.workers.splice(keep)) void worker.terminate();
    return true;
  }

  private settle(result: ChunkResult): void {
    const entry = this.waiting.get(result.id);
    if (!entry) return;
    this.waiting.delete(result.id);
    this.workers[entry.worker].inFlight--;
    entry.resolve(result);
  }
}

export async function startPool(plan: ParallelPlan, options: ParseRunOptions): Promise<ParsePool> {
  const { Worker: WorkerThread } = await import('node:worker_threads');
  return new ParsePool(plan, options, WorkerThread);
}

interface Pending {
  offset: number;
  result: Promise<ChunkResult> | undefined;
  done: ChunkResult | undefined;
}

export async function* parseFileInParallel(input: ParseInput, pool: ParsePool, options: ParseRunOptions, state: RunState): AsyncGenerator<ParseBatch, boolean> {
  let fd: number;
  try {
    fd = fs.openSync(input.file!.path, 'r');
  } catch (err) {
    // As the one-thread path says it (inputs.ts): the user's situation, not a bug in cdc.
    throw new CdcError(`cannot read ${input.name}: ${(err as Error).message}`, { hint: 'rows of the records read before it were written' });
  }
  const reader = new ChunkReader(fd, input.name, Math.min(8 * 1024 * 1024, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES));
  let lineOffset = 0;
  const pending: Pending[] = [];
  /** File offset from which the one-thread path reads (a chunk that needs it, a line too long to share). */
  let sequentialFrom: number | undefined;
  try {
    for (;;) {
      // Write what is done, in input order.
      while (pending.length > 0 && pending[0].done && sequentialFrom === undefined) {
        const head = pending.shift()!;
        const result = head.done!;
        if (result.sequential) {
          sequentialFrom = head.offset;
          break;
        }
        if (pool.threads > 1) state.summary.threads = Math.max(state.summary.threads ?? 0, pool.threads);
        const batch = toBatch(result, input.name, lineOffset, options, state);
        lineOffset += result.lines;
        if (batch.output.length || batch.problems.length || batch.notes.length) yield batch;
      }
      if (sequentialFrom !== undefined) break;
      if (!reader.done && pending.length < pool.capacity) {
        const chunk = reader.next();
        if (chunk === 'long') {
          // Everything before the long line is pending: written first, then one thread from it.
          if (pending.length === 0) sequentialFrom = reader.position;
          else pending.push({ offset: reader.position, result: undefined, done: { id: -1, sequential: true } });
          reader.done = true;
          continue;
        }
        if (chunk === null) continue;
        const insertedAt = options.processedAt ?? options.now().toISOString();
        const entry: Pending = { offset: chunk.offset, result: pool.offer(chunk.bytes, chunk.offset === 0, insertedAt), done: undefined };
        if (entry.result) {
          void entry.result.then((r) => {
            entry.done = r;
            reader.recycle(r.buffer);
          });
        } else {
          // No worker has room: this thread parses the chunk, then lets the workers' answers in.
          entry.done = pool.parseHere({ id: -1, bytes: chunk.bytes, atStart: chunk.offset === 0, insertedAt });
          reader.recycle(chunk.bytes.buffer as ArrayBuffer);
        }
        pending.push(entry);
        if (!entry.result) await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (pending.length === 0) break;
      await (pending[0].result ?? Promise.resolve());
      // The `then` above has run: the head is done.
    }
    if (sequentialFrom === undefined) return false;
    // The rest of the file, from the chunk that needs one thread, through the one-thread path.
    const splitter = new RecordSplitter(options.maxRecordBytes, lineOffset, sequentialFrom === 0, { bytes: true });
    return yield* parseStream(input.name, readFrom(fd, sequentialFrom, input.name), splitter, options, state);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Line-aligned chunks of a regular file (the last one may lack its newline). Each chunk sits at the
 * start of its own ArrayBuffer, so it can be moved to a worker without a copy; only the partial
 * line after it is copied, into the next one. Synchronous reads: the file is regular, and this
 * thread has nothing else to do meanwhile but parse.
 */
class ChunkReader {
  /** File offset of the next chunk's first byte. */
  position = 0;
  /** No more chunks (the end of the file, or a line too long to share). */
  done = false;
  private readAt = 0;
  /** Buffers of chunks parsed and given back, reused: new memory costs page faults and GC pressure. */
  private readonly free: ArrayBuffer[] = [];
  private carry: Buffer = Buffer.from(this.buffer(CHUNK_BYTES * 2), 0, 0);
  private eof = false;

  constructor(
    private readonly fd: number,
    private readonly name: string,
    private readonly longest: number,
  ) {}

  /** A chunk's buffer back (parsed, nothing refers to it any more): the next chunks are read into it. */
  recycle(buffer: ArrayBuffer | undefined): void {
    if (buffer && buffer.byteLength >= CHUNK_BYTES * 2 && this.free.length < 16) this.free.push(buffer);
  }

  /** An ArrayBuffer of at least `size` bytes: a recycled one, else a new one (not zero-filled). */
  private buffer(size: number): ArrayBuffer {
    const k = this.free.findIndex((b) => b.byteLength >= size);
    if (k >= 0) return this.free.splice(k, 1)[0];
    return Buffer.allocUnsafeSlow(size).buffer;
  }

  /** The next chunk, null at the end, or 'long' for a line too long to share. */
  next(): { bytes: Buffer; offset: number } | 'long' | null {
    for (;;) {
      const carry = this.carry;
      const newline = carry.lastIndexOf(10);
      if ((newline >= 0 && carry.length >= CHUNK_BYTES) || (this.eof && carry.length > 0)) {
        const end = this.eof && newline < 0 ? carry.length : newline + 1;
        const bytes = carry.subarray(0, end);
        const offset = this.position;
        this.position += end;
        const rest = carry.subarray(end);
        this.carry = grow(Buffer.from(this.buffer(Math.max(CHUNK_BYTES * 2, rest.length * 2)), 0, 0), rest);
        return { bytes, offset };
      }
      if (this.eof) {
        this.done = true;
        return null;
      }
      if (newline < 0 && carry.length > this.longest) return 'long';
      if (carry.buffer.byteLength - carry.byteOffset - carry.length < READ_BLOCK / 4) {
        this.carry = grow(Buffer.from(this.buffer(carry.length * 2 + CHUNK_BYTES), 0, 0), carry);
      }
      // At most a chunk's worth per read, so chunks stay about CHUNK_BYTES.
      const into = Buffer.from(
        this.carry.buffer,
        this.carry.byteOffset + this.carry.length,
        Math.min(CHUNK_BYTES, this.carry.buffer.byteLength - this.carry.byteOffset - this.carry.length),
      );
      const bytesRead = readAt(this.fd, into, this.readAt, this.name);
      this.readAt += bytesRead;
      if (bytesRead === 0) this.eof = true;
      else this.carry = Buffer.from(this.carry.buffer, this.carry.byteOffset, this.carry.length + bytesRead);
    }
  }
}

/** A chunk's result as the batch one thread would have made: lines shifted, notes said once, CSV header first. */
function toBatch(result: Extract<ChunkResult, { lines: number }>, source: string, lineOffset: number, options: ParseRunOptions, state: RunState): ParseBatch {
  const s = state.summary;
  const r = result.summary;
  s.records += r.records;
  s.events += r.events;
  s.rows += r.rows;
  s.invalid += r.invalid;
  for (const kind of Object.keys(r.skipped) as (keyof ParseSummary['skipped'])[]) s.skipped[kind] += r.skipped[kind];
  const notes: Note[] = [];
  for (const note of result.notes) {
    if (state.noted.has(note.key)) continue;
    state.noted.add(note.key);
    notes.push({ key: note.key, source, line: note.line + lineOffset, text: note.text });
  }
  const header = options.format === 'csv' ? state.formatter.format([], options.processedAt ?? '') : '';
  return {
    output: header + result.output,
    problems: result.problems.map((p) => ({ source, line: p.line + lineOffset, reason: p.reason })),
    notes,
  };
}

/** `into` (empty, at the start of its ArrayBuffer) with `bytes` copied in. */
function grow(into: Buffer, bytes: Buffer): Buffer {
  const out = Buffer.from(into.buffer, into.byteOffset, bytes.length);
  bytes.copy(out);
  return out;
}

function readAt(fd: number, into: Buffer, at: number, name: string): number {
  try {
    return fs.readSync(fd, into, 0, into.length, at);
  } catch (err) {
    throw new CdcError(`cannot read ${name}: ${(err as Error).message}`, { hint: 'rows of the records read before it were written' });
  }
}

async function* readFrom(fd: number, offset: number, name: string): AsyncGenerator<Buffer> {
  for (let at = offset; ;) {
    const block = Buffer.allocUnsafe(READ_BLOCK);
    const bytesRead = readAt(fd, block, at, name);
    if (bytesRead === 0) return;
    at += bytesRead;
    yield block.subarray(0, bytesRead);
  }
}
