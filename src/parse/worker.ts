/**
 * A worker thread of `cdc parse` (parallel.ts): each message is a line-aligned chunk of a file, each
 * answer its parse (chunk.ts), with the rows as UTF-8 bytes moved back to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChunkParser, type ChunkOptions, type ChunkTask } from './chunk';

const parse = createChunkParser((workerData as { options: ChunkOptions }).options);

parentPort!.on('message', (task: ChunkTask) => {
  const result = parse(task);
  if (result.sequential) {
    parentPort!.postMessage(result);
    return;
  }
  // Encoded here, on the worker's core, and moved: the main thread only writes the bytes.
  const output = ownBytes(result.output as string);
  parentPort!.postMessage({ ...result, output }, [output.buffer as ArrayBuffer]);
});

/** UTF-8 bytes in an ArrayBuffer of their own (never Node's shared pool), so they can be moved. */
function ownBytes(text: string): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  out.write(text);
  return out;
}
