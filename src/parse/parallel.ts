/**
 * Large files on every core: the main thread reads line-aligned chunks and writes results in input
 * order; worker threads (worker.ts) split, parse, pivot and format them. Byte-identical to one
 * thread: the same code runs on each chunk, problems and notes get their lines shifted by the lines
 * before the chunk, notes are said once in input order, the CSV header is written here once. A chunk
 * holding a multi-line value (its reasons name lines across the chunk) or a line near the record
 * limit hands the rest of the file to the one-thread path, from that chunk on. Memory stays bounded:
 * at most two chunks per worker are in flight (chunks of 64 KiB – 4 MiB).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { CdcError } from '../errors';
import type { PivotNote } from './pivot';
import { DEFAULT_MAX_RECORD_BYTES, RecordSplitter } from './records';
import { parseStream, type Note, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary, type RunState } from './run';

/** Smaller files are done before threads would start. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
const MAX_WORKERS = 4;
const READ_BLOCK = 1024 * 1024;
/**
 * Each worker's heap is bounded (its records are under a third of the record limit, its chunks 4 MiB
 * at most); a worker that runs out anyway fails, and its chunks go to the one-thread path.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 16 };

export interface ParallelPlan {
  workers: number;
  chunkBytes: number;
  script: string;
}

/**
 * Whether (and how) to parse this file with worker threads; undefined for one thread. Automatic
 * (threads 0): files from 32 MiB when the 1-minute load average leaves a core idle.
 */
export function parallelPlan(file: { path: string; size: number }, options: Pick<ParseRunOptions, 'threads'>): ParallelPlan | undefined {
  const threads = options.threads ?? 0;
  if (threads === 1) return undefined;
  const cores = os.availableParallelism();
  const workers = threads > 1 ? threads : Math.min(cores, MAX_WORKERS);
  if (workers < 2 || (threads === 0 && file.size < PARALLEL_MIN_BYTES)) return undefined;
  // Automatic only when a core is idle: each worker pays its own start-up and JIT warm-up (measured
  // +40-70 % CPU on the 675 MB bench file), which a busy machine turns into a slower run.
  if (threads === 0 && os.loadavg()[0] > cores - 1) return undefined;
  // Run from the TypeScript sources (ts-jest) there is no compiled worker: one thread.
  const script = path.join(__dirname, 'worker.js');
  if (!fs.existsSync(script)) return undefined;
  const chunkBytes = Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(file.size / (workers * 8))));
  return { workers, chunkBytes, script };
}

/** What a worker sends back for one chunk. */
export type ChunkResult =
  | { id: number; sequential: true }
  | {
      id: number;
      sequential?: false;
      output: Uint8Array;
      problems: { line: number; reason: string }[];
      notes: { key: PivotNote; line: number; text: string }[];
      summary: ParseSummary;
      lines: number;
    };

export interface ChunkTask {
  id: number;
  bytes: Uint8Array;
  atStart: boolean;
  insertedAt?: string;
}

interface Pending {
  id: number;
  offset: number;
  result: Promise<ChunkResult>;
}

