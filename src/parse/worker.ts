/**
 * A worker thread of `cdc parse` (parallel.ts): each message is a line-aligned chunk of a file;
 * the answer is its formatted rows, problems and notes with lines counted from the chunk's start,
 * and its counts. A chunk holding a multi-line value, or a line near the record limit, is answered
 * `sequential` and left to the one-thread path.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChunkResult, ChunkTask } from './parallel';
import { DEFAULT_MAX_RECORD_BYTES, RecordSplitter } from './records';
import { createRunState, emptySummary, handleItems, type ParseRunOptions } from './run';

const options = (workerData as { options: Omit<ParseRunOptions, 'now'> }).options;
const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
const state = createRunState(options, false);

parentPort!.on('message', (task: ChunkTask) => {
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  const splitter = new RecordSplitter(maxRecordBytes, 0, task.atStart);
  const items = splitter.push(bytes);
  items.push(...splitter.end());
  let answer: ChunkResult;
  if (splitter.sawMultiLine || items.some((item) => item.kind === 'record' && item.text.length * 3 >= maxRecordBytes)) {
    answer = { id: task.id, sequential: true };
  } else {
    state.summary = emptySummary();
    state.noted = new Set();
    const batch = handleItems(items, '', { ...options, processedAt: task.insertedAt ?? options.processedAt }, state);
    answer = {
      id: task.id,
      // Encoded here, on the worker's core, and moved: the main thread only writes the bytes.
      output: ownBytes(batch.output),
      problems: batch.problems.map((p) => ({ line: p.line, reason: p.reason })),
      notes: batch.notes.map((n) => ({ key: n.key, line: n.line, text: n.text })),
      summary: state.summary,
      lines: splitter.lineCount,
    };
  }
  parentPort!.postMessage(answer, answer.sequential ? [] : [answer.output.buffer as ArrayBuffer]);
});

/** UTF-8 bytes in an ArrayBuffer of their own (never Node's shared pool), so they can be moved. */
function ownBytes(text: string | Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(typeof text === 'string' ? Buffer.byteLength(text) : text.length);
  if (typeof text === 'string') out.write(text);
  else text.copy(out);
  return out;
}
