/**
 * A worker thread of `cdc parse` (parallel.ts): each message is a line-aligned chunk of a file, each
 * answer its parse (chunk.ts) and the chunk's buffer, moved back for the next reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChunkParser, type ChunkOptions, type ChunkTask } from './chunk';

const parse = createChunkParser((workerData as { options: ChunkOptions }).options);

parentPort!.on('message', (task: ChunkTask) => {
  const result = parse(task);
  // The chunk's buffer goes back for the next reads; the rows go as a string (copied: no external
  // memory to account for on either side).
  const buffer = task.bytes.buffer as ArrayBuffer;
  parentPort!.postMessage({ ...result, buffer }, [buffer]);
});