export async function* parseFileInParallel(
  input: ParseInput,
  plan: ParallelPlan,
  options: ParseRunOptions,
  state: RunState,
): AsyncGenerator<ParseBatch, boolean> {
  const { Worker: WorkerThread } = await import('node:worker_threads');
  const { now: _now, ...plain } = options;
  const workers: Worker[] = Array.from(
    { length: plan.workers },
    () => new WorkerThread(plan.script, { workerData: { options: plain }, resourceLimits: WORKER_LIMITS }),
  );
  const waiting = new Map<number, (result: ChunkResult) => void>();
  for (const worker of workers) {
    worker.on('message', (result: ChunkResult) => {
      waiting.get(result.id)?.(result);
      waiting.delete(result.id);
    });
    // A worker that fails leaves its chunks to the one-thread path.
    worker.on('error', () => {
      for (const [id, resolve] of waiting) resolve({ id, sequential: true });
      waiting.clear();
    });
  }
  let fd: fs.promises.FileHandle;
  try {
    fd = await fs.promises.open(input.file!.path, 'r');
  } catch (err) {
    for (const worker of workers) void worker.terminate();
    // As the one-thread path says it (inputs.ts): the user's situation, not a bug in cdc.
    throw new CdcError(`cannot read ${input.name}: ${(err as Error).message}`, { hint: 'rows of the records read before it were written' });
  }
  const longest = Math.min(8 * 1024 * 1024, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  let position = 0; // file offset of the next chunk
  let readAt = 0;
  let carry: Buffer = Buffer.from(new ArrayBuffer(plan.chunkBytes * 2), 0, 0);
  let eof = false;
  let lineOffset = 0;
  let nextId = 0;
  const pending: Pending[] = [];

  /**
   * The next line-aligned chunk (the last one may lack its newline), or null at the end, or 'long'
   * for a line too long to share. Each chunk sits at the start of its own ArrayBuffer, so it can be
   * moved to a worker without a copy; only the partial line after it is copied, into the next one.
   */
  const readChunk = async (): Promise<{ bytes: Buffer; offset: number } | 'long' | null> => {
    for (;;) {
      const newline = carry.lastIndexOf(10);
      if ((newline >= 0 && carry.length >= plan.chunkBytes) || (eof && carry.length > 0)) {
        const end = eof && newline < 0 ? carry.length : newline + 1;
        const bytes = carry.subarray(0, end);
        const offset = position;
        position += end;
        const rest = carry.subarray(end);
        carry = Buffer.from(new ArrayBuffer(Math.max(plan.chunkBytes * 2, rest.length * 2)), 0, 0);
        if (rest.length) carry = grow(carry, rest);
        return { bytes, offset };
      }
      if (eof) return null;
      if (newline < 0 && carry.length > longest) return 'long';
      const room = carry.buffer.byteLength - carry.byteOffset - carry.length;
      if (room < READ_BLOCK / 4) carry = grow(Buffer.from(new ArrayBuffer(carry.length * 2 + plan.chunkBytes), 0, 0), carry);
      const target = Buffer.from(carry.buffer, carry.byteOffset + carry.length, carry.buffer.byteLength - carry.byteOffset - carry.length);
      const bytesRead = await readAtOffset(fd, target, readAt, input.name);
      readAt += bytesRead;
      if (bytesRead === 0) eof = true;
      else carry = Buffer.from(carry.buffer, carry.byteOffset, carry.length + bytesRead);
    }
  };

  const dispatch = (bytes: Buffer, offset: number): void => {
    const id = nextId++;
    const task: ChunkTask = { id, bytes, atStart: offset === 0, insertedAt: options.processedAt ?? options.now().toISOString() };
    const result = new Promise<ChunkResult>((resolve) => waiting.set(id, resolve));
    // The chunk starts its ArrayBuffer and nothing after it is used again: move it (no copy).
    workers[id % workers.length].postMessage(task, [bytes.buffer as ArrayBuffer]);
    pending.push({ id, offset, result });
  };

  try {
    let sequentialFrom: number | undefined;
    for (;;) {
      while (sequentialFrom === undefined && !eof && pending.length < plan.workers * 2) {
        const chunk = await readChunk();
        if (chunk === null) break;
        if (chunk === 'long') {
          sequentialFrom = position;
          break;
        }
        dispatch(chunk.bytes, chunk.offset);
      }
      if (sequentialFrom === undefined && eof && carry.length > 0 && pending.length < plan.workers * 2) {
        const chunk = await readChunk();
        if (chunk === 'long') sequentialFrom = position;
        else if (chunk) dispatch(chunk.bytes, chunk.offset);
      }
      const head = pending.shift();
      if (!head) break;
      const result = await head.result;
      if (result.sequential) {
        sequentialFrom = head.offset;
        break;
      }
      state.summary.threads = Math.max(state.summary.threads ?? 0, plan.workers);
      const batch = toBatch(result, input.name, lineOffset, options, state);
      lineOffset += result.lines;
      if (batch.output.length || batch.problems.length || batch.notes.length) yield batch;
    }
    if (sequentialFrom === undefined) return false;
    // The rest of the file, from the chunk that needs one thread, through the one-thread path.
    for (const worker of workers) void worker.terminate();
    const splitter = new RecordSplitter(options.maxRecordBytes, lineOffset, sequentialFrom === 0);
    return yield* parseStream(input.name, readFrom(fd, sequentialFrom, input.name), splitter, options, state);
  } finally {
    for (const worker of workers) void worker.terminate();
    await fd.close();
  }
}

/** A worker's chunk as the batch one thread would have made: lines shifted, notes said once, CSV header first. */
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
    output: header ? Buffer.concat([Buffer.from(header), bytesOf(result.output)]) : bytesOf(result.output),
    problems: result.problems.map((p) => ({ source, line: p.line + lineOffset, reason: p.reason })),
    notes,
  };
}

function bytesOf(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** `into` (empty, at the start of its ArrayBuffer) with `bytes` copied in. */
function grow(into: Buffer, bytes: Buffer): Buffer {
  const out = Buffer.from(into.buffer, into.byteOffset, bytes.length);
  bytes.copy(out);
  return out;
}

async function readAtOffset(fd: fs.promises.FileHandle, into: Buffer, at: number, name: string): Promise<number> {
  try {
    return (await fd.read(into, 0, into.length, at)).bytesRead;
  } catch (err) {
    throw new CdcError(`cannot read ${name}: ${(err as Error).message}`, { hint: 'rows of the records read before it were written' });
  }
}

async function* readFrom(fd: fs.promises.FileHandle, offset: number, name: string): AsyncGenerator<Buffer> {
  for (let at = offset; ;) {
    const block = Buffer.allocUnsafe(READ_BLOCK);
    const bytesRead = await readAtOffset(fd, block, at, name);
    if (bytesRead === 0) return;
    at += bytesRead;
    yield block.subarray(0, bytesRead);
  }
}
