/**
 * One line-aligned chunk of a file, parsed on its own, by a worker thread (worker.ts) or by the
 * main thread between its reads (parallel.ts): formatted rows, problems and notes with lines counted
 * from the chunk's start, and the chunk's counts. A chunk holding a multi-line value (its reasons
 * name lines across chunks), or a line near the record limit, is answered `sequential`: the
 * one-thread path takes over from it.
 */
import type { PivotNote } from './pivot';
import { DEFAULT_MAX_RECORD_BYTES, RecordSplitter, type SplitItem } from './records';
import { createRunState, emptySummary, handleItems, type ParseRunOptions, type ParseSummary } from './run';

/** What parsing one chunk gives (`output` as a worker moves it: UTF-8 bytes; the main thread keeps its string). */
export type ChunkResult =
  | { id: number; sequential: true; buffer?: ArrayBuffer }
  | {
      id: number;
      sequential?: false;
      /** The chunk's buffer, given back by a worker for the next reads. */
      buffer?: ArrayBuffer;
      output: string;
      problems: { line: number; reason: string }[];
      notes: { key: PivotNote; line: number; text: string }[];
      summary: ParseSummary;
      lines: number;
    };

export interface ChunkTask {
  id: number;
  /** The chunk's bytes: whole lines, at the start of their own ArrayBuffer (moved to the worker). */
  bytes: Uint8Array;
  /** The chunk begins the file (a byte order mark is dropped only there). */
  atStart: boolean;
  insertedAt: string;
}

export type ChunkOptions = Omit<ParseRunOptions, 'now'>;

/** A parser of chunks with its own schema cache (one per thread); the CSV header is the caller's. */
export function createChunkParser(options: ChunkOptions): (task: ChunkTask) => ChunkResult {
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const state = createRunState(options, false);
  /** A record whose text is a third of the record limit or more (its UTF-8 may be beyond it). */
  const nearLimit = (item: SplitItem): boolean => {
    if (item.kind === 'record') return item.text.length * 3 >= maxRecordBytes;
    // Never longer as text than as bytes: decoded only when it might be near.
    return item.kind === 'bytes' && item.bytes.length * 3 >= maxRecordBytes && item.bytes.toString('utf8').length * 3 >= maxRecordBytes;
  };
  return (task) => {
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    const splitter = new RecordSplitter(maxRecordBytes, 0, task.atStart, { bytes: true });
    const items = splitter.push(bytes);
    for (const item of splitter.end()) items.push(item);
    if (splitter.sawMultiLine || items.some(nearLimit)) return { id: task.id, sequential: true };
    state.summary = emptySummary();
    state.noted = new Set();
    const batch = handleItems(items, '', { ...options, processedAt: task.insertedAt }, state);
    return {
      id: task.id,
      output: batch.output as string,
      problems: batch.problems.map((p) => ({ line: p.line, reason: p.reason })),
      notes: batch.notes.map((n) => ({ key: n.key, line: n.line, text: n.text })),
      summary: state.summary,
      lines: splitter.lineCount,
    };
  };
}
