/**
 * A parse run over every input: each file through worker threads when that pays (parallel.ts),
 * else as one stream (run.ts). Kept apart from both so that neither imports the other's caller.
 */
import { RecordSplitter } from './records';
import { parallelPlan, parseFileInParallel } from './parallel';
import { createRunState, parseStream, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary } from './run';

export async function* parseEvents(inputs: ParseInput[], options: ParseRunOptions): AsyncGenerator<ParseBatch, ParseSummary> {
  const state = createRunState(options);
  for (const input of inputs) {
    const parallel = input.file !== undefined && !options.strict ? parallelPlan(input.file, options) : undefined;
    const stopped = parallel
      ? yield* parseFileInParallel(input, parallel, options, state)
      : yield* parseStream(input.name, input.chunks, new RecordSplitter(options.maxRecordBytes), options, state);
    if (stopped) {
      state.summary.stopped = true;
      return state.summary;
    }
  }
  return state.summary;
}
